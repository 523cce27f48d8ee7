using System.Globalization;
using System.Text.Json;
using AgentHost.Agent.Engine;
using AgentHost.Agent.Tools;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Events;
using AgentHost.Sdk.Tools;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace AgentHost.Agent.Mcp;

/// <summary>
/// The host as an MCP server (<c>agent mcp serve</c>): the tools the pipeline offers under its permission mode are
/// listed with annotations from their effect, and every <c>tools/call</c> runs through the same pipeline as the agent
/// loop — argument validation, the permission gate (a headless server denies what would ask unless a rule allows it),
/// middleware and caps. A denied or failed call is a result with <c>isError</c> and the reason, as the model would see it.
/// With an <see cref="McpElicitingGate"/> (the pipeline's gate), a call that would ask is put to the calling client
/// through elicitation when it supports that.
/// </summary>
public sealed class McpToolServer(ToolPipeline pipeline, string workspaceRoot, McpElicitingGate? asking = null)
{
    private int _calls;

    /// <summary>The server options: name and version, the tools capability and the two handlers.</summary>
    public McpServerOptions Options(string version) => new()
    {
        ServerInfo = new Implementation { Name = "agent", Version = version },
        ServerInstructions = "Tools of AgentHost's plugins; each call is decided by the host's permission rules for this project.",
        Capabilities = new ServerCapabilities { Tools = new ToolsCapability() },
        Handlers = new McpServerHandlers
        {
            ListToolsHandler = (_, _) => ValueTask.FromResult(ListTools()),
            CallToolHandler = (request, cancellationToken) => CallToolAsync(request.Params!, request.Server, cancellationToken),
        },
    };

    /// <summary>The offered tools as MCP tools.</summary>
    public ListToolsResult ListTools() => new()
    {
        Tools =
        [
            .. pipeline.GetToolSet().Declarations.Select(declaration => new Tool
            {
                Name = declaration.Name,
                Description = declaration.Description,
                InputSchema = McpPortableSchema.Of(declaration.JsonSchema),
                Annotations = AnnotationsOf(pipeline.FindTool(declaration.Name)?.Capability as ToolCapability),
            }),
        ],
    };

    /// <summary>Runs one call through the pipeline.</summary>
    /// <param name="request">The call.</param>
    /// <param name="caller">The MCP session that made it (asked when a permission question arises), if any.</param>
    /// <param name="cancellationToken">Cancelled with the request.</param>
    /// <returns>The result.</returns>
    public async ValueTask<CallToolResult> CallToolAsync(CallToolRequestParams request, McpServer? caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var arguments = request.Arguments is { } given ? JsonSerializer.Serialize(given, ModelContextProtocol.McpJsonUtilities.DefaultOptions) : "{}";
        var callId = "mcp-" + Interlocked.Increment(ref _calls).ToString(CultureInfo.InvariantCulture);
        using var registration = asking is not null && caller is not null ? asking.Enter(callId, caller) : null;
        var outcome = await pipeline.InvokeAsync(request.Name, arguments, new ToolCallContext("mcp-serve", callId) { WorkspaceRoot = workspaceRoot, InSession = false }, cancellationToken).ConfigureAwait(false);
        var text = outcome.Status == ToolCallStatus.Succeeded ? outcome.Text : outcome.Error ?? outcome.Text;
        return new CallToolResult
        {
            Content = [new TextContentBlock { Text = text }],
            IsError = outcome.Status != ToolCallStatus.Succeeded,
        };
    }

    private static ToolAnnotations? AnnotationsOf(ToolCapability? tool) => tool is null ? null : new ToolAnnotations
    {
        ReadOnlyHint = (tool.Metadata.Effect & (ToolEffect.Write | ToolEffect.Execute | ToolEffect.Network)) == 0,
        DestructiveHint = (tool.Metadata.Effect & (ToolEffect.Write | ToolEffect.Execute)) != 0,
        OpenWorldHint = (tool.Metadata.Effect & ToolEffect.Network) != 0,
    };
}
