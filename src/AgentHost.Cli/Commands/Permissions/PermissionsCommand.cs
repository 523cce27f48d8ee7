using System.CommandLine;

namespace AgentHost.Cli.Commands.Permissions;

/// <summary><c>agent permissions …</c>: debug permission rules.</summary>
internal sealed class PermissionsCommand : Command
{
    public PermissionsCommand(CliContext context)
        : base("permissions", "Check how permission rules and modes decide tool calls.")
    {
        ArgumentNullException.ThrowIfNull(context);
        Subcommands.Add(new PermissionsCheckCommand(context));
    }
}
