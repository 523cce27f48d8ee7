using System.CommandLine;

namespace AgentHost.Cli.Commands;

/// <summary><c>agent session prune --older-than 30d [--yes]</c>: deletes sessions not updated for a while (every workspace).</summary>
internal sealed class SessionPruneCommand : AgentCommand
{
    private readonly Option<string> _olderThan = new("--older-than") { Description = "Age of the last update: days or hours, e.g. 30d or 12h.", Required = true };
    private readonly Option<bool> _yes = new("--yes", "-y") { Description = "Delete without asking (required when no one can answer)." };

    public SessionPruneCommand(CliContext context)
        : base("prune", "Delete sessions (of every workspace) not updated for the given age.", context)
    {
        Options.Add(_olderThan);
        Options.Add(_yes);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var text = parseResult.GetRequiredValue(_olderThan);
        var age = SessionFormatting.ParseAge(text);
        var store = await Context.OpenSessionStoreAsync(cancellationToken).ConfigureAwait(false);
        var count = await store.CountOlderThanAsync(age, cancellationToken).ConfigureAwait(false);
        if (count == 0)
        {
            Context.Console.WriteLine($"No sessions older than {text}.");
            return ExitCodes.Success;
        }

        if (!SessionFormatting.Confirm(Context.Console, parseResult.GetValue(_yes), $"Delete {count} sessions not updated for {text}?", $"not pruning {count} sessions"))
        {
            Context.Console.WriteInfo("Nothing was deleted.");
            return ExitCodes.Denied;
        }

        var pruned = await store.PruneAsync(age, cancellationToken).ConfigureAwait(false);
        Context.Console.WriteLine($"Pruned {pruned} sessions not updated for {text}.");
        return ExitCodes.Success;
    }
}
