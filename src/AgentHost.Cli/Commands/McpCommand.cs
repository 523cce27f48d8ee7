using System.CommandLine;

namespace AgentHost.Cli.Commands;

/// <summary><c>agent mcp …</c>: the MCP servers sessions connect to.</summary>
internal sealed class McpCommand : Command
{
    public McpCommand(CliContext context)
        : base("mcp", "The MCP servers sessions connect to (from plugins, a trusted project's .mcp.json and mcp.servers): list and check them.")
    {
        Subcommands.Add(new McpListCommand(context));
    }
}
