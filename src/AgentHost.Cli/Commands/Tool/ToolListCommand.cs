using System.CommandLine;
using System.Text.Json;
using AgentHost.Agent.Runs;
using AgentHost.Cli.Rendering;
using AgentHost.Hosting.Capabilities;
using AgentHost.Sdk.Capabilities;

namespace AgentHost.Cli.Commands.Tool;

/// <summary>
/// <c>agent tool list</c>: every tool a run gets with its plugin, effect and parameter schema: the plugins' tools and
/// the MCP servers' (started as a run starts them, <see cref="HeadlessToolOptions.StartMcpServersAsync"/>), an MCP
/// tool's plugin shown as <c>mcp:SERVER</c>.
/// </summary>
internal sealed class ToolListCommand : AgentCommand
{
    private readonly PluginOptions _plugins = new();
    private readonly Option<bool> _json = new("--json") { Description = "Print JSON, including each tool's parameter schema." };
    private readonly Option<bool> _noMcp = new("--no-mcp") { Description = "Leave out the MCP servers' tools (their servers are then not started)." };

    public ToolListCommand(CliContext context)
        : base("list", "List the tools a run gets (enabled plugins, the default plugins, --plugin ones, and the MCP servers' tools) with their plugin, effect and parameters.", context)
    {
        _plugins.AddTo(this);
        Options.Add(_json);
        Options.Add(_noMcp);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var configuration = Context.Configuration(parseResult);
        await using var project = await _plugins.OpenAsync(Context, parseResult, configuration, cancellationToken).ConfigureAwait(false);
        var runtime = project.Runtime;
        var results = project.Loads;
        foreach (var failure in results.Where(r => r.Error is not null))
        {
            Context.Console.WriteInfo($"warning: plugin {failure.PluginId} not loaded: {failure.Error}");
        }

        // The MCP servers a run would start, started the same way: their tools are offered to a run beside the plugins'.
        await using var mcp = parseResult.GetValue(_noMcp) ? null : await HeadlessToolOptions.StartMcpServersAsync(Context, runtime, configuration, configuration.ProjectRoot).ConfigureAwait(false);
        IReadOnlyList<RegisteredCapability> tools = [.. runtime.Registry.OfKind(CapabilityKind.Tool), .. mcp?.Tools ?? []];
        string? ServerOf(RegisteredCapability tool) => mcp is not null && tool.PluginId == AgentHost.Agent.Mcp.McpSessionServers.PluginId ? RunMcpServers.ServerOf(mcp, tool.Name) : null;
        string PluginOf(RegisteredCapability tool) => ServerOf(tool) is { } server ? $"{tool.PluginId}:{server}" : tool.PluginId;
        if (parseResult.GetValue(_json))
        {
            Context.Console.WriteDataLine(JsonSerializer.Serialize(
                tools.Select(t =>
                {
                    var tool = (ToolCapability)t.Capability;
                    return new
                    {
                        name = t.Name,
                        qualifiedName = t.QualifiedName,
                        plugin = t.PluginId,
                        mcpServer = ServerOf(t),
                        effect = tool.Metadata.Effect.ToString().ToLowerInvariant(),
                        description = tool.Function.Description,
                        parameters = tool.Function.JsonSchema,
                    };
                }),
                PluginFormatting.Json));
            return ExitCodes.Success;
        }

        if (tools.Count == 0)
        {
            Context.Console.WriteLine("No tools. Install a tool pack ('agent plugin install <id>'), pass --plugin, or list packs in plugins.defaults.");
            return ExitCodes.Success;
        }

        TextTable.Write(Context.Console, ["TOOL", "PLUGIN", "EFFECT", "PARAMETERS", "DESCRIPTION"], tools.Select(t =>
        {
            var tool = (ToolCapability)t.Capability;
            return new[] { t.Name, PluginOf(t), tool.Metadata.Effect.ToString().ToLowerInvariant(), Parameters(tool), tool.Function.Description };
        }).ToList());
        return ExitCodes.Success;
    }

    private static string Parameters(ToolCapability tool)
    {
        if (!tool.Function.JsonSchema.TryGetProperty("properties", out var properties))
        {
            return "-";
        }

        var required = tool.Function.JsonSchema.TryGetProperty("required", out var r)
            ? r.EnumerateArray().Select(e => e.GetString()).ToHashSet(StringComparer.Ordinal)
            : [];
        var names = properties.EnumerateObject().Select(p => required.Contains(p.Name) ? p.Name : p.Name + "?").ToList();
        return names.Count == 0 ? "-" : string.Join(", ", names);
    }
}
