using AgentHost.Hosting;
using AgentHost.Server.Users;
using AgentHost.Sessions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace AgentHost.Server;

/// <summary>The session endpoints: create, list, get, settings (patch), close, delete, fork, and the history.</summary>
internal static class SessionEndpoints
{
    private const int DefaultPage = 50;

    public static void Map(RouteGroupBuilder v1, SessionHub hub, ISessionCalls calls, TimeProvider time)
    {
        var sessions = v1.MapGroup("/sessions").WithTags("sessions");
        sessions.MapPost("/", async (CreateSessionRequest request, HttpContext http, CancellationToken ct) =>
        {
            var view = await calls.CreateAsync(http.Caller(), NewSession.NewId(time), request, http.Request.Headers[ServerClients.Header].FirstOrDefault(), ct).ConfigureAwait(false);
            return TypedResults.Created($"/v1/sessions/{view.Id}", view);
        }).WithAccess(RouteAccess.Creates("create sessions")).WithName("createSession").WithSummary("Create a session (stored at once).").Produces<SessionView>(StatusCodes.Status201Created).ProducesApiErrors();

        sessions.MapGet("/", async (string? root, string? status, string? cursor, int? limit, HttpContext http, CancellationToken ct) =>
            TypedResults.Ok(await ListAsync(hub, http.Caller(), root, status, cursor, limit, ct).ConfigureAwait(false)))
            .WithAccess(RouteAccess.AnyCaller).WithName("listSessions").WithSummary("List the sessions the caller may see (a member: their own), most recently changed first; filter by root and status; page with cursor.").ProducesApiErrors();

        sessions.MapGet("/{id}", async (string id, HttpContext http, CancellationToken ct) =>
            TypedResults.Ok(await calls.ViewAsync(http.Caller(), id, ct).ConfigureAwait(false)))
            .WithAccess(RouteAccess.Reads(RouteResource.Session, "id")).WithName("getSession").WithSummary("Get a session.").ProducesApiErrors();

        sessions.MapPatch("/{id}", async (string id, PatchSessionRequest request, HttpContext http, CancellationToken ct) =>
            TypedResults.Ok(await calls.PatchAsync(http.Caller(), id, request, ct).ConfigureAwait(false))).WithAccess(RouteAccess.Changes(RouteResource.Session, "id", "change sessions")).WithName("patchSession").WithSummary("Change settings (max_steps, dry_run, permission_mode, model, title); unknown keys and bad values change nothing.").ProducesApiErrors();

        sessions.MapDelete("/{id}", async (string id, HttpContext http, CancellationToken ct) =>
        {
            await calls.DeleteAsync(http.Caller(), id, ct).ConfigureAwait(false);
            return TypedResults.NoContent();
        }).WithAccess(RouteAccess.Changes(RouteResource.Session, "id", "delete sessions")).WithName("deleteSession").WithSummary("Delete a session (409 while it runs).").ProducesApiErrors();

        sessions.MapPost("/{id}/fork", async (string id, ForkSessionRequest? request, HttpContext http, CancellationToken ct) =>
        {
            var fork = await hub.ForkAsync(http.Caller(), id, request?.AtMessageId, ct).ConfigureAwait(false);
            return TypedResults.Created($"/v1/sessions/{fork.Id}", ApiViews.Session(fork, null));
        }).WithAccess(RouteAccess.Changes(RouteResource.Session, "id", "fork sessions")).WithName("forkSession").WithSummary("Fork a session: a new session with its history (up to atMessageId).").Produces<SessionView>(StatusCodes.Status201Created).ProducesApiErrors();

        sessions.MapGet("/{id}/messages", (string id, string? kind, string? cursor, int? limit, HttpContext http, CancellationToken ct) => HistoryAsync(hub, http, id, kind, cursor, limit, ct))
            .WithAccess(RouteAccess.Reads(RouteResource.Session, "id")).WithName("getHistory").WithSummary("A page of the session's history (messages or tool calls), oldest first; secrets are redacted when stored.").ProducesApiErrors();
        sessions.MapGet("/{id}/history", (string id, string? kind, string? cursor, int? limit, HttpContext http, CancellationToken ct) => HistoryAsync(hub, http, id, kind, cursor, limit, ct))
            .WithAccess(RouteAccess.Reads(RouteResource.Session, "id")).WithName("getSessionHistory").WithSummary("The session's history, as GET /v1/sessions/{id}/messages.").ProducesApiErrors();

        sessions.MapGet("/{id}/settings", async (string id, HttpContext http, CancellationToken ct) =>
            TypedResults.Ok(new SessionSettingsView((await hub.GetInfoAsync(http.Caller(), id, ct).ConfigureAwait(false)).Settings)))
            .WithAccess(RouteAccess.Reads(RouteResource.Session, "id")).WithName("getSessionSettings").WithSummary("The session's own settings (those it recorded, and those a client or a person set).").ProducesApiErrors();
        sessions.MapPatch("/{id}/settings", async (string id, PatchSessionRequest request, HttpContext http, CancellationToken ct) =>
            TypedResults.Ok(new SessionSettingsView((await calls.PatchAsync(http.Caller(), id, request, ct).ConfigureAwait(false)).Settings))).WithAccess(RouteAccess.Changes(RouteResource.Session, "id", "change sessions")).WithName("patchSessionSettings").WithSummary("Change settings, as PATCH /v1/sessions/{id}; answers the settings.").ProducesApiErrors();

        sessions.MapPost("/{id}/close", async (string id, HttpContext http, CancellationToken ct) =>
            TypedResults.Ok(await calls.CloseAsync(http.Caller(), id, ct).ConfigureAwait(false))).WithAccess(RouteAccess.Changes(RouteResource.Session, "id", "close sessions")).WithName("closeSession").WithSummary("Close a session: release it (its lease and what it holds in memory; the warm plugins of its root stay while other sessions of the root are open) and keep its history; the next request for it opens it again. 409 while it runs.").ProducesApiErrors();
    }

    private static async Task<Ok<HistoryView>> HistoryAsync(SessionHub hub, HttpContext http, string id, string? kind, string? cursor, int? limit, CancellationToken ct)
    {
        await hub.GetInfoAsync(http.Caller(), id, ct).ConfigureAwait(false);
        var historyKind = kind is null or "messages" ? HistoryKind.Messages
            : kind == "tools" ? HistoryKind.Tools
            : throw new AgentHostException(ErrorKind.Usage, $"kind: '{kind}' is not a history kind; use messages or tools.");
        var page = await hub.Store.Conversation.GetHistoryAsync(id, historyKind, PageSize(limit), cursor, ct).ConfigureAwait(false);
        return TypedResults.Ok(ApiViews.History(page));
    }

    /// <summary>The 400/403/404/409 answers every endpoint may give, for the OpenAPI document.</summary>
    public static RouteHandlerBuilder ProducesApiErrors(this RouteHandlerBuilder builder) => builder
        .Produces<ApiError>(StatusCodes.Status400BadRequest)
        .Produces<ApiError>(StatusCodes.Status403Forbidden)
        .Produces<ApiError>(StatusCodes.Status404NotFound)
        .Produces<ApiError>(StatusCodes.Status409Conflict);

    private static async Task<SessionPage> ListAsync(SessionHub hub, ServerCaller caller, string? root, string? status, string? cursor, int? limit, CancellationToken ct)
    {
        SessionStatus? wanted = status is null ? null
            : Enum.TryParse<SessionStatus>(status, ignoreCase: true, out var parsed) ? parsed
            : throw new AgentHostException(ErrorKind.Usage, $"status: '{status}' is not a session status; use {string.Join(", ", Enum.GetNames<SessionStatus>().Select(n => n.ToLowerInvariant()))}.");
        var workspace = root is null ? null : Path.GetFullPath(root, hub.Defaults.Root);
        var all = await hub.Store.ListSessionsAsync(workspace, null, ct).ConfigureAwait(false);
        var (page, next) = SessionPages.Take(all.Where(s => (wanted is null || s.Status == wanted) && SessionAccess.CanRead(caller, s.Owner)), cursor, PageSize(limit));
        return new SessionPage([.. page.Select(s => ApiViews.Session(s, hub.FindOpen(s.Id)))], next);
    }

    private static int PageSize(int? limit) => PageLimit.Of(limit, DefaultPage);
}
