using System.CommandLine;
using AgentHost.Hosting;
using AgentHost.Sessions;
using Microsoft.Extensions.Logging;

namespace AgentHost.Cli.Commands.Session;

/// <summary>
/// <c>agent session prune [--older-than 30d] [--dry-run] [--yes]</c>: deletes sessions (of every workspace) by the
/// configured retention (<c>session.retention_days</c>, <c>session.max_sessions</c>) or by an age given here, printing
/// each one; sessions a writer holds are left.
/// </summary>
internal sealed class SessionPruneCommand : AgentCommand
{
    private readonly Option<string?> _olderThan = new("--older-than") { Description = "Age of the last activity, e.g. 30d, 12h or 90m (default: the session.retention_days and session.max_sessions settings)." };
    private readonly Option<bool> _dryRun = new("--dry-run") { Description = "List what would be deleted; delete nothing." };
    private readonly Option<bool> _yes = new("--yes", "-y") { Description = "Delete without asking (required when no one can answer)." };

    public SessionPruneCommand(CliContext context)
        : base("prune", "Delete sessions (of every workspace) by the configured retention, or not active for the given age.", context)
    {
        Options.Add(_olderThan);
        Options.Add(_dryRun);
        Options.Add(_yes);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var text = parseResult.GetValue(_olderThan);
        var retention = text is not null
            ? new SessionRetention(SessionFormatting.ParseAge(text), null)
            : SessionRetention.FromConfiguration(SessionFrontEnd.Checked(Context.Configuration(parseResult)));
        if (!retention.IsEnabled)
        {
            throw new AgentHostException(
                ErrorKind.Usage,
                $"nothing says which sessions to prune: set {SessionRetention.RetentionDaysKey} or {SessionRetention.MaxSessionsKey} (e.g. 'agent config set {SessionRetention.RetentionDaysKey} 30'), or pass --older-than 30d.");
        }

        var store = await Context.OpenSessionStoreAsync(cancellationToken).ConfigureAwait(false);
        var console = Context.Console;
        var rule = text is not null ? $"not updated for {text}" : retention.Describe();
        var expired = await retention.FindExpiredAsync(store, TimeProvider.System, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (expired.Count == 0)
        {
            console.WriteLine(text is not null ? $"No sessions older than {text}." : $"No sessions to prune ({rule}).");
            return ExitCodes.Success;
        }

        if (parseResult.GetValue(_dryRun))
        {
            console.WriteLine($"Would prune {expired.Count} sessions ({rule}); nothing was deleted:");
            Print(expired);
            return ExitCodes.Success;
        }

        if (!SessionFormatting.Confirm(console, parseResult.GetValue(_yes), $"Delete {expired.Count} sessions ({rule})?", $"not pruning {expired.Count} sessions"))
        {
            console.WriteInfo("Nothing was deleted.");
            return ExitCodes.Denied;
        }

        // Through the store's delete, as 'agent session delete' does; a session a run holds (or took meanwhile) is left.
        var logger = Context.LoggerFactory(parseResult).CreateLogger("AgentHost.Sessions.Retention");
        var pruned = await retention.PruneAsync(store, TimeProvider.System, spare: null, logger, cancellationToken).ConfigureAwait(false);
        Print(pruned);
        console.WriteLine(text is not null ? $"Pruned {pruned.Count} sessions not updated for {text}." : $"Pruned {pruned.Count} sessions ({rule}).");
        if (expired.Count - pruned.Count is var left and > 0)
        {
            console.WriteInfo($"{left} sessions are in use by a run and were left; prune again once it ends.");
        }

        return ExitCodes.Success;
    }

    private void Print(IReadOnlyList<SessionInfo> sessions)
    {
        foreach (var session in sessions)
        {
            var name = session.Name is { } n ? $" [{n}]" : string.Empty;
            Context.Console.WriteLine($"  {session.Id}  {SessionFormatting.Stamp(session.UpdatedAt)}{name}  {SessionFormatting.OneLine(SessionFormatting.Title(session), 60)}");
        }
    }
}
