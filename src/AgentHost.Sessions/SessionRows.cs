using System.Data.Common;
using static AgentHost.Sessions.SessionDatabase;

namespace AgentHost.Sessions;

/// <summary>
/// The <c>sessions</c> table's rows as the store and its parts read and write them: the column list, reading a row into
/// a <see cref="SessionInfo"/>, the stored spelling of a status, a workspace and the settings.
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

    public static string StatusText(SessionStatus status) => status.ToString().ToLowerInvariant();

    public static SessionStatus ParseStatus(string text) =>
        Enum.TryParse<SessionStatus>(text, ignoreCase: true, out var status) ? status : SessionStatus.Interrupted;
}
