namespace AgentHost.Sessions;

/// <summary>
/// The right to write one session, from the moment a writer opens it to its close: an <see cref="Epoch"/> (a fencing
/// token) the store handed out when the lease was taken (<see cref="ISessionLeases.AcquireAsync"/>).
/// </summary>
/// <remarks>
/// <para>
/// The epoch is the authority: while this lease is held, every write its store makes to the session is conditional on
/// it, so once another writer has taken the session over (a higher epoch) this writer's next write fails with a
/// <see cref="SessionLeaseLostException"/> and stores nothing, and <see cref="IsLost"/> turns true. A lease is taken
/// over only when its holder stopped renewing it (the store renews held leases on its own; see
/// <see cref="ISessionLeases"/>), or when the store knows its holder is gone (the SQLite store's lock file).
/// </para>
/// <para>Thread-safe. Dispose to release (a lease already lost releases nothing). One lease per open session.</para>
/// </remarks>
public abstract class SessionLease : IAsyncDisposable
{
    private int _lost;
    private int _released;

    /// <summary>Creates a held lease.</summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="epoch">The epoch the store handed out (1 for a new session, one more at every later acquisition).</param>
    /// <param name="holder">Who holds it, in words (e.g. <c>process 1234 (started …)</c>).</param>
    protected SessionLease(string sessionId, long epoch, string holder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sessionId);
        ArgumentOutOfRangeException.ThrowIfLessThan(epoch, 1);
        ArgumentNullException.ThrowIfNull(holder);
        SessionId = sessionId;
        Epoch = epoch;
        Holder = holder;
    }

    /// <summary>The session held.</summary>
    public string SessionId { get; }

    /// <summary>The fencing token: every write of the session through this lease's store must still find it current.</summary>
    public long Epoch { get; }

    /// <summary>Who holds it, in words (what another writer's "in use" message names).</summary>
    public string Holder { get; }

    /// <summary>Whether another writer has taken the session over (a write or a renewal found a newer epoch); it never turns back.</summary>
    public bool IsLost => Volatile.Read(ref _lost) != 0;

    /// <summary>Whether it has been released (disposed).</summary>
    public bool IsReleased => Volatile.Read(ref _released) != 0;

    /// <summary>
    /// Extends the lease (the store does this on its own while the lease is held; a host that pauses its timers may
    /// call it). Returns <see langword="false"/>, and the lease is lost from then on, when another writer has taken the
    /// session over.
    /// </summary>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>Whether the lease is still this writer's.</returns>
    /// <exception cref="ObjectDisposedException">The lease was released.</exception>
    public async Task<bool> RenewAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(IsReleased, this);
        if (IsLost)
        {
            return false;
        }

        if (!await RenewCoreAsync(cancellationToken).ConfigureAwait(false))
        {
            MarkLost();
            return false;
        }

        return true;
    }

    /// <summary>Releases the lease: the session is free for the next writer at once (nothing happens when it was lost).</summary>
    /// <returns>A task.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _released, 1) != 0)
        {
            return;
        }

        await ReleaseCoreAsync().ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }

    /// <inheritdoc/>
    public override string ToString() => $"lease of session {SessionId} at epoch {Epoch} ({Holder}{(IsLost ? ", lost" : string.Empty)})";

    /// <summary>Marks the lease lost (a fenced write or a renewal found another writer's epoch).</summary>
    protected internal void MarkLost() => Volatile.Write(ref _lost, 1);

    /// <summary>Extends the lease in the store; <see langword="false"/> when its epoch is no longer current.</summary>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>Whether it is still held.</returns>
    protected abstract Task<bool> RenewCoreAsync(CancellationToken cancellationToken);

    /// <summary>Releases the lease in the store, only if its epoch is still current (called once).</summary>
    /// <returns>A task.</returns>
    protected abstract ValueTask ReleaseCoreAsync();
}
