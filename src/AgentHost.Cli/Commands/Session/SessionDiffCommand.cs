using System.CommandLine;
using System.Globalization;
using AgentHost.Agent.Checkpoints;
using AgentHost.Cli.Rendering;
using AgentHost.Cli.Terminal;
using AgentHost.Hosting;

namespace AgentHost.Cli.Commands.Session;

/// <summary><c>agent session diff &lt;id&gt; [--turn N] [--stat]</c>: what the session's file tools changed, as a unified diff.</summary>
internal sealed class SessionDiffCommand : AgentCommand
{
    private readonly Argument<string> _id = SessionFormatting.IdArgument();
    private readonly Option<int?> _turn = new("--turn") { Description = "Only this turn (turns that changed files, from 1; see --stat)." };
    private readonly Option<bool> _stat = new("--stat") { Description = "One line per file (created/modified/deleted, +added -removed) instead of the diff." };

    public SessionDiffCommand(CliContext context)
        : base("diff", "What a session's file tools changed (in total, or of one turn) as a unified diff; shell commands' changes are not tracked.", context)
    {
        Arguments.Add(_id);
        Options.Add(_turn);
        Options.Add(_stat);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var (store, id) = await SessionFormatting.ResolveAsync(Context, parseResult.GetRequiredValue(_id), cancellationToken).ConfigureAwait(false);
        var changes = await SessionFileChanges.GetAsync(store, id, cancellationToken).ConfigureAwait(false);
        var stat = parseResult.GetValue(_stat);
        if (parseResult.GetValue(_turn) is { } number)
        {
            var turn = changes.Turns.FirstOrDefault(t => t.Turn == number) ?? throw new AgentHostException(
                ErrorKind.NotFound,
                changes.Turns.Count == 0
                    ? $"session {id} has no file changes."
                    : $"session {id} has no turn {number} with file changes; turns: {string.Join(", ", changes.Turns.Select(t => t.Turn))}.");
            if (turn.UndoneAt is { } undone)
            {
                Context.Console.WriteInfo($"Turn {turn.Turn} was undone at {undone.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)}.");
            }

            Write(turn.Files, stat);
            return ExitCodes.Success;
        }

        if (stat)
        {
            foreach (var turn in changes.Turns)
            {
                var undone = turn.UndoneAt is null ? string.Empty : " (undone)";
                Context.Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"turn {turn.Turn}{undone}: {turn.Files.Count} file(s)"));
            }
        }

        if (changes.Total.Count == 0)
        {
            Context.Console.WriteInfo($"Session {id} has no file changes (diff covers the file tools; shell commands are not tracked).");
            return ExitCodes.Success;
        }

        if (stat)
        {
            Context.Console.WriteLine("total:");
        }

        Write(changes.Total, stat);
        return ExitCodes.Success;
    }

    private void Write(IReadOnlyList<FileChange> files, bool stat) => FileChangeReport.WriteFiles(Context.Console, files, stat, colour: Context.Console.Terminal is not null && !TerminalStyle.IsPlain(Context.Environment.Variables));
}
