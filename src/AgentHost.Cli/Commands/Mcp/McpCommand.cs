using System.CommandLine;

namespace AgentHost.Cli.Commands.Mcp;

/// <summary><c>agent mcp …</c>: the MCP servers sessions connect to.</summary>
internal sealed class McpCommand : Command
{
    public McpCommand(CliContext context)
        : base("mcp", "MCP: list, check, add, remove and log in to the servers sessions connect to, or serve the plugins' tools as an MCP server.")
    {
        Subcommands.Add(new McpListCommand(context));
        Subcommands.Add(new McpGetCommand(context));
        Subcommands.Add(new McpAddCommand(context));
        Subcommands.Add(new McpRemoveCommand(context));
        Subcommands.Add(new McpLoginCommand(context));
        Subcommands.Add(new McpServeCommand(context));
    }
}
