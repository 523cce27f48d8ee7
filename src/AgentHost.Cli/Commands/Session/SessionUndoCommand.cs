using System.CommandLine;
using AgentHost.Agent.Checkpoints;
using AgentHost.Cli.Rendering;
using AgentHost.Hosting;
using AgentHost.Permissions;
using AgentHost.Permissions.Paths;

namespace AgentHost.Cli.Commands.Session;

/// <summary>
/// <c>agent session undo &lt;id&gt; [--force] [--yes]</c>: reverts the file changes of the session's last turn that
/// changed files (a second undo goes one more turn back).
/// </summary>
internal sealed class SessionUndoCommand : AgentCommand
{
    private readonly Argument<string> _id = SessionFormatting.IdArgument();
    private readonly Option<bool> _force = new("--force") { Description = "Also overwrite files changed since the turn by something else, and skip files that cannot be restored." };
    private readonly Option<bool> _yes = new("--yes", "-y") { Description = "Undo without asking (required when no one can answer)." };

    public SessionUndoCommand(CliContext context)
        : base("undo", "Revert the file changes of a session's last turn that changed files (file tools only; shell commands are not tracked).", context)
    {
        Arguments.Add(_id);
        Options.Add(_force);
        Options.Add(_yes);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var (store, id) = await SessionFormatting.ResolveAsync(Context, parseResult.GetRequiredValue(_id), cancellationToken).ConfigureAwait(false);
        await using var lease = await store.Leases.AcquireAsync(id, cancellationToken).ConfigureAwait(false); // No run may change the files (or the checkpoints) meanwhile.
        var session = await store.GetSessionAsync(id, cancellationToken).ConfigureAwait(false);
        var changes = await SessionFileChanges.GetAsync(store, id, cancellationToken).ConfigureAwait(false);
        var last = changes.Turns.LastOrDefault(t => t.UndoneAt is null && t.Files.Count > 0)
            ?? throw new AgentHostException(ErrorKind.NotFound, $"session {id} has no file changes to undo (undo covers the file tools' changes; shell commands are not tracked).");
        foreach (var file in last.Files)
        {
            Context.Console.WriteInfo($"  {FileChangeReport.Kind(file.Kind),-8} {file.Path}");
        }

        if (!SessionFormatting.Confirm(Context.Console, parseResult.GetValue(_yes), $"Undo turn {last.Turn} of session {id} ({last.Files.Count} file(s))?", $"not undoing turn {last.Turn} of session {id}"))
        {
            Context.Console.WriteInfo("Nothing was changed.");
            return ExitCodes.Denied;
        }

        var sandbox = new PathSandbox(session.Workspace, Context.Environment.HomeDirectory, null, ProtectedPaths.FromEnvironment(Context.Environment));
        var result = await SessionFileChanges.UndoLastTurnAsync(store, id, sandbox, parseResult.GetValue(_force), cancellationToken).ConfigureAwait(false);
        return FileChangeReport.WriteUndo(Context.Console, result, "--force", id) ? ExitCodes.Success : ExitCodes.Failure;
    }
}
