using AgentHost.Hosting.Security;
using System.Data.Common;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using static AgentHost.Sessions.Sql.SessionDatabase;
using static AgentHost.Sessions.Sql.SessionRows;
using AgentHost.Hosting;
using AgentHost.Sessions.Audit;
using AgentHost.Sessions.Checkpoints;
using AgentHost.Sessions.Journal;
using AgentHost.Sessions.Leases;
using AgentHost.Sessions.Sql;
using AgentHost.Sessions.Sqlite;
using AgentHost.Sessions.Transfer;
using AgentHost.Sessions.Users;
using AgentHost.Sessions.WorkflowRuns;

namespace AgentHost.Sessions.Store;

/// <summary>
/// The SQLite session store, the default <see cref="ISessionStore"/>: the entry object that opens the database and owns
/// the sessions themselves (create, find, list, resolve, rename, status, usage counters, settings, delete, prune); its
/// parts are <see cref="Conversation"/> (messages and tool events), <see cref="Audit"/> (permission decisions and
/// grants), <see cref="Stats"/> (usage statistics), <see cref="Transfer"/> (fork, export, import),
/// <see cref="Checkpoints"/> (file checkpoints), <see cref="Workflows"/> (workflow runs) and <see cref="Leases"/> (one
/// writer per session, fenced by an epoch).
/// </summary>
/// <remarks>
/// <para>
/// One database file (<see cref="Hosting.AgentPaths.SessionsDatabase"/>) in WAL mode with foreign keys on and a busy
/// timeout; the schema is migrated forward when the store opens. Every operation uses its own (pooled) connection and
/// every write is its own immediate transaction, so a crash loses at most the write in flight.
/// </para>
/// <para>
/// Thread-safe, and so are its parts: many sessions may be written concurrently from one process (writes are serialised
/// in-process and across processes by SQLite's lock; reads run in parallel). Each session has one writer
/// (<see cref="Leases"/>), whose writes are fenced by its lease's epoch. Every stored text is scrubbed of secrets by the <see cref="SecretScrubber"/> and
/// capped in size (<see cref="SessionStoreOptions.MaxPartBytes"/>) before it reaches the file. Dispose to release
/// pooled connections (the parts stop working with it).
/// </para>
/// </remarks>
public sealed partial class SessionStore : ISessionStore, IDisposable
{
    private readonly SessionDatabase _database;
    private readonly SessionLeases _leases;
    private readonly RunSlots _runSlots;

    public SessionStore(SessionDatabase database, TimeSpan leaseDuration, int maxEventBytes = SessionStoreOptions.DefaultMaxPartBytes)
    {
        _database = database;
        _leases = new SessionLeases(database, leaseDuration);
        database.Leases = _leases;
        Conversation = new ConversationLog(database);
        Audit = new PermissionAudit(database);
        Stats = new SessionStats(database);
        Transfer = new SessionTransfer(database);
        Checkpoints = new FileCheckpoints(database);
        Workflows = new WorkflowRunStore(database);
        Journal = new SessionJournal(database, maxEventBytes);
        Users = new UserStore(database);
        _runSlots = new RunSlots(database, leaseDuration);
    }

    /// <inheritdoc/>
    public IRunSlots RunSlots => _runSlots;

    /// <summary>The durable event journal of each session and the stored results of runs.</summary>
    public ISessionJournal Journal { get; }

    /// <inheritdoc/>
    public IUserStore Users { get; }

    /// <summary>Workflow runs and their completed nodes (the checkpoints <c>agent workflow resume</c> replays).</summary>
    public WorkflowRunStore Workflows { get; }

    /// <summary>The schema version this build writes (<c>PRAGMA user_version</c>).</summary>
    public static int SchemaVersion => SessionMigrations.CurrentVersion;

    /// <summary>The database file.</summary>
    public string DatabasePath => _database.Path;

    /// <inheritdoc/>
    /// <remarks>The database file.</remarks>
    public string Location => _database.Path;

    /// <summary>The session leases: an epoch per session in the database, with the session's lock file as the one-machine fast path.</summary>
    public ISessionLeases Leases => _leases;

    /// <inheritdoc/>
    IConversationLog ISessionStore.Conversation => Conversation;

    /// <inheritdoc/>
    IPermissionAudit ISessionStore.Audit => Audit;

    /// <inheritdoc/>
    ISessionStats ISessionStore.Stats => Stats;

    /// <inheritdoc/>
    ISessionTransfer ISessionStore.Transfer => Transfer;

    /// <inheritdoc/>
    IFileCheckpointStore ISessionStore.Checkpoints => Checkpoints;

    /// <inheritdoc/>
    IWorkflowRunStore ISessionStore.Workflows => Workflows;

    /// <summary>The folder of the per-session lock files: <c>sessions.locks</c> beside the database; <see langword="null"/> for a server database.</summary>
    public string? LocksDirectory => _database.LocksDirectory;

    /// <summary>The conversation log: messages and tool events (the run's <see cref="IConversationRecorder"/>).</summary>
    public ConversationLog Conversation { get; }

    /// <summary>The permission audit log, the sessions' grants and permission mode (the gate's <see cref="Permissions.Gate.IPermissionStore"/>).</summary>
    public PermissionAudit Audit { get; }

    /// <summary>Usage statistics.</summary>
    internal SessionStats Stats { get; }

    /// <summary>Fork, export and import.</summary>
    public SessionTransfer Transfer { get; }

    /// <summary>File checkpoints: what each turn's file tools changed (diff and undo).</summary>
    public FileCheckpoints Checkpoints { get; }

    /// <summary>Opens (creating when missing) and migrates the database.</summary>
    /// <param name="databasePath">The database file, e.g. <see cref="Hosting.AgentPaths.SessionsDatabase"/>.</param>
    /// <param name="scrubber">Removes secrets from every stored text.</param>
    /// <param name="timeProvider">The clock (default: system).</param>
    /// <param name="options">Limits (default: <see cref="SessionStoreOptions"/>).</param>
    /// <param name="logger">The logger.</param>
    /// <param name="cancellationToken">Cancellation (checked before the open, which runs on the calling thread).</param>
    /// <returns>The open store.</returns>
    /// <exception cref="AgentHostException">The file is not a session database, or was written by a newer agent.</exception>
    public static Task<SessionStore> OpenAsync(
        string databasePath,
        SecretScrubber scrubber,
        TimeProvider? timeProvider = null,
        SessionStoreOptions? options = null,
        ILogger<SessionStore>? logger = null,
        CancellationToken cancellationToken = default)
    {
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            return Task.FromResult(Open(databasePath, scrubber, timeProvider, options, logger));
        }
        catch (Exception ex)
        {
            return Task.FromException<SessionStore>(ex);
        }
    }

    /// <summary>
    /// Opens (creating when missing) and migrates the database on the calling thread: SQLite's open is synchronous (its
    /// asynchronous form only wraps it), so a composition root can open the store without blocking on asynchronous work.
    /// </summary>
    /// <param name="databasePath">The database file, e.g. <see cref="Hosting.AgentPaths.SessionsDatabase"/>.</param>
    /// <param name="scrubber">Removes secrets from every stored text.</param>
    /// <param name="timeProvider">The clock (default: system).</param>
    /// <param name="options">Limits (default: <see cref="SessionStoreOptions"/>).</param>
    /// <param name="logger">The logger.</param>
    /// <returns>The open store.</returns>
    /// <exception cref="AgentHostException">The file is not a session database, or was written by a newer agent.</exception>
    public static SessionStore Open(
        string databasePath,
        SecretScrubber scrubber,
        TimeProvider? timeProvider = null,
        SessionStoreOptions? options = null,
        ILogger<SessionStore>? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        ArgumentNullException.ThrowIfNull(scrubber);
        SessionStore? store = null;
        var chosen = options ?? new SessionStoreOptions();
        SqliteSessionDatabase.Open(
            databasePath,
            scrubber,
            timeProvider ?? TimeProvider.System,
            chosen,
            (ILogger?)logger ?? NullLogger.Instance,
            (opened, connection) =>
            {
                store = new SessionStore(opened, chosen.LeaseDuration, chosen.MaxPartBytes);
                opened.MarkDeadRunsInterrupted(connection);
            });
        return store!;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _runSlots.Dispose();
        _database.Dispose();
    }

    /// <summary>
    /// Gets the first write ready while nothing waits for it (a front end calls it right after opening the store, while
    /// plugins load): the write connection is opened with the store's pragmas and SQLite's binding code is made ready,
    /// so a new session's first write (its row, on the way to the first model request) does not pay for them. Writes
    /// nothing; a failure is left for the first write to report.
    /// </summary>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>When done.</returns>
    public Task PrepareWritesAsync(CancellationToken cancellationToken = default) => _database.PrepareWritesAsync(cancellationToken);

    /// <summary>Reads a session.</summary>
    /// <param name="sessionId">The full id (see <see cref="ResolveIdAsync"/> for prefixes).</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The session, or <see langword="null"/> when there is none.</returns>
    public Task<SessionInfo?> FindSessionAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        return _database.ReadAsync(connection => ReadSession(connection, null, sessionId), cancellationToken);
    }

    /// <summary>Reads a session that must exist.</summary>
    /// <param name="sessionId">The full id.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The session.</returns>
    /// <exception cref="AgentHostException">There is no such session (<see cref="ErrorKind.NotFound"/>).</exception>
    public Task<SessionInfo> GetSessionAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        return _database.ReadAsync(connection => GetSession(connection, null, sessionId), cancellationToken);
    }

    /// <summary>Lists sessions, most recently updated first.</summary>
    /// <param name="workspace">Only this project root's sessions; <see langword="null"/> for every workspace.</param>
    /// <param name="limit">At most this many; <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The sessions.</returns>
    public Task<IReadOnlyList<SessionInfo>> ListSessionsAsync(string? workspace = null, int? limit = null, CancellationToken cancellationToken = default)
    {
        var normalized = workspace is null ? null : NormalizeWorkspace(workspace);
        return _database.ReadAsync<IReadOnlyList<SessionInfo>>(
            connection =>
            {
                using var command = Command(
                    connection,
                    null,
                    $"SELECT {SessionColumns} FROM sessions s WHERE (CAST(@workspace AS TEXT) IS NULL OR s.workspace = @workspace) ORDER BY s.updated_at DESC, s.id DESC LIMIT @limit",
                    ("@workspace", normalized),
                    ("@limit", limit ?? int.MaxValue));
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
        var clean = _database.Codec.Clean(string.Join(' ', title.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)));
        return UpdateSessionAsync(sessionId, "title = @value", clean, cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>The conversation log's (<see cref="ConversationLog.SetStatusAsync"/>).</remarks>
    public ValueTask SetStatusAsync(string sessionId, SessionStatus status, CancellationToken cancellationToken = default) =>
        Conversation.SetStatusAsync(sessionId, status, cancellationToken);

    /// <inheritdoc/>
    /// <remarks>The conversation log's (<see cref="ConversationLog.RecordUsageAsync"/>).</remarks>
    public ValueTask RecordUsageAsync(string sessionId, UsageDetails usage, decimal? cost, CancellationToken cancellationToken = default) =>
        Conversation.RecordUsageAsync(sessionId, usage, cost, cancellationToken);

    /// <inheritdoc/>
    public async Task<bool> DeleteSessionAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        var leases = _leases;
        var locks = LocksDirectory is { } folder && Directory.Exists(folder);
        using var fileLock = locks ? leases.TryLockFile(sessionId, deleteOnRelease: true) : null;
        var withFileLock = fileLock is not null || !locks;
        var deleted = await _database.WriteAsync(
            (connection, transaction) =>
            {
                _database.LockSession(connection, transaction, sessionId);
                if (leases.IsHeld(connection, transaction, sessionId, withFileLock, out var holder))
                {
                    throw SessionLeases.InUse(sessionId, holder);
                }

                using var command = Command(connection, transaction, "DELETE FROM sessions WHERE id = @id", ("@id", sessionId));
                return command.ExecuteNonQuery();
            },
            cancellationToken).ConfigureAwait(false);
        if (deleted > 0)
        {
            SessionStoreLog.Deleted(_database.Logger, sessionId);
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
        return _database.ReadAsync(
            connection => (int)ScalarLong(connection, null, "SELECT COUNT(*) FROM sessions WHERE updated_at < @cutoff", ("@cutoff", cutoff.ToUnixTimeMilliseconds())),
            cancellationToken);
    }

    /// <summary>Deletes the sessions (of every workspace) not updated for <paramref name="olderThan"/>.</summary>
    /// <param name="olderThan">The age, e.g. 30 days.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>How many sessions were deleted.</returns>
    public async Task<int> PruneAsync(TimeSpan olderThan, CancellationToken cancellationToken = default)
    {
        var cutoff = Cutoff(olderThan);
        var deleted = await _database.WriteAsync(
            (connection, transaction) =>
            {
                var ids = new List<string>();
                using (var command = Command(connection, transaction, "DELETE FROM sessions WHERE updated_at < @cutoff RETURNING id", ("@cutoff", cutoff.ToUnixTimeMilliseconds())))
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
        if (LocksDirectory is { } folder && Directory.Exists(folder))
        {
            foreach (var id in deleted)
            {
                LockFile.Forget(folder, id);
            }
        }

        SessionStoreLog.Pruned(_database.Logger, deleted.Count, cutoff);
        return deleted.Count;
    }

    /// <summary>Sets (or, with a <see langword="null"/> value, removes) one session setting.</summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="key">The key, e.g. <c>max_steps</c> (a <c>session.</c> prefix is dropped).</param>
    /// <param name="value">The value (redacted), or <see langword="null"/> to remove.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The settings after the change.</returns>
    public Task<IReadOnlyDictionary<string, string>> SetSettingAsync(string sessionId, string key, string? value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        return SessionRows.SetSettingAsync(_database, sessionId, SessionSettings.NormalizeKey(key), value, cancellationToken);
    }

    private async Task UpdateSessionAsync(string sessionId, string assignment, object value, CancellationToken cancellationToken) =>
        await _database.WriteSessionAsync(sessionId, [SessionRows.Update(sessionId, assignment, value, _database.Now())], cancellationToken).ConfigureAwait(false);

    private DateTimeOffset Cutoff(TimeSpan olderThan)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(olderThan, TimeSpan.Zero);
        return _database.Clock.GetUtcNow() - olderThan;
    }
}
