using AgentHost.Sdk.Events;

namespace AgentHost.Server;

/// <summary>The server accepted a prompt and started its run (before the engine's <c>run.started</c>).</summary>
/// <param name="SessionId">The session.</param>
/// <param name="RunId">The run's id (<c>GET /v1/runs/{id}</c>).</param>
internal sealed record RunAcceptedEvent(string SessionId, string RunId) : SessionEvent(SessionId)
{
    /// <inheritdoc />
    public override string Type => "run.accepted";
}

/// <summary>A run of the server ended: the last event of a run; its result is at <c>GET /v1/runs/{id}</c>.</summary>
/// <param name="SessionId">The session.</param>
/// <param name="RunId">The run's id.</param>
/// <param name="Status">As <see cref="RunView.Status"/>.</param>
/// <param name="Reason">Why it stopped, or the error.</param>
internal sealed record RunEndedEvent(string SessionId, string RunId, string Status, string? Reason) : SessionEvent(SessionId)
{
    /// <summary>For a failed run: the kind of its error (as <see cref="RunView.ErrorKind"/>).</summary>
    public string? ErrorKind { get; init; }

    /// <summary>The event's type.</summary>
    public const string EventType = "run.ended";

    /// <inheritdoc />
    public override string Type => EventType;
}

/// <summary>
/// Events of a session were lost: the process that ran its run stopped before it wrote them to the session's journal
/// (only the step in flight; every completed step is in the history). Written to the session's stream by the server
/// that takes the session over, before the lost run's <c>run.ended</c>.
/// </summary>
/// <param name="SessionId">The session.</param>
/// <param name="RunId">The run that was in flight.</param>
/// <param name="Reason">What happened.</param>
/// <param name="Fix">How to read what was missed.</param>
internal sealed record SessionEventsLostEvent(string SessionId, string RunId, string Reason, string Fix) : SessionEvent(SessionId)
{
    /// <inheritdoc />
    public override string Type => Events.EventsGapEvent.TypeName;
}
