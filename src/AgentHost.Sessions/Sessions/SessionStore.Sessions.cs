using System.Text.Json;
using AgentHost.Kernel.Agent;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.AI;

namespace AgentHost.Kernel.Sessions;

/// <content>Sessions: create, read, list, rename, delete, prune, settings, usage and status.</content>
public sealed partial class SessionStore
{
    /// <summary>Creates a session (status <see cref="SessionStatus.Active"/>).</summary>
    /// <param name="session">What it starts with.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The stored session.</returns>
    public async Task<SessionInfo> CreateSessionAsync(NewSession session, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentException.ThrowIfNullOrWhiteSpace(session.Workspace);
        var id = SessionIds.New(_time);
        var workspace = NormalizeWorkspace(session.Workspace);
        var settings = CleanSettings(session.Settings);
        var now = Now();
        await WriteAsync(
            (connection, transaction) =>
            {
                using var command = Command(
                    connection,
                    transaction,
                    """
                    INSERT INTO sessions (id, title, workspace, provider, model, status, created_at, updated_at, settings)
                    VALUES ($id, $title, $workspace, $provider, $model, $status, $now, $now, $settings)
                    """,
                    ("$id", id),
                    ("$title", SessionTitles.FromPrompt(session.Prompt is { } prompt ? _scrubber.Scrub(prompt) : null)),
                    ("$workspace", workspace),
                    ("$provider", session.Provider),
                    ("$model", session.Model),
                    ("$status", StatusText(SessionStatus.Active)),
                    ("$now", now),
                    ("$settings", StringJson.Map(settings)));
                return command.ExecuteNonQuery();
            },
            cancellationToken).ConfigureAwait(false);
        SessionStoreLog.Created(_logger, id, workspace);
        return await GetSessionAsync(id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads a session.</summary>
    /// <param name="sessionId">The full id (see <see cref="ResolveIdAsync"/> for prefixes).</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The session, or <see langword="null"/> when there is none.</returns>
    public Task<SessionInfo?> FindSessionAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        return ReadAsync(connection => ReadSession(connection, null, sessionId), cancellationToken);
    }

    /// <summary>Reads a session that must exist.</summary>
    /// <param name="sessionId">The full id.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The session.</returns>
    /// <exception cref="AgentHostException">There is no such session (<see cref="ErrorKind.NotFound"/>).</exception>
    public Task<SessionInfo> GetSessionAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        return ReadAsync(connection => ReadSession(connection, null, sessionId) ?? throw NotFound(connection, sessionId), cancellationToken);
    }

    /// <summary>Lists sessions, most recently updated first.</summary>
    /// <param name="workspace">Only this project root's sessions; <see langword="null"/> for every workspace.</param>
    /// <param name="limit">At most this many; <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The sessions.</returns>
    public Task<IReadOnlyList<SessionInfo>> ListSessionsAsync(string? workspace = null, int? limit = null, CancellationToken cancellationToken = default)
    {
        var normalized = workspace is null ? null : NormalizeWorkspace(workspace);
        return ReadAsync<IReadOnlyList<SessionInfo>>(
            connection =>
            {
                using var command = Command(
                    connection,
                    null,
                    $"SELECT {SessionColumns} FROM sessions s WHERE ($workspace IS NULL OR s.workspace = $workspace) ORDER BY s.updated_at DESC, s.id DESC LIMIT $limit",
                    ("$workspace", normalized),
                    ("$limit", limit ?? -1));
                using var reader = command.ExecuteReader();
                var sessions = new List<SessionInfo>();
                while (reader.Read())
                {
                    sessions.Add(ReadSessionRow(reader));
                }

                return sessions;
            },
            cancellationToken);
    }

    /// <summary>Sets the title (redacted), e.g. a model-generated one, or a user's rename.</summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="title">The title.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>A task.</returns>
    public Task SetTitleAsync(string sessionId, string title, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        ArgumentNullException.ThrowIfNull(title);
        var clean = _codec.Clean(string.Join(' ', title.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)));
        return UpdateSessionAsync(sessionId, "title = $value", clean, cancellationToken);
    }

    /// <inheritdoc/>
    public async ValueTask SetStatusAsync(string sessionId, SessionStatus status, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        await UpdateSessionAsync(sessionId, "status = $value", StatusText(status), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask RecordUsageAsync(string sessionId, UsageDetails usage, decimal? cost, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        ArgumentNullException.ThrowIfNull(usage);
        long? nanos = cost is { } dollars ? (long)decimal.Round(dollars * 1_000_000_000m, MidpointRounding.AwayFromZero) : null;
        await WriteAsync(
            (connection, transaction) =>
            {
                using var command = Command(
                    connection,
                    transaction,
                    """
                    UPDATE sessions SET
                        input_tokens = input_tokens + $input,
                        output_tokens = output_tokens + $output,
                        cached_tokens = cached_tokens + $cached,
                        cost_nanousd = CASE WHEN $cost IS NULL THEN cost_nanousd ELSE COALESCE(cost_nanousd, 0) + $cost END,
                        updated_at = $now
                    WHERE id = $id
                    """,
                    ("$input", usage.InputTokenCount ?? 0),
                    ("$output", usage.OutputTokenCount ?? 0),
                    ("$cached", usage.CachedInputTokenCount ?? 0),
                    ("$cost", nanos),
                    ("$now", Now()),
                    ("$id", sessionId));
                return command.ExecuteNonQuery() == 0 ? throw NotFound(connection, sessionId, transaction) : 1;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes a session with its messages and tool events; forks of it keep their copies and lose the parent link.</summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>Whether a session was deleted.</returns>
    /// <exception cref="AgentHostException">A run is writing the session (<see cref="ErrorKind.InUse"/>).</exception>
    public async Task<bool> DeleteSessionAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        using var lease = Directory.Exists(LocksDirectory)
            ? StorageErrors.Guard(LocksDirectory, StorageErrors.Locks, () => SessionLease.TryAcquire(LocksDirectory, sessionId, deleteOnRelease: true, writeOwner: false)) ?? throw InUse(sessionId)
            : null;
        var deleted = await WriteAsync(
            (connection, transaction) =>
            {
                using var command = Command(connection, transaction, "DELETE FROM sessions WHERE id = $id", ("$id", sessionId));
                return command.ExecuteNonQuery();
            },
            cancellationToken).ConfigureAwait(false);
        if (deleted > 0)
        {
            SessionStoreLog.Deleted(_logger, sessionId);
        }

        return deleted > 0;
    }

    /// <summary>Counts the sessions (of every workspace) not updated for <paramref name="olderThan"/>.</summary>
    /// <param name="olderThan">The age.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>How many <see cref="PruneAsync"/> would delete.</returns>
    public Task<int> CountOlderThanAsync(TimeSpan olderThan, CancellationToken cancellationToken = default)
    {
        var cutoff = Cutoff(olderThan);
        return ReadAsync(
            connection => (int)ScalarLong(connection, null, "SELECT COUNT(*) FROM sessions WHERE updated_at < $cutoff", ("$cutoff", cutoff.ToUnixTimeMilliseconds())),
            cancellationToken);
    }

    /// <summary>Deletes the sessions (of every workspace) not updated for <paramref name="olderThan"/>.</summary>
    /// <param name="olderThan">The age, e.g. 30 days.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>How many sessions were deleted.</returns>
    public async Task<int> PruneAsync(TimeSpan olderThan, CancellationToken cancellationToken = default)
    {
        var cutoff = Cutoff(olderThan);
        var deleted = await WriteAsync(
            (connection, transaction) =>
            {
                var ids = new List<string>();
                using (var command = Command(connection, transaction, "DELETE FROM sessions WHERE updated_at < $cutoff RETURNING id", ("$cutoff", cutoff.ToUnixTimeMilliseconds())))
                using (var reader = command.ExecuteReader())
                {
                    while (reader.Read())
                    {
                        ids.Add(reader.GetString(0));
                    }
                }

                return ids;
            },
            cancellationToken).ConfigureAwait(false);
        if (Directory.Exists(LocksDirectory))
        {
            foreach (var id in deleted)
            {
                SessionLease.Forget(LocksDirectory, id);
            }
        }

        SessionStoreLog.Pruned(_logger, deleted.Count, cutoff);
        return deleted.Count;
    }

    /// <summary>Reads a session's settings.</summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The settings (key → value).</returns>
    public async Task<IReadOnlyDictionary<string, string>> GetSettingsAsync(string sessionId, CancellationToken cancellationToken = default) =>
        (await GetSessionAsync(sessionId, cancellationToken).ConfigureAwait(false)).Settings;

    /// <summary>Sets (or, with a <see langword="null"/> value, removes) one session setting.</summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="key">The key, e.g. <c>max_steps</c> (a <c>session.</c> prefix is dropped).</param>
    /// <param name="value">The value (redacted), or <see langword="null"/> to remove.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The settings after the change.</returns>
    public Task<IReadOnlyDictionary<string, string>> SetSettingAsync(string sessionId, string key, string? value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        var normalized = SessionSettings.NormalizeKey(key);
        return WriteAsync<IReadOnlyDictionary<string, string>>(
            (connection, transaction) =>
            {
                var settings = new Dictionary<string, string>((ReadSession(connection, transaction, sessionId) ?? throw NotFound(connection, sessionId, transaction)).Settings, StringComparer.Ordinal);
                if (value is null)
                {
                    settings.Remove(normalized);
                }
                else
                {
                    settings[normalized] = _codec.Clean(value);
                }

                using var command = Command(
                    connection,
                    transaction,
                    "UPDATE sessions SET settings = $settings, updated_at = $now WHERE id = $id",
                    ("$settings", StringJson.Map(settings)),
                    ("$now", Now()),
                    ("$id", sessionId));
                command.ExecuteNonQuery();
                return settings;
            },
            cancellationToken);
    }

    private async Task UpdateSessionAsync(string sessionId, string assignment, object value, CancellationToken cancellationToken) =>
        await WriteAsync(
            (connection, transaction) =>
            {
                using var command = Command(
                    connection,
                    transaction,
                    $"UPDATE sessions SET {assignment}, updated_at = $now WHERE id = $id",
                    ("$value", value),
                    ("$now", Now()),
                    ("$id", sessionId));
                return command.ExecuteNonQuery() == 0 ? throw NotFound(connection, sessionId, transaction) : 1;
            },
            cancellationToken).ConfigureAwait(false);

    private DateTimeOffset Cutoff(TimeSpan olderThan)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(olderThan, TimeSpan.Zero);
        return _time.GetUtcNow() - olderThan;
    }

    private Dictionary<string, string> CleanSettings(IReadOnlyDictionary<string, string>? settings)
    {
        var clean = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            clean[SessionSettings.NormalizeKey(key)] = _codec.Clean(value);
        }

        return clean;
    }

    private static string NormalizeWorkspace(string workspace)
    {
        var full = Path.GetFullPath(workspace);
        var root = Path.GetPathRoot(full) ?? string.Empty;
        return full.Length > root.Length ? full.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar) : full;
    }

    private static SessionInfo? ReadSession(SqliteConnection connection, SqliteTransaction? transaction, string sessionId)
    {
        using var command = Command(connection, transaction, $"SELECT {SessionColumns} FROM sessions s WHERE s.id = $id", ("$id", sessionId));
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadSessionRow(reader) : null;
    }

    private static SessionInfo ReadSessionRow(SqliteDataReader reader) =>
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
        };
}
