using System.CommandLine;

namespace AgentHost.Cli.Commands.Session;

/// <summary><c>agent session …</c>: list, inspect, export, import, fork and prune stored sessions.</summary>
internal sealed class SessionCommand : Command
{
    public SessionCommand(CliContext context)
        : base("session", "List, show, export, import, fork and prune stored sessions; audit their permission decisions; show and undo their file changes.")
    {
        Subcommands.Add(new SessionListCommand(context));
        Subcommands.Add(new SessionShowCommand(context));
        Subcommands.Add(new SessionHistoryCommand(context));
        Subcommands.Add(new SessionRenameCommand(context));
        Subcommands.Add(new SessionDeleteCommand(context));
        Subcommands.Add(new SessionExportCommand(context));
        Subcommands.Add(new SessionImportCommand(context));
        Subcommands.Add(new SessionForkCommand(context));
        Subcommands.Add(new SessionPruneCommand(context));
        Subcommands.Add(new SessionSettingsCommand(context));
        Subcommands.Add(new SessionAuditCommand(context));
        Subcommands.Add(new SessionGrantCommand(context, revoke: false));
        Subcommands.Add(new SessionGrantCommand(context, revoke: true));
        Subcommands.Add(new SessionDiffCommand(context));
        Subcommands.Add(new SessionUndoCommand(context));
    }
}
