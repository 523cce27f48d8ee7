using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace AgentHost.Server.Events;

/// <summary>
/// The event streams (server-sent events, docs/server.md, "Events (SSE)"): <c>GET /v1/events</c> (every session, or one with
/// <c>?session=ID</c>) and <c>GET /v1/sessions/{id}/events</c>. A stream starts with new events, or resumes after the
/// id in the <c>Last-Event-ID</c> header (which wins, as a browser's reconnect sends it) or in <c>?after=N</c>.
/// </summary>
internal static class EventEndpoints
{
    /// <summary>Maps the streams for callers who may read every event (the function says whether a session exists).</summary>
    public static void Map(IEndpointRouteBuilder routes, ServerEventLog log, Func<string, CancellationToken, Task<bool>> sessionExists)
    {
        ArgumentNullException.ThrowIfNull(sessionExists);
        Map(routes, log, new EventAccess((_, id, ct) => sessionExists(id, ct), static _ => null));
    }

    /// <summary>Maps the streams, each filtered for its caller by <paramref name="access"/>.</summary>
    public static void Map(IEndpointRouteBuilder routes, ServerEventLog log, EventAccess access)
    {
        ArgumentNullException.ThrowIfNull(routes);
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(access);
        routes.MapGet(
                "/v1/events",
                (HttpContext context, string? session, string? after, [FromHeader(Name = "Last-Event-ID")] string? lastEventId) =>
                    StreamAsync(context, log, access, session, after, lastEventId))
            .WithName("streamEvents")
            .WithSummary("Events of every session (or of one, with ?session=ID) as server-sent events")
            .Produces<string>(StatusCodes.Status200OK, "text/event-stream")
            .Produces<ApiError>(StatusCodes.Status400BadRequest)
            .Produces<ApiError>(StatusCodes.Status404NotFound);
        routes.MapGet(
                "/v1/sessions/{id}/events",
                (HttpContext context, string id, string? after, [FromHeader(Name = "Last-Event-ID")] string? lastEventId) =>
                    StreamAsync(context, log, access, id, after, lastEventId))
            .WithName("streamSessionEvents")
            .WithSummary("Events of one session as server-sent events")
            .Produces<string>(StatusCodes.Status200OK, "text/event-stream")
            .Produces<ApiError>(StatusCodes.Status400BadRequest)
            .Produces<ApiError>(StatusCodes.Status404NotFound);
    }

    private static async Task StreamAsync(
        HttpContext context, ServerEventLog log, EventAccess access, string? sessionId, string? after, string? lastEventId)
    {
        (string Name, string Value)? resume = !string.IsNullOrEmpty(lastEventId) ? ("Last-Event-ID", lastEventId)
            : !string.IsNullOrEmpty(after) ? ("after", after)
            : null;
        var afterId = log.LastId;
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
            await ErrorAsync(
                context,
                StatusCodes.Status404NotFound,
                $"no session '{sessionId}' on this server",
                "list the sessions with GET /v1/sessions, or create one with POST /v1/sessions").ConfigureAwait(false);
            return;
        }

        await SseEventStream.WriteAsync(context, log, afterId, sessionId, access.Filter(context)).ConfigureAwait(false);
    }

    /// <summary>The API's one error body (<see cref="ApiError"/>): what happened and the fix in one message.</summary>
    private static Task ErrorAsync(HttpContext context, int status, string error, string fix) =>
        TypedResults.Json(new ApiError($"{error}; {fix}.", status == StatusCodes.Status404NotFound ? "not_found" : "usage"), statusCode: status).ExecuteAsync(context);
}

/// <summary>What a caller may read of the event streams.</summary>
/// <param name="CanReadSession">Whether the session exists and the caller may read it (404 otherwise: the same answer for both).</param>
/// <param name="Filter">The events of the all-sessions stream the caller may read; <see langword="null"/> for every event.</param>
internal sealed record EventAccess(Func<HttpContext, string, CancellationToken, Task<bool>> CanReadSession, Func<HttpContext, Func<LoggedEvent, bool>?> Filter);
