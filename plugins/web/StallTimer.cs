namespace AgentHost.Plugins.Web;

/// <summary>
/// The time limits of one request: a total limit, and a limit on every single wait for the server (the response
/// headers, each read of the body). <see cref="Token"/> is cancelled when either passes or the caller cancels.
/// </summary>
internal sealed class StallTimer : IDisposable
{
    private readonly CancellationTokenSource _total;
    private readonly CancellationTokenSource _stall;
    private readonly TimeSpan _waitLimit;
    private readonly CancellationToken _caller;

    public StallTimer(TimeSpan total, TimeSpan waitLimit, CancellationToken cancellationToken)
    {
        _total = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _total.CancelAfter(total);
        _stall = CancellationTokenSource.CreateLinkedTokenSource(_total.Token);
        _waitLimit = waitLimit;
        _caller = cancellationToken;
        Total = total;
    }

    public TimeSpan Total { get; }

    public TimeSpan WaitLimit => _waitLimit;

    /// <summary>Cancelled when the total limit or a wait limit passes, or the caller cancels.</summary>
    public CancellationToken Token => _stall.Token;

    /// <summary>Whether the caller cancelled (rather than a limit passing).</summary>
    public bool CallerCancelled => _caller.IsCancellationRequested;

    /// <summary>Whether the total limit (or the caller) ended the request.</summary>
    public bool TotalExpired => _total.IsCancellationRequested;

    /// <summary>Whether a single wait took longer than the wait limit.</summary>
    public bool Stalled => _stall.IsCancellationRequested && !_total.IsCancellationRequested;

    /// <summary>Starts timing one wait for the server.</summary>
    public void Arm() => _stall.CancelAfter(_waitLimit);

    /// <summary>The wait ended in time.</summary>
    public void Disarm() => _stall.CancelAfter(Timeout.InfiniteTimeSpan);

    public void Dispose()
    {
        _stall.Dispose();
        _total.Dispose();
    }
}
