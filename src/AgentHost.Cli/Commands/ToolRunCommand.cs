using System.CommandLine;
using System.Text.Json;
using AgentHost.Agent.Engine;
using AgentHost.Agent.Runs;
using AgentHost.Cli.Rendering;
using AgentHost.Hosting;
using AgentHost.Hosting.Security;
using AgentHost.Sdk.Events;

namespace AgentHost.Cli.Commands;

/// <summary><c>agent tool run NAME --args JSON</c>: one tool call through the agent loop's pipeline.</summary>
internal sealed class ToolRunCommand : AgentCommand
{
    private readonly Argument<string> _name = new("name") { Description = "The tool name (plain, or plugin-id/name)." };
    private readonly Option<string> _args = new("--args") { Description = "The arguments as one JSON object.", DefaultValueFactory = _ => "{}" };
    private readonly Option<string?> _root = new("--root") { Description = "The project root the tool works in (default: the project containing the current directory)." };
    private readonly PluginOptions _plugins = new();
    private readonly Option<bool> _json = new("--json") { Description = "Print the raw outcome as JSON." };
    private readonly Option<string?> _permissionMode = PermissionModeOption.Create();
    private readonly Option<string[]> _allow = AllowOption.Create();

    public ToolRunCommand(CliContext context)
        : base("run", "Invoke one tool through the same pipeline as the agent loop (validation, permission gate, middleware, caps).", context)
    {
        Arguments.Add(_name);
        Options.Add(_args);
        Options.Add(_root);
        _plugins.AddTo(this);
        Options.Add(_json);
        Options.Add(_permissionMode);
        Options.Add(_allow);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        AllowOption.Validate(parseResult, _allow);
        var configuration = Context.Configuration(parseResult);
        var root = parseResult.GetValue(_root) is { } r ? Path.GetFullPath(r, Context.Environment.CurrentDirectory) : configuration.ProjectRoot;
        if (!Directory.Exists(root))
        {
            throw new AgentHostException(ErrorKind.Usage, $"--root {root}: no such directory.");
        }

        await using var runtime = Context.CreatePluginRuntime(configuration);
        await _plugins.LoadAsync(runtime, parseResult, configuration, Context.Environment.CurrentDirectory, cancellationToken).ConfigureAwait(false);
        var gate = AgentRunner.CreatePermissionGate(configuration, root, Context.Environment, PermissionModeOption.Parse(parseResult, _permissionMode), Context.Console.IsInteractive, runtime.Events);
        using var pipeline = AgentRunner.CreatePipeline(runtime, gate, new SecretScrubber(Context.Environment), TimeProvider.System);
        var outcome = await pipeline.InvokeAsync(
            parseResult.GetRequiredValue(_name),
            parseResult.GetValue(_args),
            new ToolCallContext("cli", "cli-1") { WorkspaceRoot = root, InSession = false },
            cancellationToken).ConfigureAwait(false);
        if (parseResult.GetValue(_json))
        {
            Context.Console.WriteLine(JsonSerializer.Serialize(
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
            Context.Console.WriteLine(outcome.Text);
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
