using System.CommandLine;
using AgentHost.Agent.Mcp;
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
    private readonly HeadlessToolOptions _tools = new();

    public McpServeCommand(CliContext context)
        : base("serve", "Serve the loaded plugins' tools as an MCP server over stdio; every call is decided by this project's permission rules (asks are denied).", context)
    {
        _tools.AddTo(this);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        // No one answers questions here: the gate is headless, so 'ask' becomes a denial with the rule that would allow it.
        await using var tools = await _tools.OpenAsync(Context, parseResult, interactive: false, cancellationToken).ConfigureAwait(false);
        foreach (var failure in tools.Loads.Where(r => r.Error is not null))
        {
            Context.Console.WriteInfo($"warning: plugin {failure.PluginId} not loaded: {failure.Error}");
        }

        var server = new McpToolServer(tools.Pipeline, tools.Runtime.Registry, tools.Root);
        var options = server.Options(AgentProgram.Version);
        await using var transport = new StdioServerTransport(options);
        await using var mcp = McpServer.Create(transport, options);
        Context.Console.WriteInfo($"agent mcp serve: {server.ListTools().Tools.Count} tools of {tools.Root} on stdio");
        await mcp.RunAsync(cancellationToken).ConfigureAwait(false);
        return ExitCodes.Success;
    }
}
