using AgentHost.Agent.Runs;
using AgentHost.Agent.Skills;
using AgentHost.Hosting;
using AgentHost.Hosting.Capabilities;
using AgentHost.Hosting.Plugins;
using AgentHost.Sdk.Capabilities;
using AgentHost.Server.Users;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace AgentHost.Server;

/// <summary>What the server offers: models, plugins (per engine), tools and skills (of a session, or of the server's root), health and readiness.</summary>
internal static class CatalogEndpoints
{
    public static void Map(RouteGroupBuilder v1, SessionHub hub, HostEnvironment environment, Func<ServerEngineKey> defaultKey, string version, DateTimeOffset started, TimeProvider time)
    {
        v1.MapGet("/health", () => TypedResults.Ok(Health(hub, version, started, time)))
            .WithAccess(RouteAccess.AnyCaller).WithTags("server").WithName("health").WithSummary("Liveness: the server answers.");
        v1.MapGet("/ready", (HttpContext http) =>
        {
            // Ready once the engine of the server's own root and plugins has loaded (the first session's wait is then only its own).
            var ready = hub.Engines.Started.Any(e => e.Key.Equals(defaultKey()));
            return ready ? Results.Ok(Health(hub, version, started, time)) : Results.Json(Health(hub, version, started, time) with { Status = "starting" }, statusCode: StatusCodes.Status503ServiceUnavailable);
        }).WithAccess(RouteAccess.AnyCaller).WithTags("server").WithName("ready").WithSummary("Readiness: 200 once the server's plugins are loaded, 503 before.").Produces<HealthView>().Produces<HealthView>(StatusCodes.Status503ServiceUnavailable);

        v1.MapGet("/models", (string? session, HttpContext http, CancellationToken ct) => ReadAsync(hub, http, session, defaultKey, async engine =>
        {
            var available = await AvailableModels.GatherAsync(engine.Configuration, engine.Runtime, environment, DiscoveryScope.All, ct).ConfigureAwait(false);
            return new ModelsView(
                [.. available.Catalog.Models.Select(m => new ModelView(
                    m.Reference, m.Provider, m.ProviderType, m.Descriptor.Id, m.Descriptor.ContextWindow, m.Descriptor.MaxOutputTokens,
                    m.Descriptor.InputPricePerMillion, m.Descriptor.OutputPricePerMillion, m.Tier.ToString().ToLowerInvariant(), m.Source.ToString().ToLowerInvariant()))],
                available.Unusable.GroupBy(u => u.Provider, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Why, StringComparer.Ordinal),
                available.Problems);
        }, ct)).WithAccess(RouteAccess.Reads(RouteResource.Session, "session")).WithTags("catalog").WithName("listModels").WithSummary("The usable models (configured providers, known services with keys, local servers).").ProducesApiErrors();

        v1.MapGet("/plugins", (HttpContext http) => TypedResults.Ok(hub.VisibleEngines(http.Caller()).Select(e => new EngineView(
            e.Key.Root, e.Key.Plugins, e.Key.NoDefaultPlugins, [.. e.Loads.Select(l => new PluginView(l.PluginId, l.Version, l.Status == PluginLoadStatus.Loaded, l.Error))])).ToList()))
            .WithAccess(RouteAccess.AnyCaller).WithTags("catalog").WithName("listPlugins").WithSummary("The server's engines (root and plugin set) and how each plugin loaded: those of the caller's roots (an admin: all).");

        v1.MapGet("/tools", (string? session, HttpContext http, CancellationToken ct) => ReadAsync(hub, http, session, defaultKey, engine =>
            Task.FromResult(engine.Runtime.Registry.OfKind(CapabilityKind.Tool).Select(t =>
            {
                var tool = (ToolCapability)t.Capability;
                return new ToolView(t.Name, t.PluginId, tool.Metadata.Effect.ToString().ToLowerInvariant(), tool.Function.Description, tool.Function.JsonSchema);
            }).ToList()), ct)).WithAccess(RouteAccess.Reads(RouteResource.Session, "session")).WithTags("catalog").WithName("listTools").WithSummary("The plugins' tools a session gets (of ?session=ID, else of the server's root and plugins).").ProducesApiErrors();

        v1.MapGet("/skills", (string? session, HttpContext http, CancellationToken ct) => ReadAsync(hub, http, session, defaultKey, engine =>
        {
            var skills = SkillSession.Create(engine.Runtime, engine.Configuration, environment, engine.Key.Root);
            return Task.FromResult(skills is null ? [] : skills.Active.Catalog.Current.All.Select(s => new SkillView(s.Name, s.Description, s.SourceName, s.StatusName, s.File)).ToList());
        }, ct)).WithAccess(RouteAccess.Reads(RouteResource.Session, "session")).WithTags("catalog").WithName("listSkills").WithSummary("The skills found for a session's root (?session=ID), else the server's root.").ProducesApiErrors();
    }

    /// <summary><c>/healthz</c>, the path probes and the headless plan use: the answer of <c>/v1/health</c> (behind the token like every path).</summary>
    public static void MapHealthz(IEndpointRouteBuilder app, SessionHub hub, string version, DateTimeOffset started, TimeProvider time) =>
        app.MapGet("/healthz", () => TypedResults.Ok(Health(hub, version, started, time)))
            .WithAccess(RouteAccess.AnyCaller).WithTags("server").WithName("healthz").WithSummary("Liveness, as GET /v1/health: the server answers.");

    private static HealthView Health(SessionHub hub, string version, DateTimeOffset started, TimeProvider time) =>
        new("ok", version, (long)(time.GetUtcNow() - started).TotalSeconds, hub.OpenSessions.Count, hub.RunningRuns.Count, hub.Engines.Started.Count);

    /// <summary>
    /// A read of the engine of <c>?session=ID</c> (the caller's to see; the session is neither opened nor leased), else
    /// of the server's own root and plugins.
    /// </summary>
    private static async Task<Microsoft.AspNetCore.Http.HttpResults.Ok<T>> ReadAsync<T>(SessionHub hub, HttpContext http, string? session, Func<ServerEngineKey> defaultKey, Func<ServerEngine, Task<T>> read, CancellationToken ct) =>
        TypedResults.Ok(session is null
            ? await read(await hub.Engines.GetAsync(defaultKey(), ct).ConfigureAwait(false)).ConfigureAwait(false)
            : await hub.ReadEngineAsync(http.Caller(), session, read, ct).ConfigureAwait(false));
}
