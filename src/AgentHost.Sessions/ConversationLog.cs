using System.Globalization;
using AgentHost.Sdk.Events;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.AI;
using static AgentHost.Sessions.SessionDatabase;
using AgentHost.Hosting;

namespace AgentHost.Sessions;

/// <summary>
/// The conversation log of the sessions: messages and tool events appended as a run produces them, the conversation
/// to resume, and history pages (<see cref="SessionStore.Conversation"/>).
/// </summary>
/// <remarks>
/// Thread-safe; each session should have one writer (see <see cref="SessionStore.AcquireSession"/>). It is the run's
/// <see cref="IConversationRecorder"/>: the session's status and token usage, which it also records, are written to
/// the session row through <see cref="SessionStore"/>. Texts, tool arguments and results are scrubbed of secrets and
/// capped before they are stored.
/// </remarks>
public sealed class ConversationLog : IConversationRecorder
{
    /// <summary>The largest history page.</summary>
    public const int MaxPageSize = 1000;

    /// <summary>The keyset query of a message page (kept here so a test can check its plan uses the index).</summary>
    internal const string MessagePageSql =
        "SELECT id, session_id, seq, role, author_name, parts, properties, is_summary, created_at FROM messages WHERE session_id = $id AND seq > $after ORDER BY seq LIMIT $limit";

    internal const string ToolEventColumns =
        "session_id, seq, message_seq, call_id, tool, plugin, arguments, status, error, duration_ms, diff_summary, files, created_at";

    private const string ToolPageSql =
        $"SELECT {ToolEventColumns} FROM tool_events WHERE session_id = $id AND seq > $after ORDER BY seq LIMIT $limit";

    private const int DefaultBatch = 500;

    private readonly SessionDatabase _database;
    private readonly SessionStore _sessions;

    internal ConversationLog(SessionDatabase database, SessionStore sessions)
    {
        _database = database;
        _sessions = sessions;
    }

    /// <inheritdoc/>
    /// <remarks>
    /// The message gets the next sequence number of the session. Texts, tool arguments and results are scrubbed of
    /// secrets and capped; <see cref="ChatMessage.AdditionalProperties"/> are kept (a <see cref="IConversationRecorder.SummaryMarker"/>
    /// marks a compaction summary). The first user message titles a session that has no title yet.
    /// </remarks>
    public async ValueTask<string> AppendMessageAsync(string sessionId, ChatMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        ArgumentNullException.ThrowIfNull(message);
        var id = SessionIds.New(_database.Clock);
        var role = message.Role.Value;
        var parts = _database.Codec.EncodeContents(message.Contents);
        var properties = _database.Codec.EncodeProperties(message.AdditionalProperties);
        var title = message.Role == ChatRole.User ? SessionTitles.FromPrompt(_database.Scrubber.Scrub(message.Text)) : string.Empty;
        var sequence = await _database.WriteAsync(
            (connection, transaction) =>
            {
                var now = _database.Now();
                using (var touch = Command(
                    connection,
                    transaction,
                    "UPDATE sessions SET updated_at = $now, title = CASE WHEN title = '' THEN $title ELSE title END WHERE id = $id",
                    ("$now", now),
                    ("$title", title),
                    ("$id", sessionId)))
                {
                    if (touch.ExecuteNonQuery() == 0)
                    {
                        throw NotFound(connection, sessionId, transaction);
                    }
                }

                var next = ScalarLong(connection, transaction, "SELECT COALESCE(MAX(seq), 0) + 1 FROM messages WHERE session_id = $id", ("$id", sessionId));
                InsertMessage(connection, transaction, id, sessionId, next, role, _database.Codec.CleanOptional(message.AuthorName), parts, properties, ContentCodec.IsSummary(message), now);
                return next;
            },
            cancellationToken).ConfigureAwait(false);
        SessionStoreLog.MessageStored(_database.Logger, id, sequence, role, sessionId);
        return id;
    }

    /// <inheritdoc/>
    public async ValueTask RecordToolEventAsync(ToolEventRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        var arguments = _database.Codec.Clean(record.ArgumentsJson ?? string.Empty);
        var error = _database.Codec.CleanOptional(record.Error);
        var diff = _database.Codec.CleanOptional(record.DiffSummary);
        var files = StringJson.List(record.Files.Select(_database.Codec.Clean));
        await _database.WriteAsync(
            (connection, transaction) =>
            {
                RequireSession(connection, transaction, record.SessionId);
                var now = _database.Now();
                using var command = Command(
                    connection,
                    transaction,
                    $"""
                    INSERT INTO tool_events ({ToolEventColumns})
                    VALUES ($id,
                        (SELECT COALESCE(MAX(seq), 0) + 1 FROM tool_events WHERE session_id = $id),
                        (SELECT COALESCE(MAX(seq), 0) FROM messages WHERE session_id = $id),
                        $call, $tool, $plugin, $arguments, $status, $error, $duration, $diff, $files, $now);
                    UPDATE sessions SET updated_at = $now WHERE id = $id;
                    """,
                    ("$id", record.SessionId),
                    ("$call", record.CallId ?? string.Empty),
                    ("$tool", record.Tool ?? string.Empty),
                    ("$plugin", record.Plugin),
                    ("$arguments", arguments),
                    ("$status", ToolStatusText(record.Status)),
                    ("$error", error),
                    ("$duration", record.DurationMs),
                    ("$diff", diff),
                    ("$files", files),
                    ("$now", now));
                return command.ExecuteNonQuery();
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    /// <remarks>The session row's counters (<see cref="SessionStore.RecordUsageAsync"/>).</remarks>
    public ValueTask RecordUsageAsync(string sessionId, UsageDetails usage, decimal? cost, CancellationToken cancellationToken = default) =>
        _sessions.RecordUsageAsync(sessionId, usage, cost, cancellationToken);

    /// <inheritdoc/>
    /// <remarks>The session row's status (<see cref="SessionStore.SetStatusAsync"/>).</remarks>
    public ValueTask SetStatusAsync(string sessionId, SessionStatus status, CancellationToken cancellationToken = default) =>
        _sessions.SetStatusAsync(sessionId, status, cancellationToken);

    /// <summary>
    /// The conversation to resume: every message from the last compaction summary on (all messages when there is no
    /// summary), oldest first.
    /// </summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The messages, each with <see cref="ChatMessage.MessageId"/> set to the stored id.</returns>
    public Task<IReadOnlyList<ChatMessage>> LoadConversationAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        return _database.ReadAsync<IReadOnlyList<ChatMessage>>(
            connection =>
            {
                using var transaction = connection.BeginTransaction(deferred: true);
                RequireSession(connection, transaction, sessionId);
                var start = ScalarLong(
                    connection,
                    transaction,
                    "SELECT COALESCE(MAX(seq), 0) FROM messages WHERE session_id = $id AND is_summary = 1",
                    ("$id", sessionId));
                var messages = ReadMessages(connection, transaction, sessionId, Math.Max(0, start - 1), long.MaxValue, int.MaxValue, cancellationToken)
                    .Select(stored => stored.Message)
                    .ToList();
                transaction.Commit();
                return messages;
            },
            cancellationToken);
    }

    /// <summary>One page of a session's messages or tool events, oldest first (keyset pagination on the sequence number).</summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="kind">Messages or tool events.</param>
    /// <param name="limit">The page size (1 to <see cref="MaxPageSize"/>).</param>
    /// <param name="cursor">The <see cref="HistoryPage.NextCursor"/> of the previous page; <see langword="null"/> for the first.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The page.</returns>
    /// <exception cref="AgentHostException">Unknown session (<see cref="ErrorKind.NotFound"/>) or a malformed cursor (<see cref="ErrorKind.Usage"/>).</exception>
    public Task<HistoryPage> GetHistoryAsync(string sessionId, HistoryKind kind = HistoryKind.Messages, int limit = 50, string? cursor = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        if (limit is < 1 or > MaxPageSize)
        {
            throw new AgentHostException(ErrorKind.Usage, string.Create(CultureInfo.InvariantCulture, $"the page size must be between 1 and {MaxPageSize} (was {limit})."));
        }

        var after = ParseCursor(cursor);
        return _database.ReadAsync(
            connection =>
            {
                using var transaction = connection.BeginTransaction(deferred: true);
                RequireSession(connection, transaction, sessionId);
                HistoryPage page;
                if (kind == HistoryKind.Messages)
                {
                    var messages = ReadMessages(connection, transaction, sessionId, after, long.MaxValue, limit + 1, cancellationToken);
                    var more = messages.Count > limit;
                    var items = more ? messages.GetRange(0, limit) : messages;
                    page = new HistoryPage(kind, items, [], more ? Cursor(items[^1].Sequence) : null);
                }
                else
                {
                    var events = ReadToolEvents(connection, transaction, sessionId, after, limit + 1);
                    var more = events.Count > limit;
                    var items = more ? events.GetRange(0, limit) : events;
                    page = new HistoryPage(kind, [], items, more ? Cursor(items[^1].Sequence) : null);
                }

                transaction.Commit();
                return page;
            },
            cancellationToken);
    }

    internal static void InsertMessage(
        SqliteConnection connection,
        SqliteTransaction transaction,
        string id,
        string sessionId,
        long sequence,
        string role,
        string? authorName,
        string parts,
        string? properties,
        bool isSummary,
        long createdAt)
    {
        using var insert = Command(
            connection,
            transaction,
            """
            INSERT INTO messages (id, session_id, seq, role, author_name, parts, properties, is_summary, created_at)
            VALUES ($id, $session, $seq, $role, $author, $parts, $properties, $summary, $created)
            """,
            ("$id", id),
            ("$session", sessionId),
            ("$seq", sequence),
            ("$role", role),
            ("$author", authorName),
            ("$parts", parts),
            ("$properties", properties),
            ("$summary", isSummary ? 1 : 0),
            ("$created", createdAt));
        insert.ExecuteNonQuery();
    }

    /// <summary>Messages with <c>after &lt; seq &lt;= upTo</c>, oldest first.</summary>
    private static List<StoredMessage> ReadMessages(SqliteConnection connection, SqliteTransaction? transaction, string sessionId, long after, long upTo, int limit, CancellationToken cancellationToken)
    {
        var messages = new List<StoredMessage>();
        // Read no more rows than the page needs (plus one to see the end): decoding is most of a page's cost.
        foreach (var message in StreamMessages(connection, transaction, sessionId, after, cancellationToken, batchSize: limit >= DefaultBatch ? DefaultBatch : limit + 1))
        {
            if (message.Sequence > upTo || messages.Count >= limit)
            {
                break;
            }

            messages.Add(message);
        }

        return messages;
    }

    /// <summary>Every message after a sequence number, read lazily in pages of the keyset query.</summary>
    internal static IEnumerable<StoredMessage> StreamMessages(SqliteConnection connection, SqliteTransaction? transaction, string sessionId, long after, CancellationToken cancellationToken, int batchSize = DefaultBatch)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = new List<StoredMessage>(batchSize);
            using (var command = Command(connection, transaction, MessagePageSql, ("$id", sessionId), ("$after", after), ("$limit", batchSize)))
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    batch.Add(ReadMessageRow(reader));
                }
            }

            foreach (var message in batch)
            {
                yield return message;
            }

            if (batch.Count < batchSize)
            {
                yield break;
            }

            after = batch[^1].Sequence;
        }
    }

    internal static List<StoredToolEvent> ReadToolEvents(SqliteConnection connection, SqliteTransaction? transaction, string sessionId, long after, int limit)
    {
        using var command = Command(connection, transaction, ToolPageSql, ("$id", sessionId), ("$after", after), ("$limit", limit));
        using var reader = command.ExecuteReader();
        var events = new List<StoredToolEvent>();
        while (reader.Read())
        {
            events.Add(new StoredToolEvent(
                reader.GetString(0),
                reader.GetInt64(1),
                reader.GetString(3),
                reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetString(5),
                reader.GetString(6),
                ParseToolStatus(reader.GetString(7)),
                reader.GetDouble(9),
                Time(reader.GetInt64(12)))
            {
                MessageSequence = reader.GetInt64(2),
                Error = reader.IsDBNull(8) ? null : reader.GetString(8),
                DiffSummary = reader.IsDBNull(10) ? null : reader.GetString(10),
                Files = StringJson.ReadList(reader.GetString(11)),
            });
        }

        return events;
    }

    private static StoredMessage ReadMessageRow(SqliteDataReader reader)
    {
        var id = reader.GetString(0);
        var created = Time(reader.GetInt64(8));
        var message = new ChatMessage(new ChatRole(reader.GetString(3)), ContentCodec.DecodeContents(reader.GetString(5)))
        {
            AuthorName = reader.IsDBNull(4) ? null : reader.GetString(4),
            AdditionalProperties = ContentCodec.DecodeProperties(reader.IsDBNull(6) ? null : reader.GetString(6)),
            MessageId = id,
            CreatedAt = created,
        };
        return new StoredMessage(id, reader.GetString(1), reader.GetInt64(2), created, message) { IsSummary = reader.GetInt64(7) != 0 };
    }

    private static string Cursor(long sequence) => sequence.ToString(CultureInfo.InvariantCulture);

    private static long ParseCursor(string? cursor)
    {
        if (string.IsNullOrEmpty(cursor))
        {
            return 0;
        }

        return long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out var after)
            ? after
            : throw new AgentHostException(ErrorKind.Usage, $"'{cursor}' is not a history cursor. Use the 'next cursor' printed by the previous page.");
    }

    internal static string ToolStatusText(ToolCallStatus status) => status.ToString().ToLowerInvariant();

    internal static ToolCallStatus ParseToolStatus(string text) =>
        Enum.TryParse<ToolCallStatus>(text, ignoreCase: true, out var status) ? status : ToolCallStatus.Failed;
}
