using System.Data.Common;
using static AgentHost.Sessions.Sql.SessionDatabase;

namespace AgentHost.Sessions.Sql;

/// <summary>
/// The <c>sessions</c> table's rows as the store and its parts read and write them: the column list, reading a row into
/// a <see cref="SessionInfo"/>, the stored spelling of a status, a workspace and the settings, the update of one column
/// and of one setting, and the ids that start with a prefix.
/// </summary>
internal static class SessionRows
{
    public const string SessionColumns = """
        s.id, s.title, s.workspace, s.provider, s.model, s.status, s.parent_id, s.fork_message_id, s.created_at,
        s.updated_at, s.input_tokens, s.output_tokens, s.cached_tokens, s.cost_nanousd, s.settings,
        (SELECT COALESCE(MAX(m.seq), 0) FROM messages m WHERE m.session_id = s.id),
        (SELECT COALESCE(MAX(t.seq), 0) FROM tool_events t WHERE t.session_id = s.id), s.owner, s.name, s.reasoning_tokens
        """;

    public static Dictionary<string, string> CleanSettings(ContentCodec codec, IReadOnlyDictionary<string, string>? settings)
    {
        var clean = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            clean[SessionSettings.NormalizeKey(key)] = codec.Clean(value);
        }

        return clean;
    }

    public static string NormalizeWorkspace(string workspace)
    {
        var full = Path.GetFullPath(workspace);
        var root = Path.GetPathRoot(full) ?? string.Empty;
        return full.Length > root.Length ? full.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar) : full;
    }

    public static SessionInfo? ReadSession(DbConnection connection, DbTransaction? transaction, string sessionId)
    {
        using var command = Command(connection, transaction, $"SELECT {SessionColumns} FROM sessions s WHERE s.id = @id", ("@id", sessionId));
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadSessionRow(reader) : null;
    }

    /// <summary>Reads a session that must exist.</summary>
    /// <exception cref="AgentHost.Hosting.AgentHostException">There is no such session (<see cref="AgentHost.Hosting.ErrorKind.NotFound"/>, with close matches).</exception>
    public static SessionInfo GetSession(DbConnection connection, DbTransaction? transaction, string sessionId) =>
        ReadSession(connection, transaction, sessionId) ?? throw NotFound(connection, sessionId, transaction);

    public static SessionInfo ReadSessionRow(DbDataReader reader) =>
        new(
            reader.GetString(0),
            reader.GetString(1),
            reader.GetString(2),
            reader.IsDBNull(3) ? null : reader.GetString(3),
            reader.IsDBNull(4) ? null : reader.GetString(4),
            ParseStatus(reader.GetString(5)),
            Time(reader.GetInt64(8)),
            Time(reader.GetInt64(9)))
        {
            ParentId = reader.IsDBNull(6) ? null : reader.GetString(6),
            ForkMessageId = reader.IsDBNull(7) ? null : reader.GetString(7),
            InputTokens = reader.GetInt64(10),
            OutputTokens = reader.GetInt64(11),
            CachedTokens = reader.GetInt64(12),
            Cost = reader.IsDBNull(13) ? null : reader.GetInt64(13) / 1_000_000_000m,
            Settings = StringJson.ReadMap(reader.GetString(14)),
            MessageCount = reader.GetInt64(15),
            ToolEventCount = reader.GetInt64(16),
            Owner = reader.IsDBNull(17) ? null : reader.GetString(17),
            Name = reader.IsDBNull(18) ? null : reader.GetString(18),
            ReasoningTokens = reader.GetInt64(19),
        };

    /// <summary>The statement that sets one column of a session's row (<paramref name="assignment"/> uses <c>@value</c>) and its update time; it requires the session.</summary>
    public static SqlStatement Update(string sessionId, string assignment, object value, long now) =>
        new($"UPDATE sessions SET {assignment}, updated_at = @now WHERE id = @id", ("@value", value), ("@now", now), ("@id", sessionId)) { RequiresSession = true };

    /// <summary>Sets (or, with a <see langword="null"/> value, removes) one session setting, fenced like every session write.</summary>
    /// <param name="database">The store's database.</param>
    /// <param name="sessionId">The session.</param>
    /// <param name="normalizedKey">The key (<see cref="SessionSettings.NormalizeKey"/>).</param>
    /// <param name="value">The value (redacted), or <see langword="null"/> to remove.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The settings after the change.</returns>
    public static Task<IReadOnlyDictionary<string, string>> SetSettingAsync(SessionDatabase database, string sessionId, string normalizedKey, string? value, CancellationToken cancellationToken) =>
        database.WriteSessionAsync<IReadOnlyDictionary<string, string>>(
            sessionId,
            (connection, transaction) =>
            {
                var settings = new Dictionary<string, string>(GetSession(connection, transaction, sessionId).Settings, StringComparer.Ordinal);
                if (value is null)
                {
                    settings.Remove(normalizedKey);
                }
                else
                {
                    settings[normalizedKey] = database.Codec.Clean(value);
                }

                using var command = Command(
                    connection,
                    transaction,
                    "UPDATE sessions SET settings = @settings, updated_at = @now WHERE id = @id",
                    ("@settings", StringJson.Map(settings)),
                    ("@now", database.Now()),
                    ("@id", sessionId));
                command.ExecuteNonQuery();
                return settings;
            },
            cancellationToken);

    /// <summary>The ids of <paramref name="table"/> (<c>sessions</c> or <c>workflow_runs</c>) that start with <paramref name="prefix"/>, at most six, in order.</summary>
    /// <param name="connection">An open connection.</param>
    /// <param name="table">The table: one of the two with ULID ids (<see cref="SessionIds"/>).</param>
    /// <param name="prefix">The normalized prefix.</param>
    /// <returns>The matching ids.</returns>
    public static List<string> WithPrefix(DbConnection connection, string table, string prefix)
    {
        // The table is one of two constants, never input; ids sort as text, so a prefix is a range.
        var sql = table switch
        {
            "sessions" => "SELECT id FROM sessions WHERE id >= @p AND id < @p || '~' ORDER BY id LIMIT 6",
            "workflow_runs" => "SELECT id FROM workflow_runs WHERE id >= @p AND id < @p || '~' ORDER BY id LIMIT 6",
            _ => throw new ArgumentOutOfRangeException(nameof(table), table, "not a table with ULID ids"),
        };
        var matches = new List<string>();
        using var command = Command(connection, null, sql, ("@p", prefix));
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            matches.Add(reader.GetString(0));
        }

        return matches;
    }

    public static string StatusText(SessionStatus status) => status.ToString().ToLowerInvariant();

    public static SessionStatus ParseStatus(string text) =>
        Enum.TryParse<SessionStatus>(text, ignoreCase: true, out var status) ? status : SessionStatus.Interrupted;
}
