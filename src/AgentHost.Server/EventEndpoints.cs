using System.Globalization;
using AgentHost.Server.Events;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace AgentHost.Server;

/// <summary>
/// The event streams (server-sent events, docs/server.md, "Events (SSE)"): <c>GET /v1/events</c> (every session, or one with
/// <c>?session=ID</c>), read from the in-memory <see cref="ServerEventLog"/> with its server-wide ids, and
/// <c>GET /v1/sessions/{id}/events</c>, read from the session's own events (<see cref="SessionEventSource"/>: the durable
/// journal, ids 1, 2, … per session). A stream starts with new events, or resumes after the id in the
/// <c>Last-Event-ID</c> header (which wins, as a browser's reconnect sends it) or in <c>?after=N</c>.
/// </summary>
internal static class EventEndpoints
{
    /// <summary>Maps the streams for callers who may read every event (the function says whether a session exists).</summary>
    public static void Map(IEndpointRouteBuilder routes, ServerEventLog log, SessionEventSource sessions, Func<string, CancellationToken, Task<bool>> sessionExists)
    {
        ArgumentNullException.ThrowIfNull(sessionExists);
        Map(routes, log, sessions, new EventAccess((_, id, ct) => sessionExists(id, ct), static _ => null));
    }

    /// <summary>Maps the streams, each filtered for its caller by <paramref name="access"/>.</summary>
    public static void Map(IEndpointRouteBuilder routes, ServerEventLog log, SessionEventSource sessions, EventAccess access)
    {
        ArgumentNullException.ThrowIfNull(routes);
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(sessions);
        ArgumentNullException.ThrowIfNull(access);
        routes.MapGet(
                "/v1/events",
                (HttpContext context, string? session, string? after, [FromHeader(Name = "Last-Event-ID")] string? lastEventId) =>
                    StreamAsync(context, log, null, access, session, after, lastEventId))
            .WithAccess(RouteAccess.Reads(RouteResource.Session, "session")).WithName("streamEvents")
            .WithSummary("Events of every session (or of one, with ?session=ID) as server-sent events")
            .Produces<string>(StatusCodes.Status200OK, "text/event-stream")
            .Produces<ApiError>(StatusCodes.Status400BadRequest)
            .Produces<ApiError>(StatusCodes.Status404NotFound);
        routes.MapGet(
                "/v1/sessions/{id}/events",
                (HttpContext context, string id, string? after, [FromHeader(Name = "Last-Event-ID")] string? lastEventId) =>
                    StreamAsync(context, log, sessions, access, id, after, lastEventId))
            .WithAccess(RouteAccess.Reads(RouteResource.Session, "id")).WithName("streamSessionEvents")
            .WithSummary("Events of one session as server-sent events")
            .Produces<string>(StatusCodes.Status200OK, "text/event-stream")
            .Produces<ApiError>(StatusCodes.Status400BadRequest)
            .Produces<ApiError>(StatusCodes.Status404NotFound);
    }

    /// <summary>Streams the log (of every session, or of one) or, with <paramref name="sessions"/>, the session's own events.</summary>
    private static async Task StreamAsync(
        HttpContext context, ServerEventLog log, SessionEventSource? sessions, EventAccess access, string? sessionId, string? after, string? lastEventId)
    {
        (string Name, string Value)? resume = !string.IsNullOrEmpty(lastEventId) ? ("Last-Event-ID", lastEventId)
            : !string.IsNullOrEmpty(after) ? ("after", after)
            : null;
        long afterId = 0;
        if (resume is { } given && !long.TryParse(given.Value, NumberStyles.None, CultureInfo.InvariantCulture, out afterId))
        {
            await ErrorAsync(
                context,
                StatusCodes.Status400BadRequest,
                $"{given.Name} '{given.Value}' is not an event id",
                "send the id: of the last event received (a whole number, 0 for every event still kept), or leave it out to start with new events").ConfigureAwait(false);
            return;
        }

        if (sessionId is not null && !await access.CanReadSession(context, sessionId, context.RequestAborted).ConfigureAwait(false))
        {
            // The one answer for a session that does not exist or is not the caller's, as on every other route.
            await ApiErrors.Result(Hosting.ErrorKind.NotFound, Users.SessionAccess.Hidden(sessionId).Message).ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        if (sessions is not null)
        {
            // Session streams are read whole: the access check above is the filter.
            var from = resume is null ? await sessions.LastId(sessionId!, context.RequestAborted).ConfigureAwait(false) : afterId;
            await SseEventStream.WriteAsync(context, ct => sessions.Read(sessionId!, from, ct), log.Options.Heartbeat, stillValid: Check(access, context)).ConfigureAwait(false);
            return;
        }

        var start = resume is null ? log.LastId : afterId;
        await SseEventStream.WriteAsync(context, ct => log.ReadAsync(start, sessionId, ct), log.Options.Heartbeat, access.Filter(context), Check(access, context)).ConfigureAwait(false);
    }

    private static Func<CancellationToken, ValueTask<bool>>? Check(EventAccess access, HttpContext context) =>
        access.StillValid is { } stillValid ? ct => stillValid(context, ct) : null;

    /// <summary>The API's one error body (<see cref="ApiError"/>): what happened and the fix in one message.</summary>
    private static Task ErrorAsync(HttpContext context, int status, string error, string fix) =>
        TypedResults.Json(new ApiError($"{error}; {fix}.", "usage"), statusCode: status).ExecuteAsync(context);
}

/// <summary>Where a session's stream (<c>GET /v1/sessions/{id}/events</c>) reads: ids per session.</summary>
/// <param name="LastId">The id of the session's newest event (a stream not resumed starts after it).</param>
/// <param name="Read">The session's events after an id, then each new one, until cancelled or the server stops.</param>
internal sealed record SessionEventSource(
    Func<string, CancellationToken, Task<long>> LastId,
    Func<string, long, CancellationToken, IAsyncEnumerable<LoggedEvent>> Read);

/// <summary>What a caller may read of the event streams.</summary>
/// <param name="CanReadSession">Whether the session exists and the caller may read it (404 otherwise: the same answer for both).</param>
/// <param name="Filter">The events of the all-sessions stream the caller may read; <see langword="null"/> for every event.</param>
internal sealed record EventAccess(Func<HttpContext, string, CancellationToken, Task<bool>> CanReadSession, Func<HttpContext, Func<LoggedEvent, bool>?> Filter)
{
    /// <summary>
    /// Whether the caller's credentials still hold, asked before each write (the stream ends when they do not: a removed
    /// user, a replaced token); <see langword="null"/>: they always do.
    /// </summary>
    public Func<HttpContext, CancellationToken, ValueTask<bool>>? StillValid { get; init; }
}
