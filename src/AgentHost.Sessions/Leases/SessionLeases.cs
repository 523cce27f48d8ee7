using System.Globalization;
using AgentHost.Hosting;
using System.Data.Common;
using Microsoft.Extensions.Logging;
using AgentHost.Sessions.Sql;
using AgentHost.Sessions.Sqlite;
using static AgentHost.Sessions.Sql.SessionDatabase;

namespace AgentHost.Sessions.Leases;

/// <summary>
/// The SQLite store's session leases (<see cref="ISessionLeases"/>): a row per session in <c>session_leases</c> with
/// the current epoch, its holder and when it expires — the authority — and, as the one-machine fast path, the
/// session's lock file (<see cref="LockFile"/>), which the operating system releases when the holder's process ends in
/// any way, so that a dead holder's session is free at once instead of when its lease expires.
/// </summary>
/// <remarks>
/// <para>
/// A holder is live while its lease has not expired, unless it took the lease together with the lock file and the
/// lock file is free now (its process is gone). A paused or hung process keeps its lock file but stops renewing: once
/// its lease expires, another writer takes the session over with a new epoch (without the lock file), and the paused
/// one's next write is refused (<see cref="SessionLeaseLostException"/>).
/// </para>
/// <para>
/// The leases this store holds are renewed together, in one write, every third of <see cref="Duration"/>, and fenced:
/// <see cref="Check"/> runs inside every session write of the store (<see cref="SessionDatabase.WriteSessionAsync"/>).
/// Thread-safe; disposed with the store.
/// </para>
/// </remarks>
public sealed partial class SessionLeases : ISessionLeases, ISessionWriteFence
{
    private const string SelectSql = "SELECT epoch, owner, holder, file_lock, expires_at FROM session_leases WHERE session_id = @id";

    /// <summary>The current epoch of a session's lease (0: never leased), parameter <c>@id</c>.</summary>
    public const string EpochSql = "SELECT COALESCE((SELECT epoch FROM session_leases WHERE session_id = @id), 0)";

    /// <summary>Takes the lease: epoch 1 for a session never leased, one more than the stored epoch otherwise.</summary>
    private const string TakeSql =
        """
        INSERT INTO session_leases (session_id, epoch, owner, holder, file_lock, acquired_at, expires_at)
        VALUES (@id, 1, @owner, @holder, @locked, @now, @expires)
        ON CONFLICT (session_id) DO UPDATE SET epoch = session_leases.epoch + 1, owner = excluded.owner, holder = excluded.holder,
            file_lock = excluded.file_lock, acquired_at = excluded.acquired_at, expires_at = excluded.expires_at
        RETURNING epoch
        """;

    private const string RenewSql = "UPDATE session_leases SET expires_at = @expires WHERE session_id = @id AND epoch = @epoch AND owner = @owner";

    private const string ReleaseSql =
        "UPDATE session_leases SET owner = NULL, holder = NULL, file_lock = 0, expires_at = NULL WHERE session_id = @id AND epoch = @epoch AND owner = @owner";

    private readonly SessionDatabase _database;
    private readonly RenewingHolder<Held> _held;

    /// <summary>This store's identity in the lease rows (one per opened store, so two stores of one process are two holders).</summary>
    private readonly string _owner = Guid.NewGuid().ToString("N");

    public SessionLeases(SessionDatabase database, TimeSpan duration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        _database = database;
        Duration = duration;
        _held = new RenewingHolder<Held>(database, duration, RenewHeldAsync);
    }

    /// <inheritdoc/>
    public TimeSpan Duration { get; }

    /// <inheritdoc/>
    public async Task<SessionLease> AcquireAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sessionId);
        _database.ThrowIfDisposed();
        var fileLock = TryLockFile(sessionId);
        try
        {
            var holder = Holder();
            var epoch = await _database.WriteAsync((connection, transaction) => Take(connection, transaction, sessionId, holder, fileLock is not null, isNew: false), cancellationToken).ConfigureAwait(false);
            return Hold(sessionId, epoch, holder, fileLock);
        }
        catch
        {
            fileLock?.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public Task<SessionLeaseInfo?> GetAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        return _database.ReadAsync(
            connection => Read(connection, null, sessionId) is { } row
                ? new SessionLeaseInfo(sessionId, row.Epoch, row.Holder, row.ExpiresAt is { } expires ? Time(expires) : null)
                {
                    IsLive = row.Owner is not null && IsLive(connection, null, row, withFileLock: false, _database.Now()),
                }
                : null,
            cancellationToken);
    }

    /// <summary>Takes the lock file of a session that is about to be created (the row and its lease are written together by the caller).</summary>
    /// <returns>The lock file, or <see langword="null"/> when another process has it or the engine has no lock files.</returns>
    internal LockFile? TryLockFile(string sessionId, bool deleteOnRelease = false) =>
        _database.LocksDirectory is { } locks ? StorageErrors.Guard(locks, StorageErrors.Locks, () => LockFile.TryAcquire(locks, sessionId, deleteOnRelease)) : null;

    /// <summary>The holder, in words, of a lease taken now.</summary>
    public string Holder() =>
        string.Create(CultureInfo.InvariantCulture, $"process {Environment.ProcessId} (started {_database.Clock.GetUtcNow():yyyy-MM-dd HH:mm:ss 'UTC'})");

    /// <summary>
    /// Inside a write: takes the session's lease with the next epoch (1 for a session created in the same write),
    /// unless a live holder has it.
    /// </summary>
    /// <exception cref="AgentHostException">No such session, or a live holder has it (<see cref="ErrorKind.InUse"/>).</exception>
    public long Take(DbConnection connection, DbTransaction transaction, string sessionId, string holder, bool withFileLock, bool isNew)
    {
        if (!isNew)
        {
            // Where writes run in parallel, the take-over waits for the session's write in flight (and the next one for it).
            _database.LockSession(connection, transaction, sessionId);
        }

        var now = _database.Now();
        var row = isNew ? null : Read(connection, transaction, sessionId);
        if (row is null && !isNew)
        {
            RequireSession(connection, transaction, sessionId);
        }

        if (row is { Owner: not null } held && IsLive(connection, transaction, held, withFileLock, now))
        {
            throw InUse(sessionId, held.Holder);
        }

        return _database.Scalar(
            connection,
            transaction,
            TakeSql,
            ("@id", sessionId),
            ("@owner", _owner),
            ("@holder", holder),
            ("@locked", withFileLock ? 1 : _database.HolderToken ?? 0),
            ("@now", now),
            ("@expires", now + (long)Duration.TotalMilliseconds));
    }

    /// <summary>Remembers a lease taken through this store (from now on its session's writes are fenced) and starts the renewals.</summary>
    internal SessionLease Hold(string sessionId, long epoch, string holder, LockFile? fileLock)
    {
        var lease = new Held(this, sessionId, epoch, holder, fileLock);
        _held.Hold(sessionId, lease);

        return lease;
    }

    /// <summary>
    /// The fence, inside a session write: when this store holds the session's lease, its epoch must still be the
    /// current one, or nothing of the write is stored.
    /// </summary>
    /// <exception cref="SessionLeaseLostException">Another writer took the session over.</exception>
    public void Check(DbConnection connection, DbTransaction transaction, string sessionId)
    {
        if (HeldEpoch(sessionId) is not null)
        {
            Verify(connection, transaction, sessionId, _database.Scalar(connection, transaction, EpochSql, ("@id", sessionId)));
        }
    }

    /// <summary>
    /// The epoch a write of the session must find current (<see cref="Verify"/>), or <see langword="null"/> when this
    /// store does not hold the session's lease (nothing to check).
    /// </summary>
    /// <exception cref="SessionLeaseLostException">The lease is known to be lost already.</exception>
    public long? HeldEpoch(string sessionId)
    {
        if (_held.IsEmpty || !_held.TryGet(sessionId, out var held))
        {
            return null;
        }

        return held.LostError is { } known ? throw known : held.Epoch;
    }

    /// <summary>
    /// The second half of <see cref="Check"/>, for an engine that read the current epoch itself (with
    /// <see cref="EpochSql"/>, after the session's lock, in the same transaction as the write): throws, so that the
    /// write is rolled back, unless it is the epoch this store holds.
    /// </summary>
    /// <exception cref="SessionLeaseLostException">Another writer took the session over.</exception>
    public void Verify(DbConnection connection, DbTransaction? transaction, string sessionId, long current)
    {
        if (_held.TryGet(sessionId, out var held) && current != held.Epoch)
        {
            throw held.Lose(current == 0 ? null : current, current == 0 ? null : Read(connection, transaction, sessionId)?.Holder);
        }
    }

    /// <summary>Whether a live holder has the session now (a delete is refused then); <paramref name="withFileLock"/> says whether the caller got the session's lock file.</summary>
    public bool IsHeld(DbConnection connection, DbTransaction transaction, string sessionId, bool withFileLock, out string? holder)
    {
        var row = Read(connection, transaction, sessionId);
        holder = row?.Holder;
        return row is { Owner: not null } held && IsLive(connection, transaction, held, withFileLock, _database.Now());
    }

    /// <summary>The error of a session a live holder has.</summary>
    public static AgentHostException InUse(string sessionId, string? holder) =>
        new(
            ErrorKind.InUse,
            $"session {sessionId} is in use by {holder ?? "another process"}; wait for it to finish or stop that process, then retry (or fork it: 'agent session fork {sessionId}').");

    /// <summary>Stops the renewals (the store is closing; its held leases expire, or their lock files free them).</summary>
    public void Dispose()
    {
        _held.Dispose();
        foreach (var held in _held.Held)
        {
            held.DropFileLock();
        }
    }

    /// <summary>
    /// Whether a held lease's holder is live: its lease has not expired, and it is not known to be gone — where the
    /// engine has lock files, it took the lease with the lock file the caller now has (its process is gone); elsewhere
    /// the engine says so (PostgreSQL: its holder lock is free, <see cref="SessionDatabase.IsHolderGone"/>).
    /// </summary>
    private bool IsLive(DbConnection connection, DbTransaction? transaction, Row row, bool withFileLock, long now) =>
        row.ExpiresAt > now
        && !(row.FileLock != 0 && (_database.LocksDirectory is not null ? withFileLock : _database.IsHolderGone(connection, transaction, row.FileLock)));

    private static Row? Read(DbConnection connection, DbTransaction? transaction, string sessionId)
    {
        using var command = Command(connection, transaction, SelectSql, ("@id", sessionId));
        using var reader = command.ExecuteReader();
        return reader.Read()
            ? new Row(
                reader.GetInt64(0),
                reader.IsDBNull(1) ? null : reader.GetString(1),
                reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.GetInt64(3),
                reader.IsDBNull(4) ? null : reader.GetInt64(4))
            : null;
    }

    /// <summary>The timer's renewal of every held lease, in one write; a lease whose epoch moved on is lost.</summary>
    private async Task RenewHeldAsync()
    {
        try
        {
            var held = _held.Held.Where(h => h.LostError is null && !h.IsReleased).ToList();
            if (held.Count == 0 || _database.IsDisposed)
            {
                return;
            }

            var expires = _database.Now() + (long)Duration.TotalMilliseconds;
            var lost = await _database.WriteAsync(
                (connection, transaction) => held.Where(h => Renew(connection, transaction, h, expires) == 0).ToList(),
                CancellationToken.None).ConfigureAwait(false);
            foreach (var lease in lost)
            {
                lease.Lose(null, null);
            }
        }
        catch (Exception ex) when (ex is AgentHostException or ObjectDisposedException or DbException or InvalidOperationException)
        {
            // The next tick tries again; until the lease expires nobody can take it over anyway.
            LogRenewalFailed(_database.Logger, ex);
        }
    }

    private int Renew(DbConnection connection, DbTransaction transaction, Held lease, long expires) =>
        _database.Execute(connection, transaction, RenewSql, ("@expires", expires), ("@id", lease.SessionId), ("@epoch", lease.Epoch), ("@owner", _owner));

    private void Forget(Held lease) => _held.Forget(lease.SessionId, lease);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not renew the session leases this process holds; retrying at the next renewal")]
    private static partial void LogRenewalFailed(ILogger logger, Exception exception);

    /// <summary>A lease row; <paramref name="FileLock"/> is 1 for a SQLite holder with the lock file, a PostgreSQL holder's <see cref="SessionDatabase.HolderToken"/>, or 0.</summary>
    private sealed record Row(long Epoch, string? Owner, string? Holder, long FileLock, long? ExpiresAt);

    /// <summary>A lease this store holds.</summary>
    private sealed class Held(SessionLeases leases, string sessionId, long epoch, string holder, LockFile? fileLock) : SessionLease(sessionId, epoch, holder)
    {
        private LockFile? _fileLock = fileLock;
        private SessionLeaseLostException? _lost;

        /// <summary>The error every later write of the session gets, once the lease is lost.</summary>
        public SessionLeaseLostException? LostError => Volatile.Read(ref _lost);

        public SessionLeaseLostException Lose(long? currentEpoch, string? currentHolder)
        {
            var error = new SessionLeaseLostException(SessionId, Epoch, currentEpoch, currentHolder);
            var first = Interlocked.CompareExchange(ref _lost, error, null) ?? error;
            MarkLost();
            return first;
        }

        public void DropFileLock() => Interlocked.Exchange(ref _fileLock, null)?.Dispose();

        protected override async Task<bool> RenewCoreAsync(CancellationToken cancellationToken)
        {
            var expires = leases._database.Now() + (long)leases.Duration.TotalMilliseconds;
            var renewed = await leases._database.WriteAsync((connection, transaction) => leases.Renew(connection, transaction, this, expires), cancellationToken).ConfigureAwait(false) > 0;
            if (!renewed)
            {
                Lose(null, null);
            }

            return renewed;
        }

        protected override async ValueTask ReleaseCoreAsync()
        {
            leases.Forget(this);
            try
            {
                if (LostError is null && !leases._database.IsDisposed)
                {
                    await leases._database.WriteAsync(
                        (connection, transaction) => leases._database.Execute(connection, transaction, ReleaseSql, ("@id", SessionId), ("@epoch", Epoch), ("@owner", leases._owner)),
                        CancellationToken.None).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is AgentHostException or ObjectDisposedException)
            {
                // Not released in the row: it expires (and its lock file goes now), so the session is free soon anyway.
                LogReleaseFailed(leases._database.Logger, ex, SessionId);
            }
            finally
            {
                DropFileLock();
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not release the lease of session {SessionId}; it expires on its own")]
    private static partial void LogReleaseFailed(ILogger logger, Exception exception, string sessionId);
}
