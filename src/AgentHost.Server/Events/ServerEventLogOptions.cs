namespace AgentHost.Server.Events;

/// <summary>How many events the server keeps for replay, and how often an idle event stream says it is alive.</summary>
internal sealed record ServerEventLogOptions
{
    /// <summary>Events kept for replay (<c>Last-Event-ID</c>, <c>?after=</c>) and for readers that fall behind; the oldest go first.</summary>
    public int Capacity { get; init; } = 100_000;

    /// <summary>
    /// The most memory the kept events' JSON may take (2 bytes a character); beyond it the oldest go first, so large
    /// events (tool arguments, permission details) keep fewer than <see cref="Capacity"/>. The newest event is always kept.
    /// </summary>
    public long MaxBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>
    /// The id of the first event. By default the server's start time in Unix milliseconds × 1000 + 1: ids go on
    /// increasing across restarts (short of a million events a second), so an id of an earlier run is recognised as
    /// such, and they stay below 2<sup>53</sup>, exact in JavaScript numbers.
    /// </summary>
    public long? FirstId { get; init; }

    /// <summary>How long an event stream may stay silent before the server sends a <c>: ping</c> comment.</summary>
    public TimeSpan Heartbeat { get; init; } = TimeSpan.FromSeconds(15);
}
