using System.Globalization;
using AgentHost.Kernel.Agent;
using AgentHost.Kernel.Installation;
using AgentHost.Kernel.Security;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentHost.Kernel.Sessions;

/// <summary>
/// The SQLite session store: sessions, their messages, tool events, usage and settings, written as they happen.
/// </summary>
/// <remarks>
/// <para>
/// One database file (<see cref="Hosting.AgentPaths.SessionsDatabase"/>) in WAL mode with foreign keys on and a busy
/// timeout; the schema is migrated forward when the store opens. Every operation uses its own (pooled) connection and
/// every write is its own immediate transaction, so a crash loses at most the write in flight.
/// </para>
/// <para>
/// Thread-safe: many sessions may be written concurrently from one process (writes are serialised in-process and
/// across processes by SQLite's lock; reads run in parallel). Each session should have one writer. Every stored
/// text is scrubbed of secrets by the <see cref="SecretScrubber"/> and capped in size
/// (<see cref="SessionStoreOptions.MaxPartBytes"/>) before it reaches the file. Dispose to release pooled connections.
/// </para>
/// </remarks>
public sealed partial class SessionStore : IConversationRecorder, IDisposable
{
    private const string SessionColumns = """
        s.id, s.title, s.workspace, s.provider, s.model, s.status, s.parent_id, s.fork_message_id, s.created_at,
        s.updated_at, s.input_tokens, s.output_tokens, s.cached_tokens, s.cost_nanousd, s.settings,
        (SELECT COALESCE(MAX(m.seq), 0) FROM messages m WHERE m.session_id = s.id),
        (SELECT COALESCE(MAX(t.seq), 0) FROM tool_events t WHERE t.session_id = s.id)
        """;

    private readonly string _connectionString;
    private readonly string _pragmas;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly TimeProvider _time;
    private readonly ContentCodec _codec;
    private readonly SecretScrubber _scrubber;
    private readonly ILogger _logger;
    private bool _disposed;

    private SessionStore(string databasePath, SecretScrubber scrubber, TimeProvider time, SessionStoreOptions options, ILogger logger)
    {
        DatabasePath = databasePath;
        _scrubber = scrubber;
        _time = time;
        _logger = logger;
        _codec = new ContentCodec(scrubber, options.MaxPartBytes, options.MaxImageBytes);
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
    }

    /// <summary>The schema version this build writes (<c>PRAGMA user_version</c>).</summary>
    public static int SchemaVersion => SessionMigrations.CurrentVersion;

    /// <summary>The database file.</summary>
    public string DatabasePath { get; }

    /// <summary>Opens (creating when missing) and migrates the database.</summary>
    /// <param name="databasePath">The database file, e.g. <see cref="Hosting.AgentPaths.SessionsDatabase"/>.</param>
    /// <param name="scrubber">Removes secrets from every stored text.</param>
    /// <param name="timeProvider">The clock (default: system).</param>
    /// <param name="options">Limits (default: <see cref="SessionStoreOptions"/>).</param>
    /// <param name="logger">The logger.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The open store.</returns>
    /// <exception cref="AgentHostException">The file is not a session database, or was written by a newer agent.</exception>
    public static async Task<SessionStore> OpenAsync(
        string databasePath,
        SecretScrubber scrubber,
        TimeProvider? timeProvider = null,
        SessionStoreOptions? options = null,
        ILogger<SessionStore>? logger = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        ArgumentNullException.ThrowIfNull(scrubber);
        var full = Path.GetFullPath(databasePath);
        StorageErrors.Guard(full, StorageErrors.Database, () => Directory.CreateDirectory(Path.GetDirectoryName(full)!));
        var store = new SessionStore(full, scrubber, timeProvider ?? TimeProvider.System, options ?? new SessionStoreOptions(), (ILogger?)logger ?? NullLogger.Instance);
        try
        {
            await using var connection = await store.ConnectAsync(cancellationToken).ConfigureAwait(false);
            using (var wal = connection.CreateCommand())
            {
                wal.CommandText = "PRAGMA journal_mode = WAL;";
                wal.ExecuteNonQuery();
            }

            var found = SessionMigrations.Apply(connection, full);
            if (found != SessionMigrations.CurrentVersion)
            {
                SessionStoreLog.Migrated(store._logger, full, found, SessionMigrations.CurrentVersion);
            }

            store.MarkDeadRunsInterrupted(connection);
            return store;
        }
        catch (SqliteException ex) when (StorageErrors.Translate(ex, full) is { } storage)
        {
            store.Dispose();
            throw storage;
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode is 26 or 11)
        {
            store.Dispose();
            throw new AgentHostException(
                ErrorKind.Configuration,
                $"{full} is not a readable session database ({ex.Message.TrimEnd('.')}). Move the file away and agent starts a new one.",
                ex);
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Finds the session an id or a unique id prefix (case-insensitive) names.
    /// </summary>
    /// <param name="idOrPrefix">What the user typed.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The full id.</returns>
    /// <exception cref="AgentHostException">No session matches (<see cref="ErrorKind.NotFound"/>, with close matches), or several do (<see cref="ErrorKind.Usage"/>).</exception>
    public Task<string> ResolveIdAsync(string idOrPrefix, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(idOrPrefix);
        var wanted = SessionIds.Normalize(idOrPrefix);
        return ReadAsync(
            connection =>
            {
                if (wanted.Length == 0)
                {
                    throw new AgentHostException(ErrorKind.Usage, "a session id is required. See 'agent session list'.");
                }

                var matches = new List<string>();
                using (var command = Command(connection, null, "SELECT id FROM sessions WHERE id >= $p AND id < $p || '~' ORDER BY id LIMIT 6", ("$p", wanted)))
                using (var reader = command.ExecuteReader())
                {
                    while (reader.Read())
                    {
                        matches.Add(reader.GetString(0));
                    }
                }

                return matches switch
                {
                    [var only] => only,
                    _ when matches.Contains(wanted) => wanted,
                    [] => throw NotFound(connection, idOrPrefix.Trim()),
                    _ => throw new AgentHostException(
                        ErrorKind.Usage,
                        $"'{idOrPrefix.Trim()}' matches several sessions ({string.Join(", ", matches.Take(5))}{(matches.Count > 5 ? ", …" : string.Empty)}). Type more of the id."),
                };
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        using (var connection = new SqliteConnection(_connectionString))
        {
            SqliteConnection.ClearPool(connection);
        }

        _writeGate.Dispose();
    }

    private long Now() => _time.GetUtcNow().ToUnixTimeMilliseconds();

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
        catch (SqliteException ex) when (StorageErrors.Translate(ex, DatabasePath) is { } storage)
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

    /// <summary>Runs a read on its own connection (reads run in parallel under WAL).</summary>
    private async Task<T> ReadAsync<T>(Func<SqliteConnection, T> read, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        cancellationToken.ThrowIfCancellationRequested();
        var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            return read(connection);
        }
    }

    /// <summary>Runs a write as one immediate transaction, one writer at a time in this process.</summary>
    private async Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, T> write, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                using var transaction = connection.BeginTransaction(deferred: false);
                var result = write(connection, transaction);
                transaction.Commit();
                return result;
            }
        }
        catch (SqliteException ex) when (StorageErrors.Translate(ex, DatabasePath) is { } storage)
        {
            throw storage;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
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

    private static long ScalarLong(SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, transaction, sql, parameters);
        return command.ExecuteScalar() is { } value and not DBNull ? Convert.ToInt64(value, CultureInfo.InvariantCulture) : 0;
    }

    private static bool Exists(SqliteConnection connection, SqliteTransaction? transaction, string sessionId) =>
        ScalarLong(connection, transaction, "SELECT COUNT(*) FROM sessions WHERE id = $id", ("$id", sessionId)) > 0;

    private static void RequireSession(SqliteConnection connection, SqliteTransaction? transaction, string sessionId)
    {
        if (!Exists(connection, transaction, sessionId))
        {
            throw NotFound(connection, sessionId, transaction);
        }
    }

    /// <summary>A not-found error with close matches among the most recent sessions.</summary>
    private static AgentHostException NotFound(SqliteConnection connection, string id, SqliteTransaction? transaction = null)
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

    private static DateTimeOffset Time(long milliseconds) => DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);

    private static string StatusText(SessionStatus status) => status.ToString().ToLowerInvariant();

    private static SessionStatus ParseStatus(string text) =>
        Enum.TryParse<SessionStatus>(text, ignoreCase: true, out var status) ? status : SessionStatus.Interrupted;
}
