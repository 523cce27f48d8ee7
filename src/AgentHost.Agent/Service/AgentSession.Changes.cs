using AgentHost.Agent.Checkpoints;
using AgentHost.Hosting;
using AgentHost.Permissions;
using AgentHost.Permissions.Paths;

namespace AgentHost.Agent.Service;

/// <content>File changes: what the session's file tools changed (<c>/diff</c>) and undo of the last turn (<c>/undo</c>).</content>
public sealed partial class AgentSession
{
    /// <summary>What the session's file tools changed, per turn and in total (empty for a new session before its first turn).</summary>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The changes. Shell commands' changes are not included (they are not tracked).</returns>
    public async Task<SessionFileChangeSet> GetFileChangesAsync(CancellationToken cancellationToken = default) =>
        Id is { } id ? await SessionFileChanges.GetAsync(_parts.Store, id, cancellationToken).ConfigureAwait(false) : new SessionFileChangeSet([], []);

    /// <summary>
    /// Reverts the file changes of the last turn that changed files (see <see cref="SessionFileChanges.UndoLastTurnAsync"/>);
    /// a second call goes one more turn back. Not while a turn runs.
    /// </summary>
    /// <param name="force">Overwrite files changed since by something else, and skip files that cannot be restored.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>What was reverted, or the conflicts that stopped it (nothing written).</returns>
    /// <exception cref="AgentHostException">A turn is running (<see cref="ErrorKind.InUse"/>), nothing to undo (<see cref="ErrorKind.NotFound"/>), or a path is protected (<see cref="ErrorKind.Denied"/>).</exception>
    public async Task<UndoResult> UndoLastTurnAsync(bool force = false, CancellationToken cancellationToken = default)
    {
        ThrowIfClosed();
        if (!await _turn.WaitAsync(0, cancellationToken).ConfigureAwait(false))
        {
            throw new AgentHostException(ErrorKind.InUse, $"session {Id ?? "(new)"} is running a turn; wait for it or cancel it before undoing.");
        }

        try
        {
            if (Id is not { } id)
            {
                throw new AgentHostException(ErrorKind.NotFound, "this session has not changed any file yet; there is nothing to undo.");
            }

            // Checkpoint paths are relative to the session's stored workspace.
            var workspace = (await _parts.Store.GetSessionAsync(id, cancellationToken).ConfigureAwait(false)).Workspace;
            var sandbox = new PathSandbox(
                workspace,
                _parts.Environment.HomeDirectory,
                RunContext?.Policy.ExtraDirectories ?? Volatile.Read(ref _policy).ExtraDirectories,
                ProtectedPaths.FromEnvironment(_parts.Environment));
            return await SessionFileChanges.UndoLastTurnAsync(_parts.Store, id, sandbox, force, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _turn.Release();
        }
    }
}
