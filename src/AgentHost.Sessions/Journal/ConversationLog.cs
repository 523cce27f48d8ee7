using System.Globalization;
using AgentHost.Sdk.Events;
using System.Data.Common;
using Microsoft.Extensions.AI;
using static AgentHost.Sessions.Sql.SessionDatabase;
using AgentHost.Hosting;
using AgentHost.Sessions.Sql;

namespace AgentHost.Sessions.Journal;

/// <summary>
/// The conversation log of the sessions: messages and tool events appended as a run produces them, the conversation
/// to resume, and history pages (<see cref="Store.SessionStore.Conversation"/>).
/// </summary>
/// <remarks>
/// Thread-safe; each session has one writer (<see cref="Store.SessionStore.Leases"/>), whose writes are fenced. It is the run's
/// <see cref="IConversationRecorder"/>: the session's status and token usage, which it also records, it writes to the
/// session row itself (the store's <see cref="Store.SessionStore.SetStatusAsync"/> and <see cref="Store.SessionStore.RecordUsageAsync"/>
/// are these). Texts, tool arguments and results are scrubbed of secrets and capped before they are stored.
/// </remarks>
public sealed class ConversationLog : IConversationLog
{
    /// <summary>The largest history page.</summary>
    public const int MaxPageSize = 1000;

    /// <summary>The keyset query of a message page (kept here so a test can check its plan uses the index).</summary>
    internal const string MessagePageSql =
        "SELECT id, session_id, seq, role, author_name, parts, properties, is_summary, created_at FROM messages WHERE session_id = @id AND seq > @after ORDER BY seq LIMIT @limit";

    internal const string ToolEventColumns =
        "session_id, seq, message_seq, call_id, tool, plugin, arguments, status, error, duration_ms, diff_summary, files, created_at";

    private const string ToolPageSql =
        $"SELECT {ToolEventColumns} FROM tool_events WHERE session_id = @id AND seq > @after ORDER BY seq LIMIT @limit";

    private const string InsertMessageSql =
        """
        INSERT INTO messages (id, session_id, seq, role, author_name, parts, properties, is_summary, created_at)
        VALUES (@id, @session, @seq, @role, @author, @parts, @properties, @summary, @created)
        """;

    private const int DefaultBatch = 500;

    private readonly SessionDatabase _database;

    internal ConversationLog(SessionDatabase database) => _database = database;

    /// <inheritdoc/>
    /// <remarks>
    /// The message gets the next sequence number of the session. Texts, tool arguments and results are scrubbed of
    /// secrets and capped; <see cref="ChatMessage.AdditionalProperties"/> are kept (a <see cref="IConversationRecorder.SummaryMarker"/>
    /// marks a compaction summary). The first user message titles a session that has no title yet.
    /// </remarks>
    public ValueTask<string> AppendMessageAsync(string sessionId, ChatMessage message, CancellationToken cancellationToken = default) =>
        AppendMessageAsync(sessionId, message, null, null, cancellationToken);

    /// <inheritdoc/>
    /// <remarks>One transaction: the message (as <see cref="AppendMessageAsync(string, ChatMessage, CancellationToken)"/>) and the usage.</remarks>
    public async ValueTask<string> AppendMessageAsync(string sessionId, ChatMessage message, UsageDetails? usage, decimal? cost, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        ArgumentNullException.ThrowIfNull(message);
        var pending = Encode(message);
        var now = _database.Now();
        List<SqlStatement> statements = [.. Insert(sessionId, pending, now)];
        if (usage is not null)
        {
            statements.AddRange(UsageRows.AddUsage(sessionId, usage, cost, now));
        }

        var sequence = (await _database.WriteSessionAsync(sessionId, statements, cancellationToken).ConfigureAwait(false))[1];
        SessionStoreLog.MessageStored(_database.Logger, pending.Id, sequence, pending.Role, sessionId);
        return pending.Id;
    }

    /// <inheritdoc/>
    public async ValueTask RecordToolEventAsync(ToolEventRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        var pending = Encode(record);
        var now = _database.Now();
        await _database.WriteSessionAsync(
            record.SessionId,
            [new SqlStatement(TouchSessionSql, ("@now", now), ("@id", record.SessionId)) { RequiresSession = true }, InsertToolEvent(record, pending, now)],
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    /// <remarks>One transaction: the message, then the event (whose message sequence is the message's).</remarks>
    public async ValueTask<string> AppendToolResultAsync(string sessionId, ChatMessage message, ToolEventRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(record);
        var pendingMessage = Encode(message);
        var pendingEvent = Encode(record);
        var now = _database.Now();
        var sequence = (await _database.WriteSessionAsync(
            sessionId,
            [.. Insert(sessionId, pendingMessage, now), InsertToolEvent(record, pendingEvent, now)],
            cancellationToken).ConfigureAwait(false))[1];
        SessionStoreLog.MessageStored(_database.Logger, pendingMessage.Id, sequence, pendingMessage.Role, sessionId);
        return pendingMessage.Id;
    }

    private const string TouchSessionSql = "UPDATE sessions SET updated_at = @now WHERE id = @id";

    private const string TouchAndTitleSql =
        "UPDATE sessions SET updated_at = @now, title = CASE WHEN title = '' THEN @title ELSE title END WHERE id = @id";

    /// <summary>A new message with the session's next sequence number, which it returns.</summary>
    private const string AppendMessageSql =
        """
        INSERT INTO messages (id, session_id, seq, role, author_name, parts, properties, is_summary, created_at)
        VALUES (@id, @session, (SELECT COALESCE(MAX(seq), 0) + 1 FROM messages WHERE session_id = @session),
            @role, @author, @parts, @properties, @summary, @created)
        RETURNING seq
        """;

    private const string InsertToolEventSql =
        $"""
        INSERT INTO tool_events ({ToolEventColumns})
        VALUES (@id,
            (SELECT COALESCE(MAX(seq), 0) + 1 FROM tool_events WHERE session_id = @id),
            (SELECT COALESCE(MAX(seq), 0) FROM messages WHERE session_id = @id),
            @call, @tool, @plugin, @arguments, @status, @error, @duration, @diff, @files, @now)
        """;

    /// <summary>A message scrubbed, capped and encoded outside the write (the write holds the database's lock).</summary>
    private PendingMessage Encode(ChatMessage message) => new(
        SessionIds.New(_database.Clock),
        message.Role.Value,
        _database.Codec.CleanOptional(message.AuthorName),
        _database.Codec.EncodeContents(message.Contents),
        _database.Codec.EncodeProperties(message.AdditionalProperties),
        ContentCodec.IsSummary(message),
        message.Role == ChatRole.User ? SessionTitles.FromPrompt(_database.Scrubber.Scrub(message.Text)) : string.Empty);

    private PendingToolEvent Encode(ToolEventRecord record) => new(
        _database.Codec.Clean(record.ArgumentsJson ?? string.Empty),
        _database.Codec.CleanOptional(record.Error),
        _database.Codec.CleanOptional(record.DiffSummary),
        StringJson.List(record.Files.Select(_database.Codec.Clean)));

    /// <summary>The statements that touch (and maybe title) the session and insert the message with the next sequence number (the second one returns it).</summary>
    private static SqlStatement[] Insert(string sessionId, PendingMessage message, long now) =>
    [
        new SqlStatement(TouchAndTitleSql, ("@now", now), ("@title", message.Title), ("@id", sessionId)) { RequiresSession = true },
        new SqlStatement(
            AppendMessageSql,
            ("@id", message.Id),
            ("@session", sessionId),
            ("@role", message.Role),
            ("@author", message.AuthorName),
            ("@parts", message.Parts),
            ("@properties", message.Properties),
            ("@summary", message.IsSummary ? 1 : 0),
            ("@created", now)) { Returns = true },
    ];

    private static SqlStatement InsertToolEvent(ToolEventRecord record, PendingToolEvent pending, long now) =>
        new(
            InsertToolEventSql,
            ("@id", record.SessionId),
            ("@call", record.CallId ?? string.Empty),
            ("@tool", record.Tool ?? string.Empty),
            ("@plugin", record.Plugin),
            ("@arguments", pending.Arguments),
            ("@status", ToolStatusText(record.Status)),
            ("@error", pending.Error),
            ("@duration", record.DurationMs),
            ("@diff", pending.Diff),
            ("@files", pending.Files),
            ("@now", now));

    private sealed record PendingMessage(string Id, string Role, string? AuthorName, string Parts, string? Properties, bool IsSummary, string Title);

    private sealed record PendingToolEvent(string Arguments, string? Error, string? Diff, string Files);

    /// <inheritdoc/>
    /// <remarks>The session row's counters and its owner's day, in one transaction.</remarks>
    public async ValueTask RecordUsageAsync(string sessionId, UsageDetails usage, decimal? cost, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        ArgumentNullException.ThrowIfNull(usage);
        await _database.WriteSessionAsync(sessionId, UsageRows.AddUsage(sessionId, usage, cost, _database.Now()), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    /// <remarks>The session row's status.</remarks>
    public async ValueTask SetStatusAsync(string sessionId, SessionStatus status, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        await _database.WriteSessionAsync(sessionId, [SessionRows.Update(sessionId, "status = @value", SessionRows.StatusText(status), _database.Now())], cancellationToken).ConfigureAwait(false);
    }

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
                using var transaction = _database.BeginSnapshot(connection);
                RequireSession(connection, transaction, sessionId);
                var start = ScalarLong(
                    connection,
                    transaction,
                    "SELECT COALESCE(MAX(seq), 0) FROM messages WHERE session_id = @id AND is_summary = 1",
                    ("@id", sessionId));
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
                using var transaction = _database.BeginSnapshot(connection);
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
        DbConnection connection,
        DbTransaction transaction,
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
            InsertMessageSql,
            ("@id", id),
            ("@session", sessionId),
            ("@seq", sequence),
            ("@role", role),
            ("@author", authorName),
            ("@parts", parts),
            ("@properties", properties),
            ("@summary", isSummary ? 1 : 0),
            ("@created", createdAt));
        insert.ExecuteNonQuery();
    }

    /// <summary>Messages with <c>after &lt; seq &lt;= upTo</c>, oldest first.</summary>
    private static List<StoredMessage> ReadMessages(DbConnection connection, DbTransaction? transaction, string sessionId, long after, long upTo, int limit, CancellationToken cancellationToken)
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
    internal static IEnumerable<StoredMessage> StreamMessages(DbConnection connection, DbTransaction? transaction, string sessionId, long after, CancellationToken cancellationToken, int batchSize = DefaultBatch)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = new List<StoredMessage>(batchSize);
            using (var command = Command(connection, transaction, MessagePageSql, ("@id", sessionId), ("@after", after), ("@limit", batchSize)))
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

    internal static List<StoredToolEvent> ReadToolEvents(DbConnection connection, DbTransaction? transaction, string sessionId, long after, int limit)
    {
        using var command = Command(connection, transaction, ToolPageSql, ("@id", sessionId), ("@after", after), ("@limit", limit));
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

    private static StoredMessage ReadMessageRow(DbDataReader reader)
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
