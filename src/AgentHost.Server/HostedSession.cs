using AgentHost.Agent.Service;

namespace AgentHost.Server;

/// <summary>A session the server has open: its <see cref="AgentSession"/> (holding the session's lease), its engine, and its run.</summary>
internal sealed class HostedSession(string id, AgentSession session, ServerEngine engine)
{
    private ServerRun? _current;
    private long _lastUsedTicks;
    private volatile bool _sharedStateToolsDenied;

    public string Id { get; } = id;

    public AgentSession Session { get; } = session;

    public ServerEngine Engine { get; } = engine;

    /// <summary>When a request last used the session, or its last run ended (the idle close counts from it).</summary>
    public DateTimeOffset LastUsed => new(Interlocked.Read(ref _lastUsedTicks), TimeSpan.Zero);

    /// <summary>Records a use at <paramref name="now"/>.</summary>
    public HostedSession Touch(DateTimeOffset now)
    {
        Interlocked.Exchange(ref _lastUsedTicks, now.UtcTicks);
        return this;
    }

    /// <summary>
    /// Whether this open session's stored <c>deny_tools</c> is known to hold every shared-state tool
    /// (<see cref="SessionHub.DenySharedStateToolsAsync"/>): a policy only narrows, so once true it stays true while the
    /// session is open, and the store need not be read again on each send.
    /// </summary>
    public bool SharedStateToolsDenied
    {
        get => _sharedStateToolsDenied;
        set => _sharedStateToolsDenied = value;
    }

    /// <summary>The run in flight, if any.</summary>
    public ServerRun? Current => Volatile.Read(ref _current);

    /// <summary>Makes <paramref name="run"/> the session's run unless one is in flight (one run per session at a time).</summary>
    public bool TryStart(ServerRun run) => Interlocked.CompareExchange(ref _current, run, null) is null;

    /// <summary>Ends <paramref name="run"/> as the session's run.</summary>
    public void End(ServerRun run) => Interlocked.CompareExchange(ref _current, null, run);
}
