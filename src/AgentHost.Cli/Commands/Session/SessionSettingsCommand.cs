using System.CommandLine;

namespace AgentHost.Cli.Commands.Session;

/// <summary><c>agent session settings get|set</c>.</summary>
internal sealed class SessionSettingsCommand : Command
{
    public SessionSettingsCommand(CliContext context)
        : base("settings", "Read or change a session's settings (they override project and global configuration).")
    {
        Subcommands.Add(new SessionSettingsGetCommand(context));
        Subcommands.Add(new SessionSettingsSetCommand(context));
    }
}
