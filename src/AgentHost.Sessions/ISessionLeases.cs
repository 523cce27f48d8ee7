namespace AgentHost.Sessions;

/// <summary>
/// One writer per session: the session leases of a store (<see cref="ISessionStore.Leases"/>). A lease is an epoch — a
/// fencing token, one more at every acquisition — that the store checks at every write of the session.
/// </summary>
/// <remarks>
/// <para>The contract every implementation keeps (tests/AgentHost.Sessions.Tests' <c>SessionStoreContract</c> checks it):</para>
/// <list type="bullet">
/// <item><description>
/// <see cref="AcquireAsync"/> takes the session with a new epoch (one more than any before; a session created with
/// <see cref="ISessionStore.CreateLeasedSessionAsync"/> starts at 1) unless a live holder has it, which is an
/// <see cref="Hosting.ErrorKind.InUse"/> error naming that holder. A holder is live while its lease has not expired; an
/// implementation may know sooner that a holder is gone (the SQLite store: its process no longer holds the session's
/// lock file) and then hand the session over at once.
/// </description></item>
/// <item><description>
/// While a lease taken through a store is held, every write that store makes to the session (messages, tool events,
/// status, usage, title, settings, grants, audit, checkpoints) runs only if the lease's epoch is still the current one,
/// checked in the write's own transaction; otherwise it stores nothing and throws
/// <see cref="SessionLeaseLostException"/>, and the lease is lost for good. Writes of a session the store holds no
/// lease for (an administrative command) are not fenced.
/// </description></item>
/// <item><description>
/// The store renews the leases it holds before they expire (every third of <see cref="Duration"/>), so a holder loses
/// its session only when it stops running (paused, hung, cut off from the store) for longer than that.
/// </description></item>
/// <item><description>Releasing a lease (disposing it) frees the session at once, unless it was lost: a stale holder never frees another's lease.</description></item>
/// <item><description>Deleting a session a live holder has is an <see cref="Hosting.ErrorKind.InUse"/> error.</description></item>
/// </list>
/// <para>Thread-safe; lives as long as its store.</para>
/// </remarks>
public interface ISessionLeases
{
    /// <summary>How long a lease stays live without renewal.</summary>
    TimeSpan Duration { get; }

    /// <summary>Takes the session with a new epoch.</summary>
    /// <param name="sessionId">The full session id.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The lease; dispose it when the writer closes the session.</returns>
    /// <exception cref="Hosting.AgentHostException">No such session (<see cref="Hosting.ErrorKind.NotFound"/>), or a live holder has it (<see cref="Hosting.ErrorKind.InUse"/>).</exception>
    Task<SessionLease> AcquireAsync(string sessionId, CancellationToken cancellationToken = default);

    /// <summary>The session's lease as the store has it now (diagnostics, status).</summary>
    /// <param name="sessionId">The full session id.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The lease, or <see langword="null"/> when the session was never leased (or does not exist).</returns>
    Task<SessionLeaseInfo?> GetAsync(string sessionId, CancellationToken cancellationToken = default);
}

/// <summary>A session's lease as the store has it.</summary>
/// <param name="SessionId">The session.</param>
/// <param name="Epoch">The current epoch (the last one handed out).</param>
/// <param name="Holder">Who holds it, in words; <see langword="null"/> when it was released.</param>
/// <param name="ExpiresAt">When it expires unless renewed; <see langword="null"/> when released.</param>
public sealed record SessionLeaseInfo(string SessionId, long Epoch, string? Holder, DateTimeOffset? ExpiresAt)
{
    /// <summary>Whether a writer holds it (it may still have expired).</summary>
    public bool IsHeld => Holder is not null;

    /// <summary>
    /// Whether a live writer holds it: held, not expired, and its holder not known to be gone (the PostgreSQL store knows
    /// at once when a holder's process ended; elsewhere a dead holder's lease stays live until it expires). A session
    /// stored as active whose lease is not live has no writer: its run in flight ended with its process.
    /// </summary>
    public bool IsLive { get; init; }
}
