namespace AgentHost.Sessions;

/// <summary>Fork, export and import of sessions (<see cref="ISessionStore.Transfer"/>).</summary>
/// <remarks>Thread-safe. An import is scrubbed and capped again, as if it were written now.</remarks>
public interface ISessionTransfer
{
    /// <summary>
    /// Copies a session into a new one (status <see cref="SessionStatus.Completed"/>, ready to resume): its messages up
    /// to and including <paramref name="atMessageId"/> (all when <see langword="null"/>), the tool events recorded by
    /// then, its settings and its permission grants. The copy's parent is the source.
    /// </summary>
    /// <param name="sessionId">The source session.</param>
    /// <param name="atMessageId">The last message to copy: an id or a unique prefix of one in the session.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The new session.</returns>
    /// <exception cref="Hosting.AgentHostException">Unknown session or message (<see cref="Hosting.ErrorKind.NotFound"/>).</exception>
    Task<SessionInfo> ForkAsync(string sessionId, string? atMessageId = null, CancellationToken cancellationToken = default);

    /// <summary>Writes a session as JSON Lines: a <c>session</c> header line, its messages, then its tool events.</summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="writer">Where to write.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>A task.</returns>
    Task ExportJsonlAsync(string sessionId, TextWriter writer, CancellationToken cancellationToken = default);

    /// <summary>Writes a session as a readable Markdown transcript (metadata, messages, a table of tool events).</summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="writer">Where to write.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>A task.</returns>
    Task ExportMarkdownAsync(string sessionId, TextWriter writer, CancellationToken cancellationToken = default);

    /// <summary>
    /// Imports a JSON Lines export as one session (all or nothing). The session keeps its id unless that id is taken
    /// (then it gets a new one, and its messages new ids; nothing stored before is changed); the parent link is kept
    /// only when the parent exists.
    /// </summary>
    /// <param name="reader">The export.</param>
    /// <param name="sourceName">The file name, for error messages.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The imported session and the id the export asked for.</returns>
    /// <exception cref="Hosting.AgentHostException">The input is not a session export (<see cref="Hosting.ErrorKind.Usage"/>, with the line).</exception>
    Task<SessionImportResult> ImportAsync(TextReader reader, string? sourceName = null, CancellationToken cancellationToken = default);
}
