using System.CommandLine;

namespace AgentHost.Cli.Commands.Tool;

/// <summary><c>agent tool …</c>: inspect and run tools outside an agent run.</summary>
internal sealed class ToolCommand : Command
{
    public ToolCommand(CliContext context)
        : base("tool", "List the tools plugins contribute, or run one through the same pipeline as the agent loop.")
    {
        Subcommands.Add(new ToolListCommand(context));
        Subcommands.Add(new ToolRunCommand(context));
    }
}
