namespace AgentHost.Sessions;

/// <summary>
/// File checkpoints (<see cref="ISessionStore.Checkpoints"/>): each file a turn's file tools changed, with its state
/// before the turn and what the turn left, for <c>agent session diff</c> and <c>undo</c>.
/// </summary>
/// <remarks>Thread-safe. Writes are the session writer's (fenced by its lease). Contents that look like secrets are never kept.</remarks>
public interface IFileCheckpointStore
{
    /// <summary>The number the session's next file-changing turn gets (one more than the highest so far).</summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The number, from 1.</returns>
    Task<int> NextTurnAsync(string sessionId, CancellationToken cancellationToken = default);

    /// <summary>Records a path's state before a turn first changes it; a second record of the same path in the same turn is ignored.</summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="turn">The turn's number (<see cref="NextTurnAsync"/>).</param>
    /// <param name="path">The path relative to the workspace root.</param>
    /// <param name="tool">The tool about to change it.</param>
    /// <param name="before">Its state now.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>Whether this was the first record of the path in the turn.</returns>
    Task<bool> RecordBeforeAsync(string sessionId, int turn, string path, string tool, FileSnapshot before, CancellationToken cancellationToken = default);

    /// <summary>Records what a turn left at each of its paths; a path whose state did not change is forgotten.</summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="turn">The turn.</param>
    /// <param name="after">The state of each path now.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>A task.</returns>
    Task RecordAfterAsync(string sessionId, int turn, IReadOnlyDictionary<string, FileSnapshot> after, CancellationToken cancellationToken = default);

    /// <summary>The session's checkpoints, oldest turn first, paths in the order they were first changed.</summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>Every checkpoint, undone turns included (see <see cref="FileCheckpoint.UndoneAt"/>).</returns>
    /// <exception cref="Hosting.AgentHostException">Unknown session (<see cref="Hosting.ErrorKind.NotFound"/>).</exception>
    Task<IReadOnlyList<FileCheckpoint>> ListAsync(string sessionId, CancellationToken cancellationToken = default);

    /// <summary>Marks a turn as undone (the next undo goes one turn further back).</summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="turn">The turn.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>A task.</returns>
    Task MarkUndoneAsync(string sessionId, int turn, CancellationToken cancellationToken = default);
}
