using System.CommandLine;

namespace AgentHost.Cli.Commands.Hooks;

/// <summary><c>agent hooks …</c>: the commands run at session events (docs/hooks.md).</summary>
internal sealed class HooksCommand : Command
{
    public HooksCommand(CliContext context)
        : base("hooks", "Hooks: list the commands run at session events (PreToolUse, Stop, …), or run them once with a sample event.")
    {
        Subcommands.Add(new HooksListCommand(context));
        Subcommands.Add(new HooksTestCommand(context));
    }
}
