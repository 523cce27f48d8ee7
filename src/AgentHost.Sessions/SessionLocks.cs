using AgentHost.Hosting;
using Microsoft.Data.Sqlite;
using static AgentHost.Sessions.SessionDatabase;

namespace AgentHost.Sessions;

/// <summary>
/// The run locks of the store's sessions (<see cref="SessionLease"/> files in <see cref="SessionDatabase.LocksDirectory"/>):
/// one writer per session, deletion only while no run holds it, and the recovery when the store opens (an active session
/// whose lock nobody holds was interrupted).
/// </summary>
internal static class SessionLocks
{
    /// <summary>The run lease of a session (<see cref="SessionStore.AcquireSession"/>).</summary>
    /// <exception cref="AgentHostException">Another run holds the session (<see cref="ErrorKind.InUse"/>).</exception>
    public static SessionLease Acquire(SessionDatabase database, string sessionId) =>
        StorageErrors.Guard(database.LocksDirectory, StorageErrors.Locks, () => SessionLease.TryAcquire(database.LocksDirectory, sessionId))
        ?? throw InUse(database, sessionId);

    /// <summary>The lease held while a session is deleted (its lock file goes with it), or <see langword="null"/> when no session was ever locked.</summary>
    /// <exception cref="AgentHostException">A run holds the session (<see cref="ErrorKind.InUse"/>).</exception>
    public static SessionLease? AcquireForDelete(SessionDatabase database, string sessionId) =>
        Directory.Exists(database.LocksDirectory)
            ? StorageErrors.Guard(database.LocksDirectory, StorageErrors.Locks, () => SessionLease.TryAcquire(database.LocksDirectory, sessionId, deleteOnRelease: true, writeOwner: false)) ?? throw InUse(database, sessionId)
            : null;

    /// <summary>
    /// Marks every <c>active</c> session whose lock nobody holds as interrupted: its run ended without recording an end
    /// (kill -9, a crash, power loss). The lock, not a pid, tells a live owner from a dead one.
    /// </summary>
    public static void MarkDeadRunsInterrupted(SessionDatabase database, SqliteConnection connection)
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
            using var lease = StorageErrors.Guard(database.LocksDirectory, StorageErrors.Locks, () => SessionLease.TryAcquire(database.LocksDirectory, id, writeOwner: false));
            if (lease is null)
            {
                continue;
            }

            using var update = Command(connection, null, "UPDATE sessions SET status = 'interrupted' WHERE id = $id AND status = 'active'", ("$id", id));
            try
            {
                if (update.ExecuteNonQuery() > 0)
                {
                    SessionStoreLog.MarkedInterrupted(database.Logger, id);
                }
            }
            catch (SqliteException ex) when (ex.SqliteErrorCode == StorageErrors.ReadOnly)
            {
                return; // A read-only database can still be read; the first write names the problem.
            }
        }
    }

    private static AgentHostException InUse(SessionDatabase database, string sessionId) =>
        new(
            ErrorKind.InUse,
            $"session {sessionId} is in use by {SessionLease.DescribeOwner(database.LocksDirectory, sessionId)}; wait for it to finish or stop that process, then retry (or fork it: 'agent session fork {sessionId}').");
}
