using System.Data.Common;
using System.Globalization;
using AgentHost.Hosting;
using AgentHost.Hosting.Security;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using AgentHost.Sessions.Sql;

namespace AgentHost.Sessions.Sqlite;

/// <summary>
/// The SQLite session database file (<see cref="SessionDatabase"/>): opening and migrating it, one pooled connection per operation with the store's pragmas,
/// writes serialised as immediate transactions, storage failures translated into user-facing errors. The parts of the
/// store (<see cref="Store.SessionStore"/>, <see cref="Journal.ConversationLog"/>, <see cref="Audit.PermissionAudit"/>,
/// <see cref="Journal.SessionStats"/>, <see cref="Transfer.SessionTransfer"/>) all work through one instance.
/// </summary>
/// <remarks>
/// Thread-safe. Every read uses its own (pooled) connection; writes share one connection, opened at the first write
/// with the store's pragmas and kept until the database is disposed (dropped and reopened after a failed write), whose
/// statements are prepared once (<see cref="Execute"/>, <see cref="Scalar"/>). Every write is its own immediate
/// transaction, committed before <see cref="WriteAsync"/> returns, so a crash loses at most the write in flight; writes
/// are serialised in-process by a gate and across processes by SQLite's lock, reads run in parallel under WAL. It also
/// carries what every part shares: the clock, the content codec (scrub and cap) and the logger.
/// </remarks>
internal sealed class SqliteSessionDatabase : SessionDatabase
{
    private readonly string _connectionString;
    private readonly string _pragmas;
    private readonly SemaphoreSlim _writeGate = new(1, 1);

    /// <summary>The connection of every write, and its prepared statements by SQL text (both under the write gate).</summary>
    private readonly Dictionary<string, SqliteCommand> _statements = new(StringComparer.Ordinal);
    private SqliteConnection? _writer;

    private SqliteSessionDatabase(string databasePath, SecretScrubber scrubber, TimeProvider time, SessionStoreOptions options, ILogger logger)
        : base(databasePath, scrubber, time, options, logger)
    {
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = options.Pooling,
            ForeignKeys = true,
            DefaultTimeout = (int)Math.Ceiling(options.BusyTimeout.TotalSeconds) + 5,
        }.ToString();
        _pragmas = string.Create(
            CultureInfo.InvariantCulture,
            $"PRAGMA foreign_keys = ON; PRAGMA busy_timeout = {(long)options.BusyTimeout.TotalMilliseconds}; PRAGMA synchronous = NORMAL;{(options.MaxPageCount is { } pages ? $" PRAGMA max_page_count = {pages};" : string.Empty)}");
        LocksDirectory = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(databasePath)!, System.IO.Path.GetFileNameWithoutExtension(databasePath) + ".locks");
    }

    /// <summary>The folder of the per-session lock files: <c>sessions.locks</c> beside the database.</summary>
    public override string LocksDirectory { get; }

    /// <summary>
    /// Opens (creating when missing) and migrates the database file, then runs <paramref name="opened"/> on the same
    /// connection. Synchronous: SQLite opens and migrates on the calling thread (its asynchronous open only wraps that).
    /// </summary>
    /// <exception cref="AgentHostException">The file is not a session database, was written by a newer agent, or cannot be written.</exception>
    public static SqliteSessionDatabase Open(
        string databasePath,
        SecretScrubber scrubber,
        TimeProvider time,
        SessionStoreOptions options,
        ILogger logger,
        Action<SqliteSessionDatabase, SqliteConnection> opened)
    {
        var full = System.IO.Path.GetFullPath(databasePath);
        StorageErrors.Guard(full, StorageErrors.Database, () => Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!));
        var database = new SqliteSessionDatabase(full, scrubber, time, options, logger);
        try
        {
            using var connection = database.Connect();
            using (var wal = connection.CreateCommand())
            {
                wal.CommandText = "PRAGMA journal_mode = WAL;";
                wal.ExecuteNonQuery();
            }

            var found = SessionMigrations.Apply(connection, full);
            if (found != SessionMigrations.CurrentVersion)
            {
                SessionStoreLog.Migrated(logger, full, found, SessionMigrations.CurrentVersion);
            }

            opened(database, connection);
            return database;
        }
        catch (SqliteException ex) when (StorageErrors.Translate(ex, full) is { } storage)
        {
            database.Dispose();
            throw storage;
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode is 26 or 11)
        {
            database.Dispose();
            throw new AgentHostException(
                ErrorKind.Configuration,
                $"{full} is not a readable session database ({ex.Message.TrimEnd('.')}). Move the file away and agent starts a new one.",
                ex);
        }
        catch
        {
            database.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Marks every <c>active</c> session whose holder is gone as interrupted: its run ended without recording an end
    /// (kill -9, a crash, power loss). Conservative: a session whose lock file some process still holds is left alone
    /// (that process lives, perhaps paused); a session is marked when its lock file is free and its lease was released,
    /// taken with that lock file (its process is gone), or has expired. Run once, when the store opens.
    /// </summary>
    internal void MarkDeadRunsInterrupted(DbConnection connection)
    {
        var active = new List<string>();
        using (var query = Command(connection, null, "SELECT id FROM sessions WHERE status = 'active'"))
        using (var reader = query.ExecuteReader())
        {
            while (reader.Read())
            {
                active.Add(reader.GetString(0));
            }
        }

        foreach (var id in active)
        {
            // Held while the status changes, so a run starting on it now cannot be marked by mistake.
            using var probe = StorageErrors.Guard(LocksDirectory, StorageErrors.Locks, () => LockFile.TryAcquire(LocksDirectory, id));
            if (probe is null)
            {
                continue;
            }

            using var update = Command(
                connection,
                null,
                """
                UPDATE sessions SET status = 'interrupted' WHERE id = @id AND status = 'active' AND NOT EXISTS (
                    SELECT 1 FROM session_leases l WHERE l.session_id = @id AND l.owner IS NOT NULL AND l.file_lock = 0 AND l.expires_at > @now)
                """,
                ("@id", id),
                ("@now", Now()));
            try
            {
                if (update.ExecuteNonQuery() > 0)
                {
                    SessionStoreLog.MarkedInterrupted(Logger, id);
                }
            }
            catch (SqliteException ex) when (ex.SqliteErrorCode == StorageErrors.ReadOnly)
            {
                return; // A read-only database can still be read; the first write names the problem.
            }
        }
    }

    /// <summary>
    /// Closes the write connection once the write in flight, if any, has committed (it takes the write gate, so a write
    /// never loses its connection halfway), and clears the connection pool. Writes that were waiting for the gate, and
    /// any after this, end with <see cref="ObjectDisposedException"/>. The gate itself is not disposed: a write that
    /// was waiting for it must still be able to take it, see the store disposed, and release it.
    /// </summary>
    protected override void DisposeCore()
    {
        _writeGate.Wait();
        try
        {
            DropWriter();
        }
        finally
        {
            _writeGate.Release();
        }

        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    /// <summary>Runs a read on its own connection (reads run in parallel under WAL).</summary>
    public override async Task<T> ReadAsync<T>(Func<DbConnection, T> read, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        cancellationToken.ThrowIfCancellationRequested();
        var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            return read(connection);
        }
    }

    /// <summary>
    /// Runs a write as one immediate transaction on the write connection, one writer at a time in this process; the
    /// transaction is committed when this returns.
    /// </summary>
    public override async Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, T> write, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Disposed while this write waited for the gate: the writer is gone for good.
            ThrowIfDisposed();
            var connection = _writer ??= await ConnectAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                using var transaction = connection.BeginTransaction(deferred: false);
                var result = write(connection, transaction);
                transaction.Commit();
                return result;
            }
            catch (Exception ex) when (ex is SqliteException or InvalidOperationException)
            {
                // The transaction was rolled back; a fresh connection for the next write in case this one is broken.
                DropWriter();
                throw;
            }
        }
        catch (SqliteException ex) when (StorageErrors.Translate(ex, Path) is { } storage)
        {
            throw storage;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>
    /// Opens the write connection (with the store's pragmas) ahead of the first write, and binds and steps a statement
    /// with a text and a number parameter on it, so that SQLite's marshalling stubs for binding, stepping and reading
    /// are generated here rather than inside the first write. Writes nothing and takes no database lock (only the
    /// in-process write gate, briefly). A failure changes nothing: the first write opens its own connection and
    /// reports its own error.
    /// </summary>
    public override async Task PrepareWritesAsync(CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfDisposed();
            var connection = _writer ??= await ConnectAsync(cancellationToken).ConfigureAwait(false);
            using var command = Command(connection, null, "SELECT length(@text) + @number", ("@text", "warm-up"), ("@number", 1L));
            _ = command.ExecuteScalar();
        }
        catch (Exception ex) when (ex is SqliteException or InvalidOperationException or AgentHostException)
        {
            DropWriter();
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>
    /// Executes a statement inside a write (<see cref="WriteAsync"/>), prepared once per write connection; on another
    /// connection, a command of its own.
    /// </summary>
    /// <returns>The number of rows changed.</returns>
    public override int Execute(DbConnection connection, DbTransaction transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        if (!ReferenceEquals(connection, _writer))
        {
            using var command = Command(connection, transaction, sql, parameters);
            return command.ExecuteNonQuery();
        }

        return Statement(transaction, sql, parameters).ExecuteNonQuery();
    }

    /// <summary>Like <see cref="ScalarLong"/>, with the statement prepared once per write connection (see <see cref="Execute"/>).</summary>
    /// <returns>The first column of the first row as a number (0 when there is none).</returns>
    public override long Scalar(DbConnection connection, DbTransaction transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        if (!ReferenceEquals(connection, _writer))
        {
            return ScalarLong(connection, transaction, sql, parameters);
        }

        return Statement(transaction, sql, parameters).ExecuteScalar() is { } value and not DBNull ? Convert.ToInt64(value, CultureInfo.InvariantCulture) : 0;
    }

    /// <inheritdoc/>
    public override DbTransaction BeginSnapshot(DbConnection connection) => ((SqliteConnection)connection).BeginTransaction(deferred: true);

    /// <inheritdoc/>
    /// <remarks>A lock file in <see cref="LocksDirectory"/>, which the operating system releases when the process ends.</remarks>
    public override IDisposable? TryLockExclusive(string key, bool writeOwner = false) =>
        StorageErrors.Guard(LocksDirectory, StorageErrors.Locks, () => LockFile.TryAcquire(LocksDirectory, key, writeOwner: writeOwner));

    /// <inheritdoc/>
    public override string DescribeLockOwner(string key) => LockFile.DescribeOwner(LocksDirectory, key);

    /// <summary>The write connection's command for <paramref name="sql"/>, with the parameters bound (under the write gate).</summary>
    private SqliteCommand Statement(DbTransaction transaction, string sql, (string Name, object? Value)[] parameters)
    {
        if (!_statements.TryGetValue(sql, out var command))
        {
            command = _writer!.CreateCommand();
            command.CommandText = sql;
            _statements.Add(sql, command);
        }

        command.Transaction = (SqliteTransaction)transaction;
        Bind(command, parameters);
        return command;
    }

    private void DropWriter()
    {
        foreach (var command in _statements.Values)
        {
            command.Dispose();
        }

        _statements.Clear();
        _writer?.Dispose();
        _writer = null;
    }

    private SqliteConnection Connect()
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = _pragmas;
            command.ExecuteNonQuery();
            return connection;
        }
        catch (SqliteException ex) when (StorageErrors.Translate(ex, Path) is { } storage)
        {
            connection.Dispose();
            throw storage;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private async Task<SqliteConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            using var command = connection.CreateCommand();
            command.CommandText = _pragmas;
            command.ExecuteNonQuery();
            return connection;
        }
        catch (SqliteException ex) when (StorageErrors.Translate(ex, Path) is { } storage)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw storage;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
