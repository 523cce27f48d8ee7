namespace AgentHost.Kernel.Sessions;

/// <content>
/// Session leases: one writer per session (<see cref="SessionLease"/>), and sessions left <c>active</c> by a process that
/// died are marked <see cref="Agent.SessionStatus.Interrupted"/> when the store opens.
/// </content>
public sealed partial class SessionStore
{
    /// <summary>The folder of the per-session lock files: <c>sessions.locks</c> beside the database.</summary>
    public string LocksDirectory => Path.Combine(Path.GetDirectoryName(DatabasePath)!, Path.GetFileNameWithoutExtension(DatabasePath) + ".locks");

    /// <summary>
    /// Takes the exclusive right to write a session for the length of a run (released on dispose, or by the operating
    /// system when the process dies in any way).
    /// </summary>
    /// <param name="sessionId">The full session id.</param>
    /// <returns>The lease; dispose it when the run ends.</returns>
    /// <exception cref="AgentHostException">Another run (in any process) holds the session (<see cref="ErrorKind.InUse"/>).</exception>
    public SessionLease AcquireSession(string sessionId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sessionId);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var lease = StorageErrors.Guard(LocksDirectory, StorageErrors.Locks, () => SessionLease.TryAcquire(LocksDirectory, sessionId));
        return lease ?? throw InUse(sessionId);
    }

    private AgentHostException InUse(string sessionId) =>
        new(
            ErrorKind.InUse,
            $"session {sessionId} is in use by {SessionLease.DescribeOwner(LocksDirectory, sessionId)}; wait for it to finish or stop that process, then retry (or fork it: 'agent session fork {sessionId}').");

    /// <summary>
    /// Marks every <c>active</c> session whose lock nobody holds as interrupted: its run ended without recording an end
    /// (kill -9, a crash, power loss). The lock, not a pid, tells a live owner from a dead one.
    /// </summary>
    private void MarkDeadRunsInterrupted(Microsoft.Data.Sqlite.SqliteConnection connection)
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
            using var lease = StorageErrors.Guard(LocksDirectory, StorageErrors.Locks, () => SessionLease.TryAcquire(LocksDirectory, id, writeOwner: false));
            if (lease is null)
            {
                continue;
            }

            using var update = Command(connection, null, "UPDATE sessions SET status = 'interrupted' WHERE id = $id AND status = 'active'", ("$id", id));
            try
            {
                if (update.ExecuteNonQuery() > 0)
                {
                    SessionStoreLog.MarkedInterrupted(_logger, id);
                }
            }
            catch (Microsoft.Data.Sqlite.SqliteException ex) when (ex.SqliteErrorCode == StorageErrors.ReadOnly)
            {
                return; // A read-only database can still be read; the first write names the problem.
            }
        }
    }
}
