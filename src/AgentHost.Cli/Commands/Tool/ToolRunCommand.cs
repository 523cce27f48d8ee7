using System.CommandLine;
using System.Text.Json;
using AgentHost.Agent.Engine;
using AgentHost.Agent.Tools;
using AgentHost.Cli.Rendering;
using AgentHost.Hosting;
using AgentHost.Hosting.Logging;
using AgentHost.Sdk.Events;

namespace AgentHost.Cli.Commands.Tool;

/// <summary><c>agent tool run NAME --args JSON</c>: one tool call through the agent loop's pipeline, a plugin's tool or an MCP server's.</summary>
internal sealed class ToolRunCommand : AgentCommand
{
    private readonly Argument<string> _name = new("name") { Description = "The tool name (plain, plugin-id/name, or an MCP server's mcp__SERVER__TOOL)." };
    private readonly Option<string> _args = new("--args") { Description = "The arguments as one JSON object.", DefaultValueFactory = _ => "{}" };
    private readonly HeadlessToolOptions _tools = new();
    private readonly Option<bool> _json = new("--json") { Description = "Print the raw outcome as JSON." };

    public ToolRunCommand(CliContext context)
        : base("run", "Invoke one tool through the same pipeline as the agent loop (validation, permission gate, middleware, caps).", context)
    {
        Arguments.Add(_name);
        Options.Add(_args);
        _tools.AddTo(this);
        Options.Add(_json);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        StartupActivities.Mark("cli.execute");
        var name = parseResult.GetRequiredValue(_name);
        // The MCP servers start only for a tool no plugin has (an MCP server's, or an unknown one): as a run starts them.
        await using var tools = await _tools.OpenAsync(Context, parseResult, Context.Console.IsInteractive, cancellationToken, calling: name, mcpServers: true).ConfigureAwait(false);
        StartupActivities.Mark("tool.opened");
        var outcome = await tools.Pipeline.InvokeAsync(
            name,
            parseResult.GetValue(_args),
            new ToolCallContext("cli", "cli-1") { WorkspaceRoot = tools.Root, InSession = false },
            cancellationToken).ConfigureAwait(false);
        StartupActivities.Mark("tool.invoked");
        if (parseResult.GetValue(_json))
        {
            Context.Console.WriteDataLine(JsonSerializer.Serialize(
                new
                {
                    tool = outcome.Tool,
                    plugin = outcome.Plugin,
                    status = outcome.Status.ToString().ToLowerInvariant(),
                    text = outcome.Text,
                    error = outcome.Error,
                    durationMs = outcome.Duration.TotalMilliseconds,
                    truncated = outcome.Truncated,
                    structured = outcome.Structured,
                },
                PluginFormatting.Json));
        }
        else if (outcome.Status == ToolCallStatus.Succeeded)
        {
            Context.Console.WriteDataLine(outcome.Text); // the result is the product, like cat's: exact into a pipe
        }
        else
        {
            Context.Console.WriteError($"{outcome.Tool}: {outcome.Status.ToString().ToLowerInvariant()}: {outcome.Error ?? outcome.Text}");
        }

        return outcome.Status switch
        {
            ToolCallStatus.Succeeded => ExitCodes.Success,
            ToolCallStatus.Denied => ExitCodes.Denied,
            ToolCallStatus.Cancelled => ExitCodes.Cancelled,
            _ => ExitCodes.Failure,
        };
    }
}
