using System.CommandLine;
using AgentHost.Agent.Mcp;
using AgentHost.Agent.Runs;
using AgentHost.Hosting;
using AgentHost.Hosting.Security;
using ModelContextProtocol.Server;

namespace AgentHost.Cli.Commands;

/// <summary>
/// <c>agent mcp serve</c>: the host as an MCP server over stdio, so other clients (Claude Desktop, VS Code, other
/// agents) can use the loaded plugins' tools. Every call goes through the tool pipeline and the permission system of
/// the project; nobody is at a terminal, so what would ask is denied unless a rule (or <c>--allow</c>) allows it.
/// Standard output carries only the protocol; warnings go to standard error.
/// </summary>
internal sealed class McpServeCommand : AgentCommand
{
    private readonly PluginOptions _plugins = new();
    private readonly Option<string?> _root = new("--root") { Description = "The project root the tools work in (default: the project containing the current directory)." };
    private readonly Option<string?> _permissionMode = PermissionModeOption.Create();
    private readonly Option<string[]> _allow = AllowOption.Create();

    public McpServeCommand(CliContext context)
        : base("serve", "Serve the loaded plugins' tools as an MCP server over stdio; every call is decided by this project's permission rules (asks are denied).", context)
    {
        _plugins.AddTo(this);
        Options.Add(_root);
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
        foreach (var failure in (await _plugins.LoadAsync(runtime, parseResult, configuration, Context.Environment.CurrentDirectory, cancellationToken).ConfigureAwait(false)).Where(r => r.Error is not null))
        {
            Context.Console.WriteInfo($"warning: plugin {failure.PluginId} not loaded: {failure.Error}");
        }

        // No one answers questions here: the gate is headless, so 'ask' becomes a denial with the rule that would allow it.
        var gate = AgentRunner.CreatePermissionGate(configuration, root, Context.Environment, PermissionModeOption.Parse(parseResult, _permissionMode), interactive: false, runtime.Events);
        using var pipeline = AgentRunner.CreatePipeline(runtime, gate, new SecretScrubber(Context.Environment), TimeProvider.System);
        var server = new McpToolServer(pipeline, runtime.Registry, root);
        var options = server.Options(AgentProgram.Version);
        await using var transport = new StdioServerTransport(options);
        await using var mcp = McpServer.Create(transport, options);
        Context.Console.WriteInfo($"agent mcp serve: {server.ListTools().Tools.Count} tools of {root} on stdio");
        await mcp.RunAsync(cancellationToken).ConfigureAwait(false);
        return ExitCodes.Success;
    }
}
