using System.Data.Common;
using System.Globalization;
using System.Text;
using AgentHost.Hosting;
using AgentHost.Sessions.Sql;
using static AgentHost.Sessions.Sql.SessionDatabase;

namespace AgentHost.Sessions.Journal;

/// <summary>The event journal and stored runs of the sessions (<see cref="ISessionJournal"/>), on either engine.</summary>
/// <remarks>Thread-safe. Appends are session writes (fenced, and serialised per session), so ids are dense per session.</remarks>
internal sealed class SessionJournal : ISessionJournal, IJournalAppendListener
{
    /// <summary>The most events one read returns.</summary>
    public const int MaxReadLimit = 10_000;

    private readonly SessionDatabase _database;
    private readonly int _maxEventBytes;

    internal SessionJournal(SessionDatabase database, int maxEventBytes)
    {
        _database = database;
        _maxEventBytes = maxEventBytes;
    }

    /// <summary>
    /// An event with the session's next id, which it returns; nothing (no row returned) when there is no such session.
    /// The session's writes are serialised (its lock), so ids stay dense.
    /// </summary>
    private const string AppendEventSql =
        """
        INSERT INTO session_events (session_id, seq, type, data, created_at)
        SELECT @id, (SELECT COALESCE(MAX(seq), 0) + 1 FROM session_events WHERE session_id = @id), @type, @data, @now
        WHERE EXISTS (SELECT 1 FROM sessions WHERE id = @id)
        RETURNING seq
        """;

    /// <inheritdoc/>
    public async Task<long> AppendEventsAsync(string sessionId, IReadOnlyList<(string Type, string Json)> events, CancellationToken cancellationToken = default)
    {
        var written = await WriteEventsAsync(sessionId, events, cancellationToken).ConfigureAwait(false);
        return written.Count == 0 ? 0 : written[0].Id;
    }

    /// <inheritdoc/>
    /// <remarks>One session write: on PostgreSQL one round trip for all the events (and the session's lock and lease check), then the commit.</remarks>
    public async Task<IReadOnlyList<JournalEvent>> WriteEventsAsync(string sessionId, IReadOnlyList<(string Type, string Json)> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
        {
            return [];
        }

        var clean = events.Select(e => (e.Type, Json: Clean(e.Json))).ToList();
        var now = _database.Now();
        var ids = await _database.WriteSessionAsync(
            sessionId,
            [.. clean.Select((e, i) => new SqlStatement(AppendEventSql, ("@id", sessionId), ("@type", e.Type), ("@data", e.Json), ("@now", now)) { Returns = true, RequiresSession = i == 0 }),
             .. _database.EventsAppended(sessionId) is { } notice ? [notice] : Array.Empty<SqlStatement>()],
            cancellationToken).ConfigureAwait(false);
        var first = ids[0];
        var at = Time(now);
        return [.. clean.Select((e, i) => new JournalEvent(sessionId, first + i, e.Type, e.Json, at))];
    }

    /// <inheritdoc/>
    public Task<IAsyncDisposable?> ListenAsync(Action<string?> appended, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(appended);
        return _database.ListenForAppendsAsync(appended, cancellationToken);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<JournalEvent>> ReadEventsAsync(string sessionId, long afterId = 0, int limit = 1000, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        if (limit is < 1 or > MaxReadLimit)
        {
            throw new AgentHostException(ErrorKind.Usage, string.Create(CultureInfo.InvariantCulture, $"the event page size must be between 1 and {MaxReadLimit} (was {limit})."));
        }

        return _database.ReadAsync<IReadOnlyList<JournalEvent>>(
            connection =>
            {
                using var command = Command(
                    connection,
                    null,
                    "SELECT seq, type, data, created_at FROM session_events WHERE session_id = @id AND seq > @after ORDER BY seq LIMIT @limit",
                    ("@id", sessionId),
                    ("@after", afterId),
                    ("@limit", limit));
                using var reader = command.ExecuteReader();
                var events = new List<JournalEvent>();
                while (reader.Read())
                {
                    events.Add(new JournalEvent(sessionId, reader.GetInt64(0), reader.GetString(1), reader.GetString(2), Time(reader.GetInt64(3))));
                }

                return events;
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public Task<long> LastEventIdAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        return _database.ReadAsync(
            connection => ScalarLong(connection, null, "SELECT COALESCE(MAX(seq), 0) FROM session_events WHERE session_id = @id", ("@id", sessionId)),
            cancellationToken);
    }

    /// <inheritdoc/>
    public Task SaveRunAsync(StoredRun run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        var json = Clean(run.Json);
        var now = _database.Now();
        return _database.WriteSessionAsync(
            run.SessionId,
            [
                new SqlStatement(
                    """
                    INSERT INTO runs (id, session_id, status, data, created_at, updated_at)
                    SELECT @id, @session, @status, @data, @now, @now WHERE EXISTS (SELECT 1 FROM sessions WHERE id = @session)
                    ON CONFLICT (id) DO UPDATE SET status = excluded.status, data = excluded.data, updated_at = excluded.updated_at
                    """,
                    ("@id", run.Id),
                    ("@session", run.SessionId),
                    ("@status", run.Status),
                    ("@data", json),
                    ("@now", now)) { RequiresSession = true },
            ],
            cancellationToken);
    }

    /// <inheritdoc/>
    public Task<StoredRun?> FindRunAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        return _database.ReadAsync(
            connection =>
            {
                using var command = Command(connection, null, "SELECT id, session_id, status, data, created_at, updated_at FROM runs WHERE id = @id", ("@id", runId));
                using var reader = command.ExecuteReader();
                return reader.Read() ? ReadRun(reader) : null;
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<StoredRun>> FindRunningRunsAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        return _database.ReadAsync<IReadOnlyList<StoredRun>>(
            connection =>
            {
                using var command = Command(
                    connection,
                    null,
                    "SELECT id, session_id, status, data, created_at, updated_at FROM runs WHERE session_id = @id AND status = 'running' ORDER BY created_at, id",
                    ("@id", sessionId));
                using var reader = command.ExecuteReader();
                var runs = new List<StoredRun>();
                while (reader.Read())
                {
                    runs.Add(ReadRun(reader));
                }

                return runs;
            },
            cancellationToken);
    }

    private static StoredRun ReadRun(DbDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3)) { CreatedAt = Time(reader.GetInt64(4)), UpdatedAt = Time(reader.GetInt64(5)) };

    /// <summary>Scrubbed, and replaced by a marker when over the cap (a cut would not be JSON any more).</summary>
    private string Clean(string json)
    {
        var scrubbed = _database.Scrubber.Scrub(json);
        var bytes = Encoding.UTF8.GetByteCount(scrubbed);
        return bytes <= _maxEventBytes ? scrubbed : string.Create(CultureInfo.InvariantCulture, $"{{\"truncated\":true,\"bytes\":{bytes}}}");
    }
}
