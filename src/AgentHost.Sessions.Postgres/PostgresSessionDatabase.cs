using System.Buffers.Binary;
using System.Data;
using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using AgentHost.Hosting.Security;
using Microsoft.Extensions.Logging;
using Npgsql;
using AgentHost.Sessions.Leases;
using AgentHost.Sessions.Sql;

namespace AgentHost.Sessions.Postgres;

/// <summary>
/// The session store's SQL core (<see cref="SessionDatabase"/>) on PostgreSQL: a pooled <see cref="NpgsqlDataSource"/>,
/// a connection per operation, every write its own <c>READ COMMITTED</c> transaction committed before it returns.
/// </summary>
/// <remarks>
/// <para>
/// Writes run in parallel (many sessions, many processes, many nodes). The writes of one session are serialised by a
/// lock on the session's row taken first in every session write (<see cref="LockSession"/>, <c>FOR NO KEY UPDATE</c>, which
/// does not block the foreign-key checks of other sessions' rows), and a lease's take-over takes the same lock: so a
/// take-over waits for the write in flight, and a write that starts after it reads the new epoch and stores nothing
/// (<see cref="SessionLeases.Check"/>). A deadlock or serialization failure is retried (three attempts).
/// </para>
/// <para>
/// Workflow runs' exclusive locks are session-level advisory locks held on a connection of their own: PostgreSQL drops
/// them when that connection ends, so a holder killed in any way frees its run. Thread-safe.
/// </para>
/// </remarks>
internal sealed class PostgresSessionDatabase : SessionDatabase
{
    private const int WriteAttempts = 3;

    /// <summary>The first key of every holder lock (<see cref="HolderToken"/>): "AGLH".</summary>
    public const int HolderLockSpace = 0x41474C48;

    /// <summary>A session's lock in a write (parameter <c>@id</c>): one row when the session exists.</summary>
    private const string LockSql = "SELECT 1 FROM sessions WHERE id = @id FOR NO KEY UPDATE";

    private readonly NpgsqlDataSource _source;
    private readonly PostgresConnectionString _connection;
    private readonly string _settingName;
    private readonly Lock _holderGate = new();

    /// <summary>Names this store's appends in their notices, so that its own listener skips them.</summary>
    private readonly string _writer = Guid.NewGuid().ToString("N");
    private AdvisoryLock? _holder;

    public PostgresSessionDatabase(PostgresConnectionString connection, string settingName, SecretScrubber scrubber, TimeProvider time, SessionStoreOptions options, ILogger logger)
        : base(connection.Location, scrubber, time, options, logger)
    {
        _connection = connection;
        _settingName = settingName;
        _source = new NpgsqlDataSourceBuilder(WithTransactionLimit(connection.Builder)).Build();
    }

    /// <summary>
    /// How long PostgreSQL lets one of the store's connections sit idle inside a transaction before it ends the connection
    /// (<c>idle_in_transaction_session_timeout</c>). A writer stopped in the middle of a transaction (a paused node of a
    /// cluster, a process stuck in a debugger) would otherwise keep the session's row lock, and every other writer of the
    /// session would wait on it; the store's own transactions never wait on anything but the database.
    /// </summary>
    internal const int IdleInTransactionMilliseconds = 15_000;

    private static string WithTransactionLimit(NpgsqlConnectionStringBuilder settings)
    {
        var limit = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"-c idle_in_transaction_session_timeout={IdleInTransactionMilliseconds}");
        return new NpgsqlConnectionStringBuilder(settings.ConnectionString)
        {
            Options = string.IsNullOrWhiteSpace(settings.Options) ? limit : settings.Options + " " + limit,
        }.ConnectionString;
    }

    /// <summary>Opens a connection, translating a failure the user can fix (no server there, a refused login, no such database).</summary>
    public async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        try
        {
            return await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException ex) when (PostgresErrors.Translate(ex, _connection, _settingName) is { } translated)
        {
            throw translated;
        }
    }

    /// <summary>Opens a pooled connection synchronously, for the store's synchronous members (the advisory locks).</summary>
    private NpgsqlConnection Open()
    {
        ThrowIfDisposed();
        try
        {
            return _source.OpenConnection();
        }
        catch (NpgsqlException ex) when (PostgresErrors.Translate(ex, _connection, _settingName) is { } translated)
        {
            throw translated;
        }
    }

    /// <inheritdoc/>
    public override async Task<T> ReadAsync<T>(Func<DbConnection, T> read, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            return read(connection);
        }
    }

    /// <inheritdoc/>
    public override Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, T> write, CancellationToken cancellationToken) =>
        WriteAwaitingAsync((connection, transaction) => Task.FromResult(write(connection, transaction)), cancellationToken);

    /// <summary>
    /// <see cref="WriteAsync{T}(Func{DbConnection, DbTransaction, T}, CancellationToken)"/> with a body that awaits its
    /// statements (a batch must: see <see cref="WriteSessionAsync(string, IReadOnlyList{SqlStatement}, CancellationToken)"/>).
    /// </summary>
    private async Task<T> WriteAwaitingAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> write, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                try
                {
                    var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false);
                    await using (transaction.ConfigureAwait(false))
                    {
                        var result = await write(connection, transaction).ConfigureAwait(false);

                        // Not cancelled half-way: a commit either happens or reports its own failure.
                        await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
                        return result;
                    }
                }
                catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure && attempt < WriteAttempts)
                {
                    // Rolled back; run the whole write again.
                }
            }
        }
    }

    /// <inheritdoc/>
    public override DbTransaction BeginSnapshot(DbConnection connection) => connection.BeginTransaction(IsolationLevel.RepeatableRead);

    /// <inheritdoc/>
    /// <remarks>Opens a connection ahead of the first write, so the pool has one ready.</remarks>
    public override async Task PrepareWritesAsync(CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.DisposeAsync().ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public override void LockSession(DbConnection connection, DbTransaction transaction, string sessionId)
    {
        using var command = Command(connection, transaction, LockSql, ("@id", sessionId));
        command.ExecuteScalar();
    }

    /// <inheritdoc/>
    /// <remarks>
    /// <para>
    /// One round trip for the whole write, then the commit: the session's lock, the lease's epoch (when this store
    /// holds the lease) and the statements go as one <see cref="NpgsqlBatch"/> in the write's transaction. Each
    /// statement of a batch still reads what committed before it started (<c>READ COMMITTED</c>), so the epoch read
    /// after the lock sees a take-over that the lock waited for; a stale epoch, or no session row, rolls the whole
    /// write back before anything is committed.
    /// </para>
    /// <para>
    /// The batch is executed and read with the asynchronous API only. Npgsql (8 and later) sends every command of a batch
    /// after the first asynchronously even when it is executed synchronously, so a synchronous
    /// <c>ExecuteReader</c> blocks its thread-pool thread until a thread-pool work item has sent the rest: with
    /// enough writes at once (100 sessions in the load benchmark) every thread waits for a send that no thread is free
    /// to make, PostgreSQL sees nothing of those batches, and they end with Npgsql's "Timeout during reading attempt"
    /// after the 30 s command timeout (npgsql/npgsql#5607; issue #45).
    /// </para>
    /// </remarks>
    public override Task<IReadOnlyList<long>> WriteSessionAsync(string sessionId, IReadOnlyList<SqlStatement> statements, CancellationToken cancellationToken) =>
        WriteAwaitingAsync<IReadOnlyList<long>>(
            async (connection, transaction) =>
            {
                var epoch = Leases?.HeldEpoch(sessionId);
                using var batch = new NpgsqlBatch(connection, transaction);
                Add(batch, LockSql, ("@id", sessionId));
                if (epoch is not null)
                {
                    Add(batch, SessionLeases.EpochSql, ("@id", sessionId));
                }

                foreach (var statement in statements)
                {
                    Add(batch, statement.Sql, statement.Parameters);
                }

                var results = new long[statements.Count];
                var exists = false;
                var current = 0L;
                try
                {
                    // Not cancelled half-way, as the writes one statement at a time were not: the token stops a write before it starts.
                    var reader = await batch.ExecuteReaderAsync(CancellationToken.None).ConfigureAwait(false);
                    await using (reader.ConfigureAwait(false))
                    {
                        exists = await reader.ReadAsync(CancellationToken.None).ConfigureAwait(false);
                        if (epoch is not null)
                        {
                            await reader.NextResultAsync(CancellationToken.None).ConfigureAwait(false);
                            current = await reader.ReadAsync(CancellationToken.None).ConfigureAwait(false) ? reader.GetInt64(0) : 0;
                        }

                        // Result sets come only from the statements that return rows, in order.
                        for (var i = 0; i < statements.Count; i++)
                        {
                            if (statements[i].Returns)
                            {
                                await reader.NextResultAsync(CancellationToken.None).ConfigureAwait(false);
                                results[i] = await reader.ReadAsync(CancellationToken.None).ConfigureAwait(false) && !reader.IsDBNull(0)
                                    ? Convert.ToInt64(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture)
                                    : 0;
                            }
                        }
                    }
                }
                catch (PostgresException ex) when (!exists && ex.SqlState == PostgresErrorCodes.ForeignKeyViolation)
                {
                    // A statement failed because there is no session row: reported as not found below. Any other
                    // failure (a deadlock to retry, a cancelled statement) is what it is, not a missing session.
                }

                if (!exists)
                {
                    // As the writes one statement at a time: a lease this store held on a deleted session is lost.
                    await transaction.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
                    if (epoch is not null)
                    {
                        Leases!.Verify(connection, null, sessionId, current);
                    }

                    throw NotFound(connection, sessionId);
                }

                if (epoch is not null)
                {
                    Leases!.Verify(connection, transaction, sessionId, current);
                }

                for (var i = 0; i < statements.Count; i++)
                {
                    if (!statements[i].Returns)
                    {
                        results[i] = batch.BatchCommands[i + (epoch is null ? 1 : 2)].RecordsAffected;
                    }
                }

                return results;
            },
            cancellationToken);

    /// <inheritdoc/>
    /// <remarks><c>pg_advisory_xact_lock</c> on the key's hash (as <see cref="TryLockExclusive"/>'s keys): released when the write commits or rolls back.</remarks>
    public override void LockKey(DbConnection connection, DbTransaction transaction, string key)
    {
        var (high, low) = AdvisoryKey(key);
        using var command = Command(connection, transaction, "SELECT pg_advisory_xact_lock(@high, @low)", ("@high", high), ("@low", low));
        command.ExecuteScalar();
    }

    /// <inheritdoc/>
    public override IDisposable? TryLockExclusive(string key, bool writeOwner = false)
    {
        var (high, low) = AdvisoryKey(key);
        return TryAdvisoryLock(high, low);
    }

    /// <summary>Takes a session-level advisory lock on a connection of its own; <see langword="null"/> when another holder has it.</summary>
    private AdvisoryLock? TryAdvisoryLock(int high, int low)
    {
        var connection = Open();
        try
        {
            using var command = Command(connection, null, "SELECT pg_try_advisory_lock(@high, @low)", ("@high", high), ("@low", low));
            if (command.ExecuteScalar() is true)
            {
                return new AdvisoryLock(connection, high, low);
            }
        }
        catch
        {
            connection.Dispose();
            throw;
        }

        connection.Dispose();
        return null;
    }

    /// <inheritdoc/>
    public override string DescribeLockOwner(string key)
    {
        var (high, low) = AdvisoryKey(key);
        using var connection = Open();
        using var command = Command(
            connection,
            null,
            """
            SELECT a.pid, COALESCE(a.application_name, ''), COALESCE(host(a.client_addr), 'local')
            FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.granted AND l.classid = (@high)::oid AND l.objid = (@low)::oid
            LIMIT 1
            """,
            ("@high", (long)(uint)high),
            ("@low", (long)(uint)low));
        using var reader = command.ExecuteReader();
        return reader.Read()
            ? $"another process ({reader.GetString(1)} connected from {reader.GetString(2)}, PostgreSQL backend {reader.GetInt32(0)})"
            : "another process";
    }

    /// <inheritdoc/>
    /// <remarks>
    /// An advisory lock (<c>pg_try_advisory_lock(HolderLockSpace, token)</c>) on a connection of its own, taken on first
    /// use with a random token (another if that one is taken) and held until the store is disposed; taken again with a
    /// new token when that connection broke. When the holder's process ends in any way, PostgreSQL ends the connection
    /// and frees the lock: its leases are free at once (<see cref="IsHolderGone"/>).
    /// </remarks>
    public override int? HolderToken
    {
        get
        {
            lock (_holderGate)
            {
                ThrowIfDisposed();
                if (_holder is { IsOpen: true } held)
                {
                    return held.Low;
                }

                _holder?.Dispose();
                _holder = null;
                while (_holder is null)
                {
                    _holder = TryAdvisoryLock(HolderLockSpace, RandomNumberGenerator.GetInt32(1, int.MaxValue));
                }

                return _holder.Low;
            }
        }
    }

    /// <inheritdoc/>
    public override bool IsHolderGone(DbConnection connection, DbTransaction? transaction, long token)
    {
        using var command = Command(
            connection,
            transaction,
            """
            SELECT NOT EXISTS (SELECT 1 FROM pg_locks
                WHERE locktype = 'advisory' AND granted AND objsubid = 2 AND classid = (@space)::oid AND objid = (@token)::oid
                  AND database = (SELECT oid FROM pg_database WHERE datname = current_database()))
            """,
            ("@space", (long)HolderLockSpace),
            ("@token", token));
        return command.ExecuteScalar() is true;
    }

    /// <inheritdoc/>
    /// <remarks>Delivered to every listening process when the append's transaction commits (<see cref="PostgresAppendListener"/>).</remarks>
    public override SqlStatement EventsAppended(string sessionId) =>
        new($"SELECT 1 FROM (SELECT pg_notify('{PostgresAppendListener.Channel}', @notice)) AS notice", ("@notice", PostgresAppendListener.Notice(_writer, sessionId))) { Returns = true };

    /// <inheritdoc/>
    /// <remarks>This store's own appends are not reported (its process knows them already).</remarks>
    public override async Task<IAsyncDisposable?> ListenForAppendsAsync(Action<string?> appended, CancellationToken cancellationToken) =>
        await PostgresAppendListener.StartAsync(OpenAsync, _writer, appended, Logger, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    protected override void DisposeCore()
    {
        lock (_holderGate)
        {
            _holder?.Dispose();
            _holder = null;
        }

        _source.Dispose();
    }

    private static void Add(NpgsqlBatch batch, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = batch.CreateBatchCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter(name, value ?? DBNull.Value));
        }

        batch.BatchCommands.Add(command);
    }

    /// <summary>Two 32-bit keys for an advisory lock, from the SHA-256 of the name (collisions are astronomically rare).</summary>
    private static (int High, int Low) AdvisoryKey(string key)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes("agenthost:" + key));
        return (BinaryPrimitives.ReadInt32BigEndian(hash), BinaryPrimitives.ReadInt32BigEndian(hash.AsSpan(4)));
    }

    /// <summary>A held advisory lock: released, and its connection closed, when disposed.</summary>
    private sealed class AdvisoryLock(NpgsqlConnection connection, int high, int low) : IDisposable
    {
        private int _disposed;

        /// <summary>The lock's second key.</summary>
        public int Low => low;

        /// <summary>Whether its connection is still open (a broken one has lost the lock).</summary>
        public bool IsOpen => Volatile.Read(ref _disposed) == 0 && connection.FullState == ConnectionState.Open;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }

            try
            {
                using var command = Command(connection, null, "SELECT pg_advisory_unlock(@high, @low)", ("@high", high), ("@low", low));
                command.ExecuteScalar();
            }
            catch (NpgsqlException)
            {
                // The connection is broken: PostgreSQL released the lock with it.
            }
            finally
            {
                connection.Dispose();
            }
        }
    }
}
