using AgentHost.Permissions;
using System.Data.Common;
using static AgentHost.Sessions.Sql.SessionDatabase;
using AgentHost.Hosting;
using AgentHost.Permissions.Gate;
using AgentHost.Sessions.Sql;

namespace AgentHost.Sessions.Audit;

/// <summary>
/// The permission side of the sessions (<see cref="Store.SessionStore.Audit"/>): the audit log of every permission decision,
/// the "allow for this session" grants, and the session's permission mode. The permission gate's
/// <see cref="IPermissionStore"/>.
/// </summary>
/// <remarks>Thread-safe. Audit subjects and reasons are scrubbed of secrets and capped before they are stored.</remarks>
public sealed class PermissionAudit : IPermissionAudit
{
    private const int MaxAuditSubjectBytes = 4 * 1024;

    private readonly SessionDatabase _database;

    internal PermissionAudit(SessionDatabase database) => _database = database;

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> GetGrantsAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        return _database.ReadAsync<IReadOnlyList<string>>(
            connection =>
            {
                using var command = Command(connection, null, "SELECT rule FROM permission_grants WHERE session_id = @id ORDER BY created_at, rowid", ("@id", sessionId));
                using var reader = command.ExecuteReader();
                var rules = new List<string>();
                while (reader.Read())
                {
                    rules.Add(reader.GetString(0));
                }

                return rules;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public async Task AddGrantsAsync(string sessionId, IReadOnlyList<string> rules, string grantedBy, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(grantedBy);
        var now = _database.Now();
        await _database.WriteSessionAsync(
            sessionId,
            (connection, transaction) =>
            {
                RequireSession(connection, transaction, sessionId);
                foreach (var rule in rules)
                {
                    using var command = Command(
                        connection,
                        transaction,
                        "INSERT INTO permission_grants (session_id, rule, granted_by, created_at) VALUES (@id, @rule, @by, @now) ON CONFLICT DO NOTHING",
                        ("@id", sessionId),
                        ("@rule", _database.Codec.Clean(rule)),
                        ("@by", grantedBy),
                        ("@now", now));
                    command.ExecuteNonQuery();
                }

                return 0;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes a grant from a session.</summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="rule">The rule text as granted.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>Whether the session had that grant.</returns>
    /// <exception cref="AgentHostException">Unknown session (<see cref="ErrorKind.NotFound"/>).</exception>
    public Task<bool> RemoveGrantAsync(string sessionId, string rule, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        ArgumentNullException.ThrowIfNull(rule);
        return _database.WriteSessionAsync(
            sessionId,
            (connection, transaction) =>
            {
                RequireSession(connection, transaction, sessionId);
                using var command = Command(connection, transaction, "DELETE FROM permission_grants WHERE session_id = @id AND rule = @rule", ("@id", sessionId), ("@rule", rule));
                return command.ExecuteNonQuery() > 0;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>A session setting (<see cref="SessionSettings.PermissionMode"/>).</remarks>
    public Task SetModeAsync(string sessionId, PermissionMode mode, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        return SessionRows.SetSettingAsync(_database, sessionId, SessionSettings.PermissionMode, mode.ToDisplayName(), cancellationToken);
    }

    /// <inheritdoc />
    public async Task RecordDecisionAsync(PermissionAuditEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var at = entry.At == default ? _database.Now() : entry.At.ToUnixTimeMilliseconds();
        await _database.WriteSessionAsync(
            entry.SessionId,
            (connection, transaction) =>
            {
                using var command = Command(
                    connection,
                    transaction,
                    """
                    INSERT INTO permission_audit (session_id, at, call_id, tool, plugin, action, subject, decision, scope, rule, mode, answered_by, reason, risk)
                    SELECT @session, @at, @call, @tool, @plugin, @action, @subject, @decision, @scope, @rule, @mode, @by, @reason, @risk
                    WHERE EXISTS (SELECT 1 FROM sessions WHERE id = @session)
                    """,
                    ("@session", entry.SessionId),
                    ("@at", at),
                    ("@call", entry.CallId),
                    ("@tool", entry.Tool),
                    ("@plugin", entry.Plugin),
                    ("@action", entry.Action),
                    ("@subject", entry.Subject is null ? null : PayloadLimiter.Cap(_database.Scrubber.Scrub(entry.Subject), MaxAuditSubjectBytes)),
                    ("@decision", entry.Decision),
                    ("@scope", entry.Scope),
                    ("@rule", _database.Codec.CleanOptional(entry.Rule)),
                    ("@mode", entry.Mode),
                    ("@by", entry.AnsweredBy),
                    ("@reason", _database.Codec.Clean(entry.Reason)),
                    ("@risk", entry.Risk));
                return command.ExecuteNonQuery();
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The session's permission decisions, oldest first.</summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="limit">The most recent this many; all when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The entries.</returns>
    /// <exception cref="AgentHostException">Unknown session (<see cref="ErrorKind.NotFound"/>).</exception>
    public Task<IReadOnlyList<PermissionAuditEntry>> GetAuditAsync(string sessionId, int? limit = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        return _database.ReadAsync<IReadOnlyList<PermissionAuditEntry>>(
            connection =>
            {
                RequireSession(connection, null, sessionId);
                using var command = Command(
                    connection,
                    null,
                    """
                    SELECT * FROM (
                        SELECT id, at, call_id, tool, plugin, action, subject, decision, scope, rule, mode, answered_by, reason, risk
                        FROM permission_audit WHERE session_id = @id ORDER BY id DESC LIMIT @limit
                    ) AS latest ORDER BY id
                    """,
                    ("@id", sessionId),
                    ("@limit", limit is > 0 ? limit.Value : int.MaxValue));
                using var reader = command.ExecuteReader();
                var entries = new List<PermissionAuditEntry>();
                while (reader.Read())
                {
                    entries.Add(ReadAuditEntry(reader, sessionId));
                }

                return entries;
            },
            cancellationToken);
    }

    private static PermissionAuditEntry ReadAuditEntry(DbDataReader reader, string sessionId) =>
        new(sessionId, reader.GetString(2), reader.GetString(3), reader.GetString(7), reader.GetString(8), reader.GetString(11))
        {
            At = Time(reader.GetInt64(1)),
            Plugin = reader.IsDBNull(4) ? null : reader.GetString(4),
            Action = reader.IsDBNull(5) ? null : reader.GetString(5),
            Subject = reader.IsDBNull(6) ? null : reader.GetString(6),
            Rule = reader.IsDBNull(9) ? null : reader.GetString(9),
            Mode = reader.GetString(10),
            Reason = reader.GetString(12),
            Risk = reader.IsDBNull(13) ? null : reader.GetString(13),
        };
}
