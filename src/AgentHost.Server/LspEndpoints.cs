using System.Text.Json;
using AgentHost.Agent.Lsp;
using AgentHost.Hosting;
using AgentHost.Server.Users;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace AgentHost.Server;

/// <summary>
/// The language servers of the server's engines (<c>GET /v1/lsp</c>) and their start, stop and restart
/// (<c>POST /v1/lsp/{name}/start|stop|restart</c>, admins only: the servers serve every session of an engine, whoever
/// owns it). Each engine runs its own servers; an action applies to every started engine that defines the server,
/// or to one session's engine with <c>?session=ID</c>.
/// </summary>
internal static class LspEndpoints
{
    private static readonly JsonSerializerOptions Rows = new(JsonSerializerDefaults.Web);

    public static void Map(RouteGroupBuilder v1, SessionHub hub)
    {
        var lsp = v1.MapGroup("/lsp").WithTags("lsp");
        lsp.MapGet(string.Empty, async (string? session, HttpContext http, CancellationToken ct) =>
        {
            // A session's engine is read without opening the session; without one, the engines of the caller's roots (an admin: all).
            async Task<LspEngineView> ViewAsync(ServerEngine engine)
            {
                var rows = await LspBridge.StatusAsync(engine.Runtime, engine.Key.Root, check: false, ct).ConfigureAwait(false) ?? [];
                return new LspEngineView(engine.Key.Root, engine.Key.Plugins, engine.Key.NoDefaultPlugins, [.. rows.Select(r => r.Deserialize<LspServerView>(Rows)!)]);
            }

            if (session is not null)
            {
                return TypedResults.Ok(new List<LspEngineView> { await hub.ReadEngineAsync(http.Caller(), session, ViewAsync, ct).ConfigureAwait(false) });
            }

            var views = new List<LspEngineView>();
            foreach (var engine in hub.VisibleEngines(http.Caller()))
            {
                views.Add(await ViewAsync(engine).ConfigureAwait(false));
            }

            return TypedResults.Ok(views);
        }).WithAccess(RouteAccess.Reads(RouteResource.Session, "session")).WithName("listLanguageServers").WithSummary("The language servers of each engine (?session=ID: of that session's engine), their state, and what is wrong with them.").ProducesApiErrors();

        lsp.MapPost("/{name}/{action}", async (string name, string action, string? session, HttpContext http, CancellationToken ct) =>
        {
            var verb = action switch
            {
                "start" => LspServerAction.Start,
                "stop" => LspServerAction.Stop,
                "restart" => LspServerAction.Restart,
                _ => throw new AgentHostException(ErrorKind.NotFound, $"no action '{action}' for language servers; use POST /v1/lsp/{name}/start, /stop or /restart."),
            };
            var results = new List<LspEngineActionView>();
            var missing = new List<AgentHostException>();
            foreach (var engine in await EnginesAsync(hub, http.Caller(), session, $"{action} language server '{name}'", ct).ConfigureAwait(false))
            {
                try
                {
                    var done = await LspBridge.ControlAsync(engine.Runtime, engine.Key.Root, verb, name, ct).ConfigureAwait(false);
                    results.Add(new LspEngineActionView(engine.Key.Root, engine.Key.Plugins, done.Outcome, done.Message, done.Pids));
                }
                catch (AgentHostException ex) when (ex.Kind == ErrorKind.NotFound)
                {
                    missing.Add(ex); // This engine does not define the server (or runs no bridge).
                }
                catch (AgentHostException ex)
                {
                    results.Add(new LspEngineActionView(engine.Key.Root, engine.Key.Plugins, "error", ex.Message, [], ApiErrorKinds.NameOf(ex.Kind)));
                }
            }

            if (results.Count == 0)
            {
                throw missing.FirstOrDefault() ?? new AgentHostException(ErrorKind.NotFound, $"no language server '{name}': the server has no engine loaded yet (GET /v1/ready).");
            }

            // One engine that failed is that failure's answer; with several, the answer lists each.
            if (results.All(r => r.Kind is not null) && results.Count == 1)
            {
                throw new AgentHostException(ApiErrorKinds.KindOf(results[0].Kind), results[0].Message);
            }

            return TypedResults.Ok(new LspActionView(name, action, results));
        })
        .WithMetadata(new AdminOnly("start, stop or restart language servers (POST /v1/lsp/…)", "an engine's servers serve every session of it, whoever owns the session"))
        .WithName("controlLanguageServer").WithSummary("Starts, stops or restarts a language server in every engine that defines it (?session=ID: that session's engine); admins only.")
        .ProducesApiErrors();
    }

    /// <summary>The engines an action applies to: every started one, or the session's (never opening nor leasing the session: <see cref="SessionHub.StartedEngineOfAsync"/>).</summary>
    private static async Task<IReadOnlyList<ServerEngine>> EnginesAsync(SessionHub hub, ServerCaller caller, string? session, string what, CancellationToken ct) =>
        session is null ? hub.Engines.Started : [await hub.StartedEngineOfAsync(caller, session, what, ct).ConfigureAwait(false)];
}
