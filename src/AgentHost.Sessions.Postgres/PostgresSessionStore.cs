using AgentHost.Hosting;
using AgentHost.Hosting.Security;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using AgentHost.Sessions.Sql;
using AgentHost.Sessions.Store;

namespace AgentHost.Sessions.Postgres;

/// <summary>
/// Opens the session store on a PostgreSQL database: the same <see cref="SessionStore"/> (one SQL core, the same parts,
/// the same scrubbing and size caps, the same store contract) on a PostgreSQL engine, with the schema migrated forward
/// (its own versioned migrations). For a shared server or a cluster; SQLite stays the default everywhere else.
/// </summary>
/// <remarks>
/// Every write is its own transaction; each session's writes are serialised by a lock on its row and fenced by its lease's
/// epoch in the same transaction (docs/sessions.md "The store interface"). On open, sessions left <c>active</c> with no
/// live lease (their writer died) are marked <c>interrupted</c>. The returned store is thread-safe; dispose it to close the
/// connection pool.
/// </remarks>
public static partial class PostgresSessionStore
{
    /// <summary>Opens (migrating when needed) the store on <paramref name="connection"/>.</summary>
    /// <param name="connection">The database (<see cref="PostgresConnectionString.Parse"/>).</param>
    /// <param name="scrubber">Removes secrets from every stored text.</param>
    /// <param name="timeProvider">The clock (default: system).</param>
    /// <param name="options">Limits and the lease duration (default: <see cref="SessionStoreOptions"/>; the SQLite-only <c>BusyTimeout</c> and <c>Pooling</c> do not apply).</param>
    /// <param name="logger">The logger.</param>
    /// <param name="settingName">The setting the connection came from, for error messages (default <c>server.store</c>).</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The open store.</returns>
    /// <exception cref="AgentHostException">The database cannot be reached, refuses the login, does not exist, or has a newer schema — each named with its host and port and the setting to fix.</exception>
    public static async Task<SessionStore> OpenAsync(
        PostgresConnectionString connection,
        SecretScrubber scrubber,
        TimeProvider? timeProvider = null,
        SessionStoreOptions? options = null,
        ILogger<SessionStore>? logger = null,
        string settingName = "server.store",
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(scrubber);
        var chosen = options ?? new SessionStoreOptions();
        var log = (ILogger?)logger ?? NullLogger.Instance;
        var database = new PostgresSessionDatabase(connection, settingName, scrubber, timeProvider ?? TimeProvider.System, chosen, log);
        try
        {
            var opened = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using (opened.ConfigureAwait(false))
            {
                var found = await PostgresMigrations.ApplyAsync(opened, connection.Location, cancellationToken).ConfigureAwait(false);
                if (found != PostgresMigrations.CurrentVersion)
                {
                    LogMigrated(log, connection.Location, found, PostgresMigrations.CurrentVersion);
                }
            }

            var store = new SessionStore(database, chosen.LeaseDuration, chosen.MaxPartBytes);
            await MarkDeadRunsInterruptedAsync(database, cancellationToken).ConfigureAwait(false);
            return store;
        }
        catch (NpgsqlException ex) when (PostgresErrors.Translate(ex, connection, settingName) is { } translated)
        {
            database.Dispose();
            throw translated;
        }
        catch
        {
            database.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Marks every <c>active</c> session whose writer is gone as interrupted: no live lease holds it (released, expired
    /// because its holder stopped renewing, or its holder's process ended: its holder lock is free,
    /// <see cref="PostgresSessionDatabase.HolderToken"/>). A session another live node or process holds keeps its status.
    /// </summary>
    private static async Task MarkDeadRunsInterruptedAsync(PostgresSessionDatabase database, CancellationToken cancellationToken)
    {
        var marked = await database.WriteAsync(
            (connection, transaction) =>
            {
                using var command = SessionDatabase.Command(
                    connection,
                    transaction,
                    """
                    UPDATE sessions s SET status = 'interrupted' WHERE s.status = 'active' AND NOT EXISTS (
                        SELECT 1 FROM session_leases l WHERE l.session_id = s.id AND l.owner IS NOT NULL AND l.expires_at > @now
                            AND (l.file_lock = 0 OR EXISTS (SELECT 1 FROM pg_locks k
                                WHERE k.locktype = 'advisory' AND k.granted AND k.objsubid = 2 AND k.classid = (@space)::oid AND k.objid = (l.file_lock)::oid
                                  AND k.database = (SELECT oid FROM pg_database WHERE datname = current_database()))))
                    RETURNING s.id
                    """,
                    ("@now", database.Now()),
                    ("@space", (long)PostgresSessionDatabase.HolderLockSpace));
                using var reader = command.ExecuteReader();
                var ids = new List<string>();
                while (reader.Read())
                {
                    ids.Add(reader.GetString(0));
                }

                return ids;
            },
            cancellationToken).ConfigureAwait(false);
        foreach (var id in marked)
        {
            LogMarkedInterrupted(database.Logger, id);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Migrated the PostgreSQL session store {Location} from schema version {From} to {To}")]
    private static partial void LogMigrated(ILogger logger, string location, int from, int to);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId} was active but no live lease holds it: marked interrupted")]
    private static partial void LogMarkedInterrupted(ILogger logger, string sessionId);
}
