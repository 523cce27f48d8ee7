using System.Text.Json;
using System.Text.Json.Serialization;
using AgentHost.Agent.Composition;
using AgentHost.Cli.Http;
using AgentHost.Hosting;
using AgentHost.Hosting.Events;
using AgentHost.Sessions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace AgentHost.Cli.Server;

/// <summary>How <c>agent serve</c> runs.</summary>
/// <param name="Listen">Where it listens.</param>
/// <param name="Token">The bearer token every request must carry.</param>
/// <param name="Defaults">What sessions get unless their create request says otherwise.</param>
/// <param name="MaxRequestBytes">The largest request body.</param>
internal sealed record ApiServerOptions(LoopbackWebHost.ListenAddress Listen, string Token, ServerDefaults Defaults, long MaxRequestBytes);

/// <summary>
/// The HTTP+JSON API of <c>agent serve</c> (versioned under <c>/v1</c>, described at <c>/openapi.json</c>): a thin
/// front end over the session service, like the CLI and the chat. Disposing it stops it gracefully: running turns are
/// cancelled and recorded as interrupted, sessions are closed (their leases released), plugins unloaded.
/// </summary>
internal sealed partial class ApiServer : IAsyncDisposable
{
    /// <summary>The OpenAPI document's path.</summary>
    public const string OpenApiPath = "/openapi.json";

    private readonly LoopbackWebHost _web;
    private readonly Action _completeEvents;

    private ApiServer(LoopbackWebHost web, SessionHub hub, ServerWorkflows workflows, Task warmUp, Action completeEvents)
    {
        _web = web;
        Hub = hub;
        Workflows = workflows;
        WarmUp = warmUp;
        _completeEvents = completeEvents;
    }

    public Uri Address => _web.Address;

    public SessionHub Hub { get; }

    /// <summary>The workflow runs started over the API.</summary>
    public ServerWorkflows Workflows { get; }

    /// <summary>The load of the server's own engine (its root and plugins), started with the server; it faults when that fails.</summary>
    public Task WarmUp { get; }

    /// <summary>Starts the server and, in the background, the engine of its root and plugins.</summary>
    /// <param name="options">Address, token, defaults, limits.</param>
    /// <param name="roots">The composition root's factory (configuration and plugins per project root).</param>
    /// <param name="store">The session store.</param>
    /// <param name="environment">The process environment.</param>
    /// <param name="events">Attaches an engine's bus to the server's event stream, maps the event endpoints, and ends the streams.</param>
    /// <param name="time">The clock.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <param name="findWorkflow">Finds a workflow by root and name or file (<c>POST /v1/workflows/runs</c>); without it only files are found.</param>
    /// <returns>The running server.</returns>
    public static async Task<ApiServer> StartAsync(
        ApiServerOptions options,
        ProjectRootFactory roots,
        SessionStore store,
        HostEnvironment environment,
        ApiEvents events,
        TimeProvider time,
        CancellationToken cancellationToken,
        Func<string, string, string?, Agent.Workflows.Model.WorkflowDefinition>? findWorkflow = null)
    {
        var engines = new ServerEngines(roots, options.Defaults.PermissionTimeout, events.Attach);
        var hub = new SessionHub(engines, store, options.Defaults, time) { LastEventId = events.LastId };
        var workflows = new ServerWorkflows(hub, findWorkflow ?? FindWorkflowFile);
        var defaults = options.Defaults;
        var defaultKey = new ServerEngineKey(defaults.Root, [.. defaults.Plugins.Order(StringComparer.Ordinal)], defaults.NoDefaultPlugins);
        var started = time.GetUtcNow();
        LoopbackWebHost web;
        try
        {
            web = await LoopbackWebHost.StartAsync(
                options.Listen,
                options.Token,
                services =>
                {
                    services.AddRouting();
                    // A body that is too large or not JSON reaches ApiErrors as an exception, so it gets a JSON answer like every other error.
                    services.Configure<RouteHandlerOptions>(handlers => handlers.ThrowOnBadRequest = true);
                    services.ConfigureHttpJsonOptions(json =>
                    {
                        json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
                        json.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
                    });
                    ApiDocument.AddTo(services);
                },
                app =>
                {
                    app.Use(ApiErrors.HandleAsync);
                    app.Use((context, next) => ApiErrors.CheckSizeAsync(context, next, options.MaxRequestBytes));
                    var v1 = app.MapGroup("/v1");
                    SessionEndpoints.Map(v1, hub);
                    RunEndpoints.Map(v1, hub);
                    WorkflowEndpoints.Map(v1, workflows);
                    CatalogEndpoints.Map(v1, hub, environment, () => defaultKey, started, time);
                    events.Map(app, async (id, ct) => await store.FindSessionAsync(id, ct).ConfigureAwait(false) is not null);
                    ApiDocument.Map(app, OpenApiPath);
                    app.MapFallback(() => ApiErrors.Result(ErrorKind.NotFound, "no such endpoint; the API is under /v1 and described at /openapi.json."));
                },
                cancellationToken,
                limits => limits.MaxRequestBodySize = options.MaxRequestBytes).ConfigureAwait(false);
        }
        catch
        {
            await engines.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        var warmUp = engines.GetAsync(defaultKey, CancellationToken.None);
        return new ApiServer(web, hub, workflows, warmUp, events.Complete);
    }

    /// <summary>Stops: cancels running turns (recorded as interrupted), closes sessions and engines, ends event streams, stops listening.</summary>
    public async ValueTask DisposeAsync()
    {
        await Workflows.DisposeAsync().ConfigureAwait(false);
        await Hub.DisposeAsync().ConfigureAwait(false);
        await Hub.Engines.DisposeAsync().ConfigureAwait(false);
        _completeEvents();
        await _web.DisposeAsync().ConfigureAwait(false);
    }
}

/// <content>Finding workflows without the CLI's catalog.</content>
internal sealed partial class ApiServer
{
    /// <summary>A workflow file, relative to the naming workflow's file or to the root.</summary>
    private static Agent.Workflows.Model.WorkflowDefinition FindWorkflowFile(string root, string file, string? fromFile)
    {
        var path = Path.GetFullPath(file, fromFile is not null && Path.IsPathFullyQualified(fromFile) ? Path.GetDirectoryName(fromFile)! : root);
        return File.Exists(path)
            ? Agent.Workflows.WorkflowParser.ParseFile(path, Agent.Workflows.Model.WorkflowSourceKind.File)
            : throw new AgentHostException(ErrorKind.NotFound, $"workflow '{file}': no such file {path}.");
    }
}

/// <summary>The server's event stream as the API composes it (the event log and its SSE endpoints).</summary>
/// <param name="Attach">Attaches an engine's event bus (before its plugins load).</param>
/// <param name="Map">Maps the event endpoints (<c>/v1/events</c>, <c>/v1/sessions/{id}/events</c>); the function says whether a session exists.</param>
/// <param name="Complete">Ends every stream (at shutdown).</param>
/// <param name="LastId">The id of the newest event so far (a client resumes after it to see what follows whole).</param>
internal sealed record ApiEvents(Func<EventBus, IDisposable> Attach, Action<IEndpointRouteBuilder, Func<string, CancellationToken, Task<bool>>> Map, Action Complete, Func<long> LastId);
