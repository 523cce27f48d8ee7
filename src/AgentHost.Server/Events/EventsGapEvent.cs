using System.Globalization;
using AgentHost.Sdk.Events;

namespace AgentHost.Server.Events;

/// <summary>
/// Told to one reader of the event log, never logged: events it asked for are no longer kept (it resumed from too old an
/// id, fell more than the log's capacity behind, or resumed from an id of an earlier server run).
/// </summary>
/// <param name="SessionId">The session of the stream that lost events; <see langword="null"/> on the all-sessions stream.</param>
/// <param name="FirstMissedId">The first id no longer kept (absent for an id of an earlier server run: unknown).</param>
/// <param name="LastMissedId">The last id no longer kept (absent for an id of an earlier server run).</param>
/// <param name="Missed">How many server events were lost (absent for an id of an earlier server run); on a session's stream some may have been other sessions'.</param>
/// <param name="Reason">Why they were lost.</param>
/// <param name="Fix">How to recover what was missed.</param>
internal sealed record EventsGapEvent(string? SessionId, long? FirstMissedId, long? LastMissedId, long? Missed, string Reason, string Fix) : AgentEvent
{
    /// <summary>The event type.</summary>
    public const string TypeName = "events.gap";

    /// <inheritdoc />
    public override string Type => TypeName;

    /// <summary>The gap of a reader that wanted the events after <paramref name="afterId"/> while the log keeps only those after <paramref name="keptAfter"/>.</summary>
    public static EventsGapEvent Dropped(string? sessionId, long afterId, long keptAfter, ServerEventLogOptions options) => new(
        sessionId,
        afterId + 1,
        keptAfter,
        keptAfter - afterId,
        $"the server keeps its last {options.Capacity} events (at most {Bytes(options.MaxBytes)} of them); events {afterId + 1} to {keptAfter} were dropped before this stream read them",
        FixFor(sessionId));

    /// <summary>The gap of a reader that resumed from an id this server run never sent (an earlier run's, as the server restarted since).</summary>
    public static EventsGapEvent Unknown(string? sessionId, long afterId, long firstId, long lastId) => new(
        sessionId,
        null,
        null,
        null,
        afterId < firstId
            ? $"event {afterId} is from an earlier run of the server (this run's events start at {firstId}): the server restarted, and the events of its earlier run are not kept"
            : $"event {afterId} was never sent by this server (its newest is {lastId})",
        FixFor(sessionId));

    /// <summary>The gap of a reader of a session's journalled stream that resumed from an id beyond the session's newest (<paramref name="lastId"/>).</summary>
    public static EventsGapEvent NeverSent(string sessionId, long afterId, long lastId) => new(
        sessionId,
        null,
        null,
        null,
        $"event {afterId} was never sent on this session's stream (its newest is {lastId}; a session's events are numbered 1, 2, … per session, not as on GET /v1/events)",
        "resume a session's stream with the id: of an event of that stream; this stream goes on after the session's newest event");

    private static string Bytes(long bytes) => bytes >= 1024 * 1024
        ? string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024 * 1024.0):0.#} MiB")
        : string.Create(CultureInfo.InvariantCulture, $"{bytes} bytes");

    private static string FixFor(string? sessionId) => sessionId is null
        ? "read what was missed from each session's history (GET /v1/sessions lists them, GET /v1/sessions/{id}/messages has a session's history); this stream goes on with the events still kept"
        : $"read what was missed from the session's history (GET /v1/sessions/{sessionId}/messages); this stream goes on with the events still kept";
}
