using System.Globalization;
using AgentHost.Hosting;
using AgentHost.Hosting.Security;
using AgentHost.Hosting.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace AgentHost.Sessions;

/// <summary>
/// The session database file: opening and migrating it, one pooled connection per operation with the store's pragmas,
/// writes serialised as immediate transactions, storage failures translated into user-facing errors. The parts of the
/// store (<see cref="SessionStore"/>, <see cref="ConversationLog"/>, <see cref="PermissionAudit"/>,
/// <see cref="SessionStats"/>, <see cref="SessionTransfer"/>) all work through one instance.
/// </summary>
/// <remarks>
/// Thread-safe. Every read uses its own (pooled) connection; writes share one connection, opened at the first write
/// with the store's pragmas and kept until the database is disposed (dropped and reopened after a failed write), whose
/// statements are prepared once (<see cref="Execute"/>, <see cref="Scalar"/>). Every write is its own immediate
/// transaction, committed before <see cref="WriteAsync"/> returns, so a crash loses at most the write in flight; writes
/// are serialised in-process by a gate and across processes by SQLite's lock, reads run in parallel under WAL. It also
/// carries what every part shares: the clock, the content codec (scrub and cap) and the logger.
/// </remarks>
internal sealed class SessionDatabase : IDisposable
{
    private readonly string _connectionString;
    private readonly string _pragmas;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly TimeProvider _time;

    /// <summary>The connection of every write, and its prepared statements by SQL text (both under the write gate).</summary>
    private readonly Dictionary<string, SqliteCommand> _statements = new(StringComparer.Ordinal);
    private SqliteConnection? _writer;
    private bool _disposed;

    private SessionDatabase(string databasePath, SecretScrubber scrubber, TimeProvider time, SessionStoreOptions options, ILogger logger)
    {
        Path = databasePath;
        Scrubber = scrubber;
        _time = time;
        Logger = logger;
        Codec = new ContentCodec(scrubber, options.MaxPartBytes, options.MaxImageBytes);
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

    /// <summary>The database file (full path).</summary>
    public string Path { get; }

    /// <summary>The folder of the per-session lock files: <c>sessions.locks</c> beside the database.</summary>
    public string LocksDirectory { get; }

    /// <summary>Scrubs and caps every stored text.</summary>
    public ContentCodec Codec { get; }

    /// <summary>Removes secrets from texts stored outside the codec (titles, audit subjects).</summary>
    public SecretScrubber Scrubber { get; }

    /// <summary>The store's logger.</summary>
    public ILogger Logger { get; }

    /// <summary>The clock (for new ids and timestamps).</summary>
    public TimeProvider Clock => _time;

    /// <summary>
    /// Opens (creating when missing) and migrates the database file, then runs <paramref name="opened"/> on the same
    /// connection. Synchronous: SQLite opens and migrates on the calling thread (its asynchronous open only wraps that).
    /// </summary>
    /// <exception cref="AgentHostException">The file is not a session database, was written by a newer agent, or cannot be written.</exception>
    public static SessionDatabase Open(
        string databasePath,
        SecretScrubber scrubber,
        TimeProvider time,
        SessionStoreOptions options,
        ILogger logger,
        Action<SessionDatabase, SqliteConnection> opened)
    {
        var full = System.IO.Path.GetFullPath(databasePath);
        StorageErrors.Guard(full, StorageErrors.Database, () => Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!));
        var database = new SessionDatabase(full, scrubber, time, options, logger);
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

    /// <summary>The session leases of the store, whose fence every session write checks (<see cref="WriteSessionAsync"/>).</summary>
    public SessionLeases? Leases { get; set; }

    /// <summary>Whether the database is disposed.</summary>
    public bool IsDisposed => Volatile.Read(ref _disposed);

    /// <summary>Throws once the database is disposed.</summary>
    public void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    /// <summary>
    /// Closes the write connection once the write in flight, if any, has committed (it takes the write gate, so a write
    /// never loses its connection halfway), and clears the connection pool. Writes that were waiting for the gate, and
    /// any after this, end with <see cref="ObjectDisposedException"/>. The gate itself is not disposed: a write that
    /// was waiting for it must still be able to take it, see the store disposed, and release it.
    /// </summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Leases?.Dispose();
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

    /// <summary>Now, in Unix milliseconds (the stored time format).</summary>
    public long Now() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Runs a read on its own connection (reads run in parallel under WAL).</summary>
    public async Task<T> ReadAsync<T>(Func<SqliteConnection, T> read, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
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
    public async Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, T> write, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Disposed while this write waited for the gate: the writer is gone for good.
            ObjectDisposedException.ThrowIf(_disposed, this);
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
    /// A write of one session (<see cref="WriteAsync"/>), fenced: when the store holds the session's lease, its epoch
    /// must still be current inside the same transaction (<see cref="SessionLeases.Check"/>), or nothing is written.
    /// </summary>
    /// <exception cref="SessionLeaseLostException">Another writer took the session over.</exception>
    public Task<T> WriteSessionAsync<T>(string sessionId, Func<SqliteConnection, SqliteTransaction, T> write, CancellationToken cancellationToken) =>
        Leases is { } leases
            ? WriteAsync(
                (connection, transaction) =>
                {
                    leases.Check(connection, transaction, sessionId);
                    return write(connection, transaction);
                },
                cancellationToken)
            : WriteAsync(write, cancellationToken);

    /// <summary>
    /// Opens the write connection (with the store's pragmas) ahead of the first write, and binds and steps a statement
    /// with a text and a number parameter on it, so that SQLite's marshalling stubs for binding, stepping and reading
    /// are generated here rather than inside the first write. Writes nothing and takes no database lock (only the
    /// in-process write gate, briefly). A failure changes nothing: the first write opens its own connection and
    /// reports its own error.
    /// </summary>
    public async Task PrepareWritesAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var connection = _writer ??= await ConnectAsync(cancellationToken).ConfigureAwait(false);
            using var command = Command(connection, null, "SELECT length($text) + $number", ("$text", "warm-up"), ("$number", 1L));
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
    public int Execute(SqliteConnection connection, SqliteTransaction transaction, string sql, params (string Name, object? Value)[] parameters)
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
    public long Scalar(SqliteConnection connection, SqliteTransaction transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        if (!ReferenceEquals(connection, _writer))
        {
            return ScalarLong(connection, transaction, sql, parameters);
        }

        return Statement(transaction, sql, parameters).ExecuteScalar() is { } value and not DBNull ? Convert.ToInt64(value, CultureInfo.InvariantCulture) : 0;
    }

    /// <summary>A command with its parameters (a <see langword="null"/> value is SQL NULL).</summary>
    public static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }

    /// <summary>The first column of the first row as a number (0 when there is none).</summary>
    public static long ScalarLong(SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, transaction, sql, parameters);
        return command.ExecuteScalar() is { } value and not DBNull ? Convert.ToInt64(value, CultureInfo.InvariantCulture) : 0;
    }

    /// <summary>Whether a session exists.</summary>
    public static bool Exists(SqliteConnection connection, SqliteTransaction? transaction, string sessionId) =>
        ScalarLong(connection, transaction, "SELECT COUNT(*) FROM sessions WHERE id = $id", ("$id", sessionId)) > 0;

    /// <summary>Throws the not-found error unless the session exists.</summary>
    public static void RequireSession(SqliteConnection connection, SqliteTransaction? transaction, string sessionId)
    {
        if (!Exists(connection, transaction, sessionId))
        {
            throw NotFound(connection, sessionId, transaction);
        }
    }

    /// <summary>A not-found error with close matches among the most recent sessions.</summary>
    public static AgentHostException NotFound(SqliteConnection connection, string id, SqliteTransaction? transaction = null)
    {
        var candidates = new List<string>();
        using (var command = Command(connection, transaction, "SELECT id FROM sessions ORDER BY updated_at DESC LIMIT 1000"))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                candidates.Add(reader.GetString(0));
            }
        }

        var hint = CloseMatches.Hint(CloseMatches.Find(SessionIds.Normalize(id), candidates, limit: 3));
        return new AgentHostException(
            ErrorKind.NotFound,
            $"session '{id}' was not found.{(hint.Length > 0 ? hint : " See 'agent session list --all'.")}");
    }

    /// <summary>A stored time (Unix milliseconds).</summary>
    public static DateTimeOffset Time(long milliseconds) => DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);

    /// <summary>The write connection's command for <paramref name="sql"/>, with the parameters bound (under the write gate).</summary>
    private SqliteCommand Statement(SqliteTransaction transaction, string sql, (string Name, object? Value)[] parameters)
    {
        if (!_statements.TryGetValue(sql, out var command))
        {
            command = _writer!.CreateCommand();
            command.CommandText = sql;
            _statements.Add(sql, command);
        }

        command.Transaction = transaction;
        command.Parameters.Clear();
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

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
