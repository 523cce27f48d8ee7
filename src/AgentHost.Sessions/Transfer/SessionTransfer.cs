using System.Data.Common;
using static AgentHost.Sessions.Journal.ConversationLog;
using static AgentHost.Sessions.Sql.SessionDatabase;
using static AgentHost.Sessions.Sql.SessionRows;
using AgentHost.Hosting;
using AgentHost.Sessions.Sql;

namespace AgentHost.Sessions.Transfer;

/// <summary>
/// Sessions in and out of the store (<see cref="Store.SessionStore.Transfer"/>): fork (a copy to continue from a message),
/// export (JSON Lines, Markdown) and import (JSON Lines, all or nothing).
/// </summary>
/// <remarks>
/// Thread-safe. An export reads one consistent snapshot and streams it in batches; an import is one transaction and
/// scrubs and caps every text again.
/// </remarks>
public sealed class SessionTransfer : ISessionTransfer
{
    private const int CopyBatch = 500;

    private readonly SessionDatabase _database;

    internal SessionTransfer(SessionDatabase database) => _database = database;

    /// <summary>
    /// Copies a session into a new one (status <see cref="SessionStatus.Completed"/>, ready to resume): its messages up
    /// to and including <paramref name="atMessageId"/> (all when <see langword="null"/>), the tool events recorded by
    /// then, its settings and its permission grants. The copy's parent is the source.
    /// </summary>
    /// <param name="sessionId">The source session.</param>
    /// <param name="atMessageId">The last message to copy: an id or a unique prefix of one in the session.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The new session.</returns>
    /// <exception cref="AgentHostException">Unknown session or message (<see cref="ErrorKind.NotFound"/>).</exception>
    public async Task<SessionInfo> ForkAsync(string sessionId, string? atMessageId = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        var forkId = SessionIds.New(_database.Clock);
        await _database.WriteAsync(
            (connection, transaction) =>
            {
                var source = GetSession(connection, transaction, sessionId);
                var (cut, forkMessageId) = ForkPoint(connection, transaction, source, atMessageId);
                var now = _database.Now();
                using (var insert = Command(
                    connection,
                    transaction,
                    """
                    INSERT INTO sessions (id, title, workspace, provider, model, status, parent_id, fork_message_id, created_at, updated_at, settings)
                    SELECT @fork, CASE WHEN title = '' THEN '' ELSE title || ' (fork)' END, workspace, provider, model, @status, id, @message, @now, @now, settings
                    FROM sessions WHERE id = @id
                    """,
                    ("@fork", forkId),
                    ("@status", StatusText(SessionStatus.Completed)),
                    ("@message", forkMessageId),
                    ("@now", now),
                    ("@id", source.Id)))
                {
                    insert.ExecuteNonQuery();
                }

                CopyMessages(connection, transaction, source.Id, forkId, cut, cancellationToken);
                using (var grants = Command(
                    connection,
                    transaction,
                    "INSERT INTO permission_grants (session_id, rule, granted_by, created_at) SELECT @fork, rule, granted_by, created_at FROM permission_grants WHERE session_id = @id",
                    ("@fork", forkId),
                    ("@id", source.Id)))
                {
                    grants.ExecuteNonQuery();
                }

                using var tools = Command(
                    connection,
                    transaction,
                    $"""
                    INSERT INTO tool_events ({ToolEventColumns})
                    SELECT @fork, seq, message_seq, call_id, tool, plugin, arguments, status, error, duration_ms, diff_summary, files, created_at
                    FROM tool_events WHERE session_id = @id AND message_seq <= @cut ORDER BY seq
                    """,
                    ("@fork", forkId),
                    ("@id", source.Id),
                    ("@cut", cut));
                return tools.ExecuteNonQuery();
            },
            cancellationToken).ConfigureAwait(false);
        SessionStoreLog.Created(_database.Logger, forkId, "(fork of " + sessionId + ")");
        return await _database.ReadAsync(connection => GetSession(connection, null, forkId), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes a session as JSON Lines: a <c>session</c> header line, its messages, then its tool events.</summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="writer">Where to write.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>A task.</returns>
    public Task ExportJsonlAsync(string sessionId, TextWriter writer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(writer);
        return ExportAsync(
            sessionId,
            (session, messages, tools) =>
            {
                writer.WriteLine(SessionJsonl.Line(SessionJsonl.ToLine(session)));
                foreach (var message in messages)
                {
                    writer.WriteLine(SessionJsonl.Line(SessionJsonl.ToLine(message)));
                }

                foreach (var tool in tools)
                {
                    writer.WriteLine(SessionJsonl.Line(SessionJsonl.ToLine(tool)));
                }
            },
            cancellationToken);
    }

    /// <summary>Writes a session as a readable Markdown transcript (metadata, messages, a table of tool events).</summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="writer">Where to write.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>A task.</returns>
    public Task ExportMarkdownAsync(string sessionId, TextWriter writer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(writer);
        return ExportAsync(
            sessionId,
            (session, messages, tools) =>
            {
                SessionMarkdown.WriteHeader(writer, session);
                foreach (var message in messages)
                {
                    SessionMarkdown.WriteMessage(writer, message);
                }

                SessionMarkdown.WriteToolEvents(writer, [.. tools]);
            },
            cancellationToken);
    }

    /// <summary>
    /// Imports a JSON Lines export as one session (all or nothing), and says whether the export's id was taken (the
    /// session then got a new id, and its messages new ids; nothing stored before is changed).
    /// </summary>
    /// <param name="reader">The export.</param>
    /// <param name="sourceName">The file name, for error messages.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The imported session and the id the export asked for.</returns>
    /// <exception cref="AgentHostException">The input is not a session export (<see cref="ErrorKind.Usage"/>, with the line).</exception>
    public async Task<SessionImportResult> ImportAsync(TextReader reader, string? sourceName = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var import = await SessionImport.ReadAsync(reader, sourceName ?? "input", cancellationToken).ConfigureAwait(false);
        var header = import.Header;
        var messages = import.Messages
            .Select(m => (Line: m, Parts: _database.Codec.EncodeContents(m.Contents ?? []), Properties: _database.Codec.EncodeProperties(m.AdditionalProperties)))
            .ToList();
        var id = await _database.WriteAsync(
            (connection, transaction) =>
            {
                var keep = SessionIds.Normalize(header.Id ?? string.Empty) is var wanted && SessionIds.IsValid(wanted) && !Exists(connection, transaction, wanted);
                var sessionId = keep ? wanted : SessionIds.New(_database.Clock);
                // Message ids are global: keep them only when every one is well formed, unique and not stored yet.
                var keepMessageIds = keep && KeepsMessageIds(connection, transaction, messages.Select(m => m.Line.Id));
                var parent = header.ParentId is { } p && Exists(connection, transaction, p) ? p : null;
                using (var insert = Command(
                    connection,
                    transaction,
                    """
                    INSERT INTO sessions (id, title, workspace, provider, model, status, parent_id, fork_message_id, created_at, updated_at,
                        input_tokens, output_tokens, cached_tokens, cost_nanousd, settings, reasoning_tokens)
                    VALUES (@id, @title, @workspace, @provider, @model, @status, @parent, @fork, @created, @updated, @in, @out, @cached, @cost, @settings, @reasoning)
                    """,
                    ("@id", sessionId),
                    ("@title", _database.Codec.Clean(header.Title ?? string.Empty)),
                    ("@workspace", NormalizeWorkspace(header.Workspace)),
                    ("@provider", header.Provider),
                    ("@model", header.Model),
                    ("@status", StatusText(ParseStatus(header.Status ?? string.Empty) is var status && status == SessionStatus.Active ? SessionStatus.Interrupted : status)),
                    ("@parent", parent),
                    ("@fork", parent is null ? null : header.ForkMessageId),
                    ("@created", header.CreatedAt.ToUnixTimeMilliseconds()),
                    ("@updated", header.UpdatedAt.ToUnixTimeMilliseconds()),
                    ("@in", header.InputTokens),
                    ("@out", header.OutputTokens),
                    ("@cached", header.CachedTokens),
                    ("@reasoning", header.ReasoningTokens),
                    ("@cost", header.Cost is { } cost ? (long)decimal.Round(cost * 1_000_000_000m) : null),
                    ("@settings", StringJson.Map(CleanSettings(_database.Codec, header.Settings)))))
                {
                    insert.ExecuteNonQuery();
                }

                var sequence = 0L;
                foreach (var (line, parts, properties) in messages)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var messageId = keepMessageIds ? line.Id! : SessionIds.New(_database.Clock);
                    InsertMessage(connection, transaction, messageId, sessionId, ++sequence, line.Role ?? "user", _database.Codec.CleanOptional(line.AuthorName), parts, properties, line.Summary, line.CreatedAt.ToUnixTimeMilliseconds());
                }

                var toolSequence = 0L;
                foreach (var tool in import.Tools)
                {
                    using var command = Command(
                        connection,
                        transaction,
                        $"INSERT INTO tool_events ({ToolEventColumns}) VALUES (@id, @seq, @mseq, @call, @tool, @plugin, @arguments, @status, @error, @duration, @diff, @files, @created)",
                        ("@id", sessionId),
                        ("@seq", ++toolSequence),
                        ("@mseq", Math.Clamp(tool.MessageSeq, 0, sequence)),
                        ("@call", tool.CallId ?? string.Empty),
                        ("@tool", tool.Tool ?? string.Empty),
                        ("@plugin", tool.Plugin),
                        ("@arguments", _database.Codec.Clean(tool.Arguments ?? string.Empty)),
                        ("@status", ToolStatusText(ParseToolStatus(tool.Status ?? string.Empty))),
                        ("@error", _database.Codec.CleanOptional(tool.Error)),
                        ("@duration", tool.DurationMs),
                        ("@diff", _database.Codec.CleanOptional(tool.DiffSummary)),
                        ("@files", StringJson.List((tool.Files ?? []).Select(_database.Codec.Clean))),
                        ("@created", tool.CreatedAt.ToUnixTimeMilliseconds()));
                    command.ExecuteNonQuery();
                }

                return sessionId;
            },
            cancellationToken).ConfigureAwait(false);
        SessionStoreLog.Created(_database.Logger, id, "(imported)");
        var session = await _database.ReadAsync(connection => GetSession(connection, null, id), cancellationToken).ConfigureAwait(false);
        return new SessionImportResult(session, header.Id ?? string.Empty, id != SessionIds.Normalize(header.Id ?? string.Empty));
    }

    private static bool KeepsMessageIds(DbConnection connection, DbTransaction transaction, IEnumerable<string?> ids)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in ids)
        {
            if (id is null || !SessionIds.IsValid(id) || !seen.Add(id)
                || ScalarLong(connection, transaction, "SELECT COUNT(*) FROM messages WHERE id = @id", ("@id", id)) > 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Reads a consistent snapshot of a session and hands it to a writer.</summary>
    private Task<int> ExportAsync(string sessionId, Action<SessionInfo, IEnumerable<StoredMessage>, IEnumerable<StoredToolEvent>> write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        return _database.ReadAsync(
            connection =>
            {
                using var transaction = _database.BeginSnapshot(connection);
                var session = GetSession(connection, transaction, sessionId);
                write(session, StreamMessages(connection, transaction, sessionId, 0, cancellationToken), StreamToolEvents(connection, transaction, sessionId, cancellationToken));
                transaction.Commit();
                return 0;
            },
            cancellationToken);
    }

    private static IEnumerable<StoredToolEvent> StreamToolEvents(DbConnection connection, DbTransaction transaction, string sessionId, CancellationToken cancellationToken)
    {
        var after = 0L;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = ReadToolEvents(connection, transaction, sessionId, after, CopyBatch);
            foreach (var tool in batch)
            {
                yield return tool;
            }

            if (batch.Count < CopyBatch)
            {
                yield break;
            }

            after = batch[^1].Sequence;
        }
    }

    /// <summary>The last sequence number to copy and its message id.</summary>
    private static (long Cut, string? MessageId) ForkPoint(DbConnection connection, DbTransaction transaction, SessionInfo source, string? atMessageId)
    {
        string sql;
        object wanted;
        if (atMessageId is null)
        {
            sql = "SELECT seq, id FROM messages WHERE session_id = @id ORDER BY seq DESC LIMIT 1";
            wanted = string.Empty;
        }
        else
        {
            wanted = SessionIds.Normalize(atMessageId);
            sql = "SELECT seq, id FROM messages WHERE session_id = @id AND id >= @m AND id < @m || '~' ORDER BY id LIMIT 2";
        }

        var found = new List<(long Seq, string Id)>();
        using (var command = Command(connection, transaction, sql, ("@id", source.Id), ("@m", wanted)))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                found.Add((reader.GetInt64(0), reader.GetString(1)));
            }
        }

        if (found.Count == 0)
        {
            return atMessageId is null
                ? (0, null)
                : throw new AgentHostException(ErrorKind.NotFound, $"message '{atMessageId}' is not in session {source.Id}. See 'agent session history {source.Id}' for message ids.");
        }

        return found.Count == 1 || found.Any(f => f.Id == (string)wanted)
            ? found.First(f => found.Count == 1 || f.Id == (string)wanted)
            : throw new AgentHostException(ErrorKind.Usage, $"'{atMessageId}' matches several messages of session {source.Id}. Type more of the id.");
    }

    /// <summary>Copies messages with <c>seq &lt;= cut</c> in batches, giving each a new id.</summary>
    private void CopyMessages(DbConnection connection, DbTransaction transaction, string sourceId, string forkId, long cut, CancellationToken cancellationToken)
    {
        var after = 0L;
        while (after < cut)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var rows = new List<(long Seq, string Role, string? Author, string Parts, string? Properties, long Summary, long Created)>(CopyBatch);
            using (var read = Command(
                connection,
                transaction,
                "SELECT seq, role, author_name, parts, properties, is_summary, created_at FROM messages WHERE session_id = @id AND seq > @after AND seq <= @cut ORDER BY seq LIMIT @limit",
                ("@id", sourceId),
                ("@after", after),
                ("@cut", cut),
                ("@limit", CopyBatch)))
            using (var reader = read.ExecuteReader())
            {
                while (reader.Read())
                {
                    rows.Add((reader.GetInt64(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetInt64(5), reader.GetInt64(6)));
                }
            }

            if (rows.Count == 0)
            {
                break;
            }

            foreach (var row in rows)
            {
                InsertMessage(connection, transaction, SessionIds.New(_database.Clock), forkId, row.Seq, row.Role, row.Author, row.Parts, row.Properties, row.Summary != 0, row.Created);
            }

            after = rows[^1].Seq;
        }
    }
}
