using System.Data.Common;
using AgentHost.Sessions.Sql;
using static AgentHost.Sessions.Sql.SessionDatabase;

namespace AgentHost.Sessions.Journal;

/// <summary>Usage statistics of the stored sessions: per session, per model and per tool (<see cref="Store.SessionStore.Stats"/>).</summary>
/// <remarks>Thread-safe; read-only (each summary is one read transaction, so its parts see the same snapshot).</remarks>
internal sealed class SessionStats : ISessionStats
{
    /// <summary>Statuses that count as tool failures (cancelled and denied calls do not).</summary>
    private const string FailedStatuses = "('failed', 'timedout')";

    /// <summary>One row per session in scope with its message, run and tool counts.</summary>
    private const string PerSessionSql = $"""
        WITH scope AS (
            SELECT id FROM sessions WHERE CAST(@workspace AS TEXT) IS NULL OR workspace = @workspace
        ),
        msg AS (
            SELECT m.session_id,
                   COUNT(*) AS messages,
                   SUM(CASE WHEN m.role = 'user' AND m.is_summary = 0 THEN 1 ELSE 0 END) AS runs
            FROM messages m
            WHERE m.session_id IN (SELECT id FROM scope)
            GROUP BY m.session_id
        ),
        tev AS (
            SELECT t.session_id,
                   COUNT(*) AS calls,
                   SUM(CASE WHEN t.status IN {FailedStatuses} THEN 1 ELSE 0 END) AS failures
            FROM tool_events t
            WHERE t.session_id IN (SELECT id FROM scope)
            GROUP BY t.session_id
        ),
        per_session AS (
            SELECT s.id, s.title, s.workspace, s.provider, s.model, s.updated_at,
                   COALESCE(msg.runs, 0) AS runs, COALESCE(msg.messages, 0) AS messages,
                   s.input_tokens, s.output_tokens, s.cached_tokens, s.cost_nanousd,
                   COALESCE(tev.calls, 0) AS tool_calls, COALESCE(tev.failures, 0) AS tool_failures, s.reasoning_tokens
            FROM sessions s
            LEFT JOIN msg ON msg.session_id = s.id
            LEFT JOIN tev ON tev.session_id = s.id
            WHERE s.id IN (SELECT id FROM scope)
        )
        """;

    private const string TotalsSql = PerSessionSql + """
        SELECT COUNT(*), COUNT(DISTINCT workspace), COALESCE(SUM(runs), 0), COALESCE(SUM(messages), 0),
               COALESCE(SUM(input_tokens), 0), COALESCE(SUM(output_tokens), 0), COALESCE(SUM(cached_tokens), 0),
               SUM(cost_nanousd), COALESCE(SUM(tool_calls), 0), COALESCE(SUM(tool_failures), 0), COALESCE(SUM(reasoning_tokens), 0)
        FROM per_session
        """;

    private const string ModelsSql = PerSessionSql + """
        SELECT provider, model, COUNT(*), SUM(runs), SUM(input_tokens), SUM(output_tokens), SUM(cached_tokens), SUM(cost_nanousd), SUM(reasoning_tokens)
        FROM per_session
        GROUP BY provider, model
        ORDER BY SUM(input_tokens) + SUM(output_tokens) DESC, COUNT(*) DESC, provider, model
        """;

    private const string SessionsSql = PerSessionSql + """
        SELECT id, title, workspace, provider, model, updated_at, runs, messages, input_tokens, output_tokens,
               cached_tokens, cost_nanousd, tool_calls, tool_failures, reasoning_tokens
        FROM per_session
        ORDER BY updated_at DESC, id DESC
        """;

    private const string ToolsSql = $"""
        SELECT t.tool, t.plugin, COUNT(*),
               SUM(CASE WHEN t.status IN {FailedStatuses} THEN 1 ELSE 0 END),
               SUM(CASE WHEN t.status = 'denied' THEN 1 ELSE 0 END),
               SUM(t.duration_ms), AVG(t.duration_ms), MAX(t.duration_ms)
        FROM tool_events t
        JOIN sessions s ON s.id = t.session_id
        WHERE CAST(@workspace AS TEXT) IS NULL OR s.workspace = @workspace
        GROUP BY t.tool, t.plugin
        ORDER BY COUNT(*) DESC, t.tool, t.plugin
        """;

    private readonly SessionDatabase _database;

    internal SessionStats(SessionDatabase database) => _database = database;

    /// <summary>
    /// Summarises usage: totals, per provider/model (the model each session was started with), per tool and per
    /// session. A run is a prompt (a user message that is not a compaction summary); tool failures are calls that
    /// failed or timed out (denied calls are counted apart).
    /// </summary>
    /// <param name="workspace">Only this project root's sessions; <see langword="null"/> for every workspace.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The summary (all zeros when there are no sessions).</returns>
    public Task<UsageStats> GetUsageStatsAsync(string? workspace = null, CancellationToken cancellationToken = default)
    {
        var normalized = workspace is null ? null : SessionRows.NormalizeWorkspace(workspace);
        return _database.ReadAsync(
            connection =>
            {
                // One read transaction: the four queries see the same snapshot.
                using var transaction = _database.BeginSnapshot(connection);
                var totals = ReadRows(connection, transaction, TotalsSql, normalized, r => new UsageTotals(
                    r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3), r.GetInt64(4), r.GetInt64(5), r.GetInt64(6), Dollars(r, 7), r.GetInt64(8), r.GetInt64(9)) { ReasoningTokens = r.GetInt64(10) })[0];
                var models = ReadRows(connection, transaction, ModelsSql, normalized, r => new ModelUsage(
                    OptionalText(r, 0), OptionalText(r, 1), r.GetInt64(2), r.GetInt64(3), r.GetInt64(4), r.GetInt64(5), r.GetInt64(6), Dollars(r, 7)) { ReasoningTokens = r.GetInt64(8) });
                var tools = ReadRows(connection, transaction, ToolsSql, normalized, r => new ToolUsage(
                    r.GetString(0), OptionalText(r, 1), r.GetInt64(2), r.GetInt64(3), r.GetInt64(4), r.GetDouble(5), r.GetDouble(6), r.GetDouble(7)));
                var sessions = ReadRows(connection, transaction, SessionsSql, normalized, r => new SessionUsage(
                    r.GetString(0),
                    r.GetString(1),
                    r.GetString(2),
                    OptionalText(r, 3),
                    OptionalText(r, 4),
                    Time(r.GetInt64(5)),
                    r.GetInt64(6),
                    r.GetInt64(7),
                    r.GetInt64(8),
                    r.GetInt64(9),
                    r.GetInt64(10),
                    Dollars(r, 11),
                    r.GetInt64(12),
                    r.GetInt64(13)) { ReasoningTokens = r.GetInt64(14) });
                transaction.Commit();
                return new UsageStats(normalized, totals, models, tools, sessions);
            },
            cancellationToken);
    }

    private static List<T> ReadRows<T>(DbConnection connection, DbTransaction transaction, string sql, string? workspace, Func<DbDataReader, T> read)
    {
        using var command = Command(connection, transaction, sql, ("@workspace", workspace));
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    private static string? OptionalText(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static decimal? Dollars(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetInt64(ordinal) / 1_000_000_000m;
}
