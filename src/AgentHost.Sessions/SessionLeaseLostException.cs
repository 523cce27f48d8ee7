using AgentHost.Hosting;

namespace AgentHost.Sessions;

/// <summary>
/// A write of a session was refused because its writer's lease is no longer current: another writer took the session
/// over (a newer epoch) after this one stopped renewing its lease. Nothing of the write was stored; the writer must stop
/// (its run ends) and may open the session again once it is free.
/// </summary>
/// <remarks>Its <see cref="AgentHostException.Kind"/> is <see cref="ErrorKind.InUse"/>.</remarks>
public sealed class SessionLeaseLostException : AgentHostException
{
    /// <summary>Creates the error.</summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="epoch">The epoch of the refused writer.</param>
    /// <param name="currentEpoch">The epoch the store holds now (<see langword="null"/> when the session or its lease is gone).</param>
    /// <param name="currentHolder">Who holds it now, in words, when someone does.</param>
    public SessionLeaseLostException(string sessionId, long epoch, long? currentEpoch, string? currentHolder)
        : base(ErrorKind.InUse, Describe(sessionId, epoch, currentEpoch, currentHolder))
    {
        SessionId = sessionId;
        Epoch = epoch;
        CurrentEpoch = currentEpoch;
        CurrentHolder = currentHolder;
    }

    /// <summary>The session.</summary>
    public string SessionId { get; }

    /// <summary>The epoch of the refused writer.</summary>
    public long Epoch { get; }

    /// <summary>The epoch the store holds now; <see langword="null"/> when the session or its lease is gone.</summary>
    public long? CurrentEpoch { get; }

    /// <summary>Who holds the session now, when someone does.</summary>
    public string? CurrentHolder { get; }

    private static string Describe(string sessionId, long epoch, long? currentEpoch, string? currentHolder) =>
        currentEpoch is { } current
            ? $"session {sessionId} was taken over by another writer{(currentHolder is null ? string.Empty : $" ({currentHolder})")} while this one had stopped renewing its lease (epoch {epoch}, now {current}); this write was not stored and this run stops. Open the session again once it is free."
            : $"session {sessionId} is gone (deleted while this writer had stopped renewing its lease, epoch {epoch}); this write was not stored and this run stops.";
}
