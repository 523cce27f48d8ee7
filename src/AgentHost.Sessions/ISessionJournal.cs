namespace AgentHost.Sessions;

/// <summary>
/// The durable side of a server's events and runs (<see cref="ISessionStore.Journal"/>): a per-session event journal
/// that a client's stream resumes from after a restart (<c>Last-Event-ID</c>), and the results of runs, so that a run
/// can be read back after the process that ran it is gone.
/// </summary>
/// <remarks>
/// <para>
/// Event ids are per session: the first event of a session is 1, every later one is one more, in the order they were
/// appended (the session's one writer appends them; see <see cref="ISessionLeases"/>). So "after id N" is exact and a
/// resumed stream neither repeats nor skips. Texts are scrubbed of secrets; an event larger than the store's part cap
/// keeps its type and is stored as <c>{"truncated":true,"bytes":N}</c>. Writes are the session writer's, fenced by its
/// lease like every other session write; deleting a session deletes its journal and runs.
/// </para>
/// <para>Thread-safe.</para>
/// </remarks>
public interface ISessionJournal
{
    /// <summary>Appends events to a session's journal in one write (all or none).</summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="events">Each event's type (e.g. <c>message.completed</c>) and JSON payload.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The id of the first appended event (the others follow it); 0 when <paramref name="events"/> is empty.</returns>
    /// <exception cref="Hosting.AgentHostException">Unknown session (<see cref="Hosting.ErrorKind.NotFound"/>).</exception>
    Task<long> AppendEventsAsync(string sessionId, IReadOnlyList<(string Type, string Json)> events, CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends events like <see cref="AppendEventsAsync"/> and returns them as stored: their ids and their payloads
    /// scrubbed and capped, exactly what <see cref="ReadEventsAsync"/> returns for them later, so that a live reader can
    /// be given them without reading them back.
    /// </summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="events">Each event's type and JSON payload.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The appended events, in order (empty when <paramref name="events"/> is).</returns>
    /// <exception cref="Hosting.AgentHostException">Unknown session (<see cref="Hosting.ErrorKind.NotFound"/>).</exception>
    async Task<IReadOnlyList<JournalEvent>> WriteEventsAsync(string sessionId, IReadOnlyList<(string Type, string Json)> events, CancellationToken cancellationToken = default)
    {
        var first = await AppendEventsAsync(sessionId, events, cancellationToken).ConfigureAwait(false);
        return events.Count == 0 ? [] : await ReadEventsAsync(sessionId, first - 1, events.Count, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A session's events after an id, oldest first.</summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="afterId">The last id the reader has (0: from the start).</param>
    /// <param name="limit">At most this many (1 to 10,000).</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The events (empty when there are none after <paramref name="afterId"/>, or no such session).</returns>
    Task<IReadOnlyList<JournalEvent>> ReadEventsAsync(string sessionId, long afterId = 0, int limit = 1000, CancellationToken cancellationToken = default);

    /// <summary>The id of a session's newest event.</summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The id; 0 when the session has no event (or does not exist).</returns>
    Task<long> LastEventIdAsync(string sessionId, CancellationToken cancellationToken = default);

    /// <summary>Stores a run's state (a new run, or the same run later: replaced as a whole).</summary>
    /// <param name="run">The run.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>A task.</returns>
    /// <exception cref="Hosting.AgentHostException">Unknown session (<see cref="Hosting.ErrorKind.NotFound"/>).</exception>
    Task SaveRunAsync(StoredRun run, CancellationToken cancellationToken = default);

    /// <summary>Reads a run.</summary>
    /// <param name="runId">The run id.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The run, or <see langword="null"/>.</returns>
    Task<StoredRun?> FindRunAsync(string runId, CancellationToken cancellationToken = default);

    /// <summary>A session's runs stored as <c>running</c> (after a crash: the runs the dead process never ended).</summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The runs, oldest first (empty when none).</returns>
    Task<IReadOnlyList<StoredRun>> FindRunningRunsAsync(string sessionId, CancellationToken cancellationToken = default);
}

/// <summary>One event of a session's journal.</summary>
/// <param name="SessionId">The session.</param>
/// <param name="Id">Its id within the session (1, 2, 3, … in append order).</param>
/// <param name="Type">Its type, e.g. <c>run.ended</c>.</param>
/// <param name="Json">Its payload as stored (scrubbed).</param>
/// <param name="At">When it was appended.</param>
public sealed record JournalEvent(string SessionId, long Id, string Type, string Json, DateTimeOffset At);

/// <summary>A run's state as stored: its id, session and status, and the document a client reads (<c>GET /v1/runs/{id}</c>).</summary>
/// <param name="Id">The run id.</param>
/// <param name="SessionId">The session it ran in.</param>
/// <param name="Status">Its status (<c>running</c>, <c>completed</c>, <c>failed</c>, …).</param>
/// <param name="Json">The run as a client sees it (scrubbed when stored).</param>
public sealed record StoredRun(string Id, string SessionId, string Status, string Json)
{
    /// <summary>When it was first stored (set by the store).</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When it was last stored (set by the store).</summary>
    public DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>
/// Tells a process when any process appended to a session's journal, so that a reader of a session's stream on one server
/// follows events another server writes (a shared PostgreSQL store: <c>LISTEN</c>/<c>NOTIFY</c>; docs/cluster.md).
/// </summary>
public interface IJournalAppendListener
{
    /// <summary>Starts listening.</summary>
    /// <param name="appended">
    /// Called with the id of a session whose journal grew (after the write committed), or with <see langword="null"/> when
    /// notices may have been missed (the listening connection broke and was opened again): every reader should look again.
    /// Called on a background thread; it must not block.
    /// </param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>What stops listening when disposed; <see langword="null"/> when the store cannot tell (SQLite: one server per file).</returns>
    Task<IAsyncDisposable?> ListenAsync(Action<string?> appended, CancellationToken cancellationToken = default);
}
