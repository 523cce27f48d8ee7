using System.Data.Common;
using System.Globalization;
using AgentHost.Hosting;
using AgentHost.Hosting.Security;
using AgentHost.Hosting.Text;
using Microsoft.Extensions.Logging;

namespace AgentHost.Sessions.Sql;

/// <summary>
/// The database behind a session store, as the store's parts (<see cref="Store.SessionStore"/>, <see cref="Journal.ConversationLog"/>,
/// <see cref="Audit.PermissionAudit"/>, <see cref="Journal.SessionStats"/>, <see cref="Transfer.SessionTransfer"/>, <see cref="Checkpoints.FileCheckpoints"/>,
/// <see cref="WorkflowRuns.WorkflowRunStore"/>, <see cref="Leases.SessionLeases"/>) use it: reads on a connection of their own, writes as one
/// transaction each, committed before <see cref="WriteAsync"/> returns, and the fence of every session write
/// (<see cref="WriteSessionAsync"/>). The parts' SQL is the same on every engine (named <c>@parameters</c>, integers
/// for times and flags, <c>ON CONFLICT</c>, <c>RETURNING</c>); an engine supplies connections, transactions, its
/// per-session write lock and its locks for workflow runs. It also carries what every part shares: the clock, the
/// content codec (scrub and cap) and the logger.
/// </summary>
/// <remarks>
/// Implementations: <see cref="Sqlite.SqliteSessionDatabase"/> (the default: a file, one writer connection) and the PostgreSQL
/// store's (component AgentHost.Sessions.Postgres: a pooled data source, writes in parallel, each session's writes
/// serialised by a lock on its row). Thread-safe.
/// </remarks>
public abstract class SessionDatabase : IDisposable
{
    private bool _disposed;

    /// <summary>Creates the shared parts.</summary>
    /// <param name="location">Where the sessions are, for messages (a file path; a database without credentials).</param>
    /// <param name="scrubber">Removes secrets from stored texts.</param>
    /// <param name="time">The clock.</param>
    /// <param name="options">The store's limits.</param>
    /// <param name="logger">The store's logger.</param>
    protected SessionDatabase(string location, SecretScrubber scrubber, TimeProvider time, SessionStoreOptions options, ILogger logger)
    {
        Path = location;
        Scrubber = scrubber;
        Clock = time;
        Logger = logger;
        Codec = new ContentCodec(scrubber, options.MaxPartBytes, options.MaxImageBytes);
    }

    /// <summary>Where the sessions are, for messages: the database file's full path, or a server database named without its credentials.</summary>
    public string Path { get; }

    /// <summary>The folder of the per-session lock files (the one-machine fast path of the leases); <see langword="null"/> when the engine has none.</summary>
    public virtual string? LocksDirectory => null;

    /// <summary>Scrubs and caps every stored text.</summary>
    internal ContentCodec Codec { get; }

    /// <summary>Removes secrets from texts stored outside the codec (titles, audit subjects).</summary>
    public SecretScrubber Scrubber { get; }

    /// <summary>The store's logger.</summary>
    public ILogger Logger { get; }

    /// <summary>The clock (for new ids and timestamps).</summary>
    public TimeProvider Clock { get; }

    /// <summary>The fence of the store's session leases, which every session write checks (<see cref="WriteSessionAsync"/>).</summary>
    public ISessionWriteFence? Leases { get; set; }

    /// <summary>Whether the database is disposed.</summary>
    public bool IsDisposed => Volatile.Read(ref _disposed);

    /// <summary>Throws once the database is disposed.</summary>
    public void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(IsDisposed, this);

    /// <summary>
    /// The statement that ends a write appending to a session's journal, when the engine's store is shared by other
    /// processes and it tells them when the write commits (PostgreSQL: <c>NOTIFY</c>); <see langword="null"/> by
    /// default. It must return one row with a number (<see cref="SqlStatement.Returns"/>).
    /// </summary>
    public virtual SqlStatement? EventsAppended(string sessionId) => null;

    /// <summary>
    /// Listens for appends to any session's journal by any process (<see cref="IJournalAppendListener"/>);
    /// <see langword="null"/> where the engine cannot tell (SQLite: one server per file, which wakes its readers itself).
    /// </summary>
    public virtual Task<IAsyncDisposable?> ListenForAppendsAsync(Action<string?> appended, CancellationToken cancellationToken) =>
        Task.FromResult<IAsyncDisposable?>(null);

    /// <summary>Stops the leases' renewals and closes the engine's connections (<see cref="DisposeCore"/>); once.</summary>
    public void Dispose()
    {
        if (IsDisposed)
        {
            return;
        }

        Volatile.Write(ref _disposed, true);
        Leases?.Dispose();
        DisposeCore();
        GC.SuppressFinalize(this);
    }

    /// <summary>Now, in Unix milliseconds (the stored time format).</summary>
    public long Now() => Clock.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Runs a read on a connection of its own.</summary>
    public abstract Task<T> ReadAsync<T>(Func<DbConnection, T> read, CancellationToken cancellationToken);

    /// <summary>Runs a write as one transaction, committed when this returns.</summary>
    public abstract Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, T> write, CancellationToken cancellationToken);

    /// <summary>A read transaction whose queries all see one snapshot.</summary>
    public abstract DbTransaction BeginSnapshot(DbConnection connection);

    /// <summary>Gets the first write ready while nothing waits for it; writes nothing, may do nothing.</summary>
    public virtual Task PrepareWritesAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Inside a write, before anything of a session is read or written: serialises the writes of one session where the
    /// engine runs writes in parallel (the PostgreSQL store locks the session's row), so sequence numbers stay dense and
    /// a lease's take-over waits for the write in flight. Nothing where writes are serialised already (SQLite).
    /// </summary>
    public virtual void LockSession(DbConnection connection, DbTransaction transaction, string sessionId)
    {
    }

    /// <summary>
    /// Inside a write: serialises the writes that lock the same <paramref name="key"/> until the transaction ends, where
    /// the engine runs writes in parallel (the PostgreSQL store: a transaction-scoped advisory lock), so that a count and
    /// the insert that depends on it are one step (<see cref="IRunSlots"/>). Nothing where writes are serialised already (SQLite).
    /// </summary>
    /// <param name="connection">The write's connection.</param>
    /// <param name="transaction">The write's transaction.</param>
    /// <param name="key">What to lock, e.g. <c>run-slots:alice</c>.</param>
    public virtual void LockKey(DbConnection connection, DbTransaction transaction, string key)
    {
    }

    /// <summary>
    /// The exclusive right to <paramref name="key"/> for as long as the result is held (a workflow run), released when
    /// the holder's process ends in any way; <see langword="null"/> when another holder has it.
    /// </summary>
    public abstract IDisposable? TryLockExclusive(string key, bool writeOwner = false);

    /// <summary>Who holds <paramref name="key"/>'s exclusive lock, in words, for an "in use" message.</summary>
    public abstract string DescribeLockOwner(string key);

    /// <summary>
    /// A token that says the holder of this store's leases is alive, for engines that can tell a dead holder from a paused
    /// one without waiting for its leases to expire (the PostgreSQL store: the key of an advisory lock held on a
    /// connection of the store's own, which PostgreSQL drops when the holder's process ends in any way). Stored with each
    /// lease the store takes (<c>session_leases.file_lock</c>); <see langword="null"/> where the engine has none (SQLite
    /// tells by its lock files instead). Taken once, on first use, and held until the database is disposed.
    /// </summary>
    public virtual int? HolderToken => null;

    /// <summary>
    /// Whether the holder that stored <paramref name="token"/> (<see cref="HolderToken"/>) is known to be gone: its
    /// leases are free at once. <see langword="false"/> when the engine cannot tell (then a lease lives until it expires).
    /// </summary>
    public virtual bool IsHolderGone(DbConnection connection, DbTransaction? transaction, long token) => false;

    /// <summary>
    /// A write of one session (<see cref="WriteAsync"/>), fenced: when the store holds the session's lease, its epoch
    /// must still be current inside the same transaction (<see cref="ISessionWriteFence.Check"/>), or nothing is written.
    /// </summary>
    /// <exception cref="SessionLeaseLostException">Another writer took the session over.</exception>
    public Task<T> WriteSessionAsync<T>(string sessionId, Func<DbConnection, DbTransaction, T> write, CancellationToken cancellationToken) =>
        WriteAsync(
            (connection, transaction) =>
            {
                LockSession(connection, transaction, sessionId);
                Leases?.Check(connection, transaction, sessionId);
                return write(connection, transaction);
            },
            cancellationToken);

    /// <summary>
    /// A session write made of statements known before it starts (<see cref="SqlStatement"/>), fenced like
    /// <see cref="WriteSessionAsync{T}"/>: the session's lock, the lease check and the statements, in order, in one
    /// transaction. Here they run one after another (SQLite: in process, prepared once); the PostgreSQL store sends
    /// the lock, the epoch read and all the statements as one batch, one round trip, then commits.
    /// </summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="statements">The statements, in order.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>Each statement's result (<see cref="SqlStatement.Returns"/>), in order.</returns>
    /// <exception cref="SessionLeaseLostException">Another writer took the session over (nothing was stored).</exception>
    /// <exception cref="AgentHostException">No such session, where a statement <see cref="SqlStatement.RequiresSession"/> (nothing was stored).</exception>
    public virtual Task<IReadOnlyList<long>> WriteSessionAsync(string sessionId, IReadOnlyList<SqlStatement> statements, CancellationToken cancellationToken) =>
        WriteSessionAsync<IReadOnlyList<long>>(
            sessionId,
            (connection, transaction) =>
            {
                var results = new long[statements.Count];
                for (var i = 0; i < statements.Count; i++)
                {
                    var statement = statements[i];
                    results[i] = statement.Returns
                        ? Scalar(connection, transaction, statement.Sql, statement.Parameters)
                        : Execute(connection, transaction, statement.Sql, statement.Parameters);
                    if (statement.RequiresSession && results[i] == 0)
                    {
                        throw NotFound(connection, sessionId, transaction);
                    }
                }

                return results;
            },
            cancellationToken);

    /// <summary>Executes a statement inside a write (an engine may prepare it once per connection).</summary>
    /// <returns>The number of rows changed.</returns>
    public virtual int Execute(DbConnection connection, DbTransaction transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, transaction, sql, parameters);
        return command.ExecuteNonQuery();
    }

    /// <summary>Like <see cref="ScalarLong"/>, inside a write (an engine may prepare it once per connection).</summary>
    /// <returns>The first column of the first row as a number (0 when there is none).</returns>
    public virtual long Scalar(DbConnection connection, DbTransaction transaction, string sql, params (string Name, object? Value)[] parameters) =>
        ScalarLong(connection, transaction, sql, parameters);

    /// <summary>A command with its parameters (a <see langword="null"/> value is SQL NULL).</summary>
    public static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        Bind(command, parameters);
        return command;
    }

    /// <summary>Replaces a command's parameters.</summary>
    public static void Bind(DbCommand command, (string Name, object? Value)[] parameters)
    {
        command.Parameters.Clear();
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }
    }

    /// <summary>The first column of the first row as a number (0 when there is none).</summary>
    public static long ScalarLong(DbConnection connection, DbTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, transaction, sql, parameters);
        return command.ExecuteScalar() is { } value and not DBNull ? Convert.ToInt64(value, CultureInfo.InvariantCulture) : 0;
    }

    /// <summary>Whether a session exists.</summary>
    public static bool Exists(DbConnection connection, DbTransaction? transaction, string sessionId) =>
        ScalarLong(connection, transaction, "SELECT COUNT(*) FROM sessions WHERE id = @id", ("@id", sessionId)) > 0;

    /// <summary>Throws the not-found error unless the session exists.</summary>
    public static void RequireSession(DbConnection connection, DbTransaction? transaction, string sessionId)
    {
        if (!Exists(connection, transaction, sessionId))
        {
            throw NotFound(connection, sessionId, transaction);
        }
    }

    /// <summary>A not-found error with close matches among the most recent sessions.</summary>
    public static AgentHostException NotFound(DbConnection connection, string id, DbTransaction? transaction = null)
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

    /// <summary>Closes the engine's connections, once the write in flight (if any) has committed.</summary>
    protected abstract void DisposeCore();
}
