using System.CommandLine;

namespace AgentHost.Cli.Commands.Sandbox;

/// <summary><c>agent sandbox …</c>: the operating-system sandbox around what the model runs (docs/sandbox.md).</summary>
internal sealed class SandboxCommand : Command
{
    public SandboxCommand(CliContext context)
        : base("sandbox", "The operating-system sandbox around shell commands: run a command in it and see what it was refused.")
    {
        Subcommands.Add(new SandboxCheckCommand(context));
    }
}
