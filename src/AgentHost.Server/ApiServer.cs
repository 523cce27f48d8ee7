using System.Text.Json;
using System.Text.Json.Serialization;
using AgentHost.Agent.Composition;
using AgentHost.Server.Events;
using AgentHost.Server.Http;
using AgentHost.Server.Users;
using AgentHost.Hosting;
using AgentHost.Hosting.Events;
using AgentHost.Sessions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentHost.Server;

/// <summary>How the server runs.</summary>
/// <param name="Listen">Where it listens.</param>
/// <param name="Token">The bearer token every request must carry.</param>
/// <param name="Defaults">What sessions get unless their create request says otherwise.</param>
/// <param name="MaxRequestBytes">The largest request body.</param>
/// <param name="Version">The host's version (<c>GET /v1/health</c>).</param>
public sealed record ApiServerOptions(LoopbackWebHost.ListenAddress Listen, string Token, ServerDefaults Defaults, long MaxRequestBytes, string Version)
{
    /// <summary>The workspace roots each user may use (default: only <see cref="ServerDefaults.Root"/>).</summary>
    public ServerRoots? Roots { get; init; }

    /// <summary>
    /// What a caller's request may name: plugins, files and permission modes (docs/server.md "What a member can and
    /// cannot reach"); default: <see cref="ServerInputs.Default"/> (no sandbox known: members may not choose <c>yolo</c>).
    /// </summary>
    public ServerInputs Inputs { get; init; } = ServerInputs.Default;

    /// <summary>Per-user limits (default: none).</summary>
    public ServerLimits Limits { get; init; } = ServerLimits.None;

    /// <summary>Where the server logs what goes wrong in the background (e.g. an event it could not journal); default: nowhere.</summary>
    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    /// <summary>JWT bearer authentication with an identity provider (<c>server.jwt.*</c>), or <see langword="null"/> for none.</summary>
    public ServerJwt? Jwt { get; init; }

    /// <summary>
    /// More endpoints the host maps beside the API, behind the same token and for admins only (a member or a viewer gets
    /// 403): <c>agent serve</c>'s Prometheus scrape endpoint, <c>/metrics</c>.
    /// </summary>
    public Action<IEndpointRouteBuilder>? Endpoints { get; init; }

    /// <summary>
    /// The cluster node this server hosts (docs/cluster.md): it joins the server's own host (one container, one lifetime),
    /// session calls go to the node that holds the session, <c>GET /v1/cluster</c> describes the cluster, and the cluster
    /// watches the workflow runs this node runs. <see langword="null"/> (the default): no cluster — calls run here
    /// (<see cref="ApiServer.LocalSessions"/>), <c>GET /v1/cluster</c> is 404, and a run whose server stops ends cancelled
    /// (<c>agent workflow resume</c> continues it).
    /// </summary>
    public ServerNode? Node { get; init; }
}

/// <summary>
/// The HTTP+JSON API of <c>agent serve</c> (versioned under <c>/v1</c>, described at <c>/openapi.json</c>) with its live
/// events: a thin front end over the session service, like the CLI and the chat, hosted by whoever starts it (the
/// <c>agent serve</c> command; a cluster node next). Disposing it stops it gracefully: running turns are cancelled and
/// recorded as interrupted, sessions are closed (their leases released), plugins unloaded, event streams ended.
/// </summary>
/// <remarks>Thread-safe. One per process and store.</remarks>
public sealed partial class ApiServer : IAsyncDisposable
{
    /// <summary>The OpenAPI document's path.</summary>
    public const string OpenApiPath = "/openapi.json";

    private readonly LoopbackWebHost _web;
    private readonly ServerNodeParts? _node;
    private readonly Func<Task> _completeEvents;
    private readonly IDisposable? _owned;
    private int _disposed;

    private ApiServer(LoopbackWebHost web, ServerNodeParts? node, SessionHub hub, ISessionCalls local, ServerWorkflows workflows, Task warmUp, Func<Task> completeEvents, IDisposable? owned)
    {
        _web = web;
        _node = node;
        Hub = hub;
        LocalSessions = local;
        Workflows = workflows;
        WarmUp = warmUp;
        _completeEvents = completeEvents;
        _owned = owned;
    }

    /// <summary>Where it listens, e.g. <c>http://127.0.0.1:4141/</c> (<c>http://localhost/</c> on a socket or pipe).</summary>
    public Uri Address => _web.Address;

    /// <summary>Whether this server has the session open now (holds its lease).</summary>
    /// <param name="sessionId">The session.</param>
    /// <returns>Whether it is open here.</returns>
    public bool IsOpen(string sessionId) => Hub.FindOpen(sessionId) is not null;

    /// <summary>How many turns are running now.</summary>
    public int RunningTurns => Hub.RunningRuns.Count;

    /// <summary>Whether this server runs a turn of the session now (or is closing it: claimed).</summary>
    /// <param name="sessionId">The session.</param>
    /// <returns>Whether a turn of it runs here.</returns>
    public bool IsRunning(string sessionId) => Hub.FindOpen(sessionId)?.Current is not null;

    /// <summary>
    /// Drains the running turns before the server goes (a cluster node that stops, docs/cluster.md): each may finish for
    /// up to <paramref name="grace"/>; those still running then are cancelled and recorded as interrupted, as when the
    /// server stops. The server keeps serving meanwhile (answers and cancels reach the turns); whoever calls this stops
    /// sending it new turns.
    /// </summary>
    /// <param name="grace">How long running turns may take to finish.</param>
    /// <param name="cancellationToken">Cancels the wait (the turns are then left running).</param>
    /// <returns>How many turns were interrupted.</returns>
    public Task<int> DrainAsync(TimeSpan grace, CancellationToken cancellationToken = default) => Hub.DrainRunsAsync(grace, cancellationToken);

    internal SessionHub Hub { get; }

    /// <summary>The workflow runs started over the API.</summary>
    internal ServerWorkflows Workflows { get; }

    /// <summary>The load of the server's own engine (its root and plugins), started with the server; it faults when that fails.</summary>
    public Task WarmUp { get; }

    /// <summary>
    /// Starts the server with its event stream (a <see cref="ServerEventLog"/> every engine's events go to) and, in the
    /// background, the engine of its root and plugins.
    /// </summary>
    /// <param name="options">Address, token, defaults, limits.</param>
    /// <param name="roots">The composition root's factory: each engine's root is opened through it (<see cref="ProjectRootFactory.OpenAsync"/>).</param>
    /// <param name="store">The session store.</param>
    /// <param name="environment">The process environment.</param>
    /// <param name="time">The clock.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running server.</returns>
    public static async Task<ApiServer> StartAsync(
        ApiServerOptions options,
        ProjectRootFactory roots,
        ISessionStore store,
        HostEnvironment environment,
        TimeProvider time,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(store);
        var journal = new SessionEventJournal(store.Journal, options.LoggerFactory.CreateLogger<SessionEventJournal>());
        var log = new ServerEventLog(new ServerEventLogOptions()) { Appended = journal.Enqueue };
        try
        {
            await journal.FollowOtherServersAsync(cancellationToken).ConfigureAwait(false);
            return await StartAsync(options, roots, store, environment, ServerEventStream.Create(log, journal), time, cancellationToken, log).ConfigureAwait(false);
        }
        catch
        {
            await journal.DisposeAsync().ConfigureAwait(false);
            log.Dispose();
            throw;
        }
    }

    /// <summary>Starts the server over a given event stream (<paramref name="owned"/> is disposed with it).</summary>
    internal static async Task<ApiServer> StartAsync(
        ApiServerOptions options,
        ProjectRootFactory roots,
        ISessionStore store,
        HostEnvironment environment,
        ApiEvents events,
        TimeProvider time,
        CancellationToken cancellationToken,
        IDisposable? owned = null)
    {
        var defaults = options.Defaults;
        var serverRoots = options.Roots ?? ServerRoots.Only(options.Defaults.Root);
        // One layout for every session's sandbox, on every node: the server's data folder, socket and other roots hidden.
        roots = roots.WithSandboxLayout(Agent.Runs.RunSandbox.ServerLayoutOf(environment, serverRoots.All, options.Listen.SocketPath));
        var defaultKey = new ServerEngineKey(defaults.Root, [.. defaults.Plugins.Order(StringComparer.Ordinal)], defaults.NoDefaultPlugins);
        var engines = new ServerEngines(roots, defaults.PermissionTimeout, events.Attach, pinned: defaultKey);
        var limiters = new ServerLimiters(options.Limits, store.RunSlots, time);
        var hub = new SessionHub(engines, store, options.Defaults, time)
        {
            LastEventId = events.SessionLastId,
            SessionEvents = events.SessionRead,
            WhenRunEndJournalled = events.WhenRunEndJournalled,
            Logger = options.LoggerFactory.CreateLogger<SessionHub>(),
            Roots = serverRoots,
            Inputs = options.Inputs,
            Limiters = limiters,
        };
        var local = new LocalSessionCalls(hub);
        var paths = AgentPaths.Resolve(environment);
        // A root's workflows are trusted by the one rule (the server's configuration and trust file: ServerInputs.IsTrusted),
        // or by the trust file alone for a server given no inputs.
        bool Trusted(string root) => options.Inputs.IsTrusted(root) || Hosting.Trust.ProjectTrust.Load(paths).IsTrusted(root);
        ServerWorkflows NewWorkflows(IWorkflowRunWatch? watch) => new(hub, (root, nameOrFile, fromFile, checkFile) => FindWorkflow(paths, root, Trusted(root), nameOrFile, fromFile, checkFile), watch);
        // A cluster node's parts come from the host once it is built (the grains' container is the requests' container).
        ServerNodeParts? node = null;
        ServerWorkflows? workflows = null;
        var started = time.GetUtcNow();
        LoopbackWebHost web;
        try
        {
            var authentication = new ServerAuthentication(options.Token, store.Users, options.Jwt, time);
            web = await LoopbackWebHost.StartAsync(
                options.Listen,
                authentication.AuthenticateAsync,
                services =>
                {
                    services.AddRouting();
                    // A body that is too large or not JSON reaches ApiErrors as an exception, so it gets a JSON answer like every other error.
                    services.Configure<RouteHandlerOptions>(handlers => handlers.ThrowOnBadRequest = true);
                    services.ConfigureHttpJsonOptions(json =>
                    {
                        json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
                        // A field the endpoint does not know is a 400 naming it (ApiErrors), not silently ignored: a misspelt option would otherwise do nothing.
                        json.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
                        json.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
                    });
                    ApiDocument.AddTo(services);
                    options.Jwt?.AddTo(services);
                },
                app =>
                {
                    node = options.Node?.Bind(app.Services);
                    workflows = NewWorkflows(node?.WorkflowWatch);
                    var calls = node?.Router ?? local;
                    var errors = options.LoggerFactory.CreateLogger(typeof(ApiErrors).FullName!);
                    app.Use((context, next) => ApiErrors.HandleAsync(context, next, errors));
                    limiters.Use(app);
                    app.Use((context, next) => ApiErrors.CheckSizeAsync(context, next, options.MaxRequestBytes));
                    app.Use(new RouteAuthorization(hub, workflows).CheckAsync);
                    var v1 = app.MapGroup("/v1");
                    v1.AddEndpointFilterFactory(RequestPaths.Filter);
                    SessionEndpoints.Map(v1, hub, calls, time);
                    RunEndpoints.Map(v1, hub, calls);
                    WorkflowEndpoints.Map(v1, workflows);
                    CatalogEndpoints.Map(v1, hub, environment, () => defaultKey, options.Version, started, time);
                    CatalogEndpoints.MapHealthz(app, hub, options.Version, started, time);
                    UsageEndpoints.Map(v1, store.Users, options.Limits, time);
                    LspEndpoints.Map(v1, hub);
                    MapCluster(v1, node?.Status);
                    events.Map(app, EventsAccess(hub));
                    ApiDocument.Map(app, OpenApiPath).WithAccess(RouteAccess.AnyCaller);
                    if (options.Endpoints is { } more)
                    {
                        AdminOnly.Map(app, more, AdminOnly.Metrics);
                    }

                    app.MapFallback(() => ApiErrors.Result(ErrorKind.NotFound, "no such endpoint; the API is under /v1 and described at /openapi.json.")).WithAccess(RouteAccess.AnyCaller);
                },
                cancellationToken,
                limits => limits.MaxRequestBodySize = options.MaxRequestBytes,
                options.Node is { } hosted ? hosted.Configure : null).ConfigureAwait(false);
        }
        catch
        {
            if (workflows is not null)
            {
                await workflows.DisposeAsync().ConfigureAwait(false);
            }

            await engines.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        hub.StartIdleClose();
        var warmUp = engines.GetAsync(defaultKey, CancellationToken.None);
        var server = new ApiServer(web, node, hub, local, workflows!, warmUp, events.Complete, owned);
        // The node's grains run their calls on this server from now on (a call that came in meanwhile waited for it).
        node?.Attach(server);
        return server;
    }

    /// <summary>
    /// The session calls run here, on this server's sessions, whatever the node (<see cref="ApiServerOptions.Node"/>) routes: a cluster
    /// node's session grain runs the calls routed to it through these (this node holds, or is to hold, the session; the
    /// caller was authenticated by the node that took the request).
    /// </summary>
    public ISessionCalls LocalSessions { get; }

    /// <summary>What sessions get unless their create request says otherwise (a relative root is relative to its root).</summary>
    public ServerDefaults Defaults => Hub.Defaults;

    /// <summary>A run as the API shows it, if <paramref name="caller"/> may read it (any node's run: read from the store).</summary>
    /// <param name="caller">Who asks.</param>
    /// <param name="runId">The run.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The run.</returns>
    /// <exception cref="AgentHostException">No such run, or not one the caller may read (404).</exception>
    public Task<RunView> GetRunAsync(ServerCaller caller, string runId, CancellationToken cancellationToken = default) => Hub.GetRunAsync(caller, runId, cancellationToken);

    /// <summary>
    /// Lets a session go on this server unless it runs a turn (its lease released, its memory freed): a cluster node's
    /// session grain does when it goes (drained, or idle). No caller check.
    /// </summary>
    /// <param name="sessionId">The session.</param>
    /// <returns>A task that completes once it is let go.</returns>
    public Task ReleaseUnlessRunningAsync(string sessionId) => Hub.ReleaseUnlessRunningAsync(sessionId);

    /// <summary>
    /// The workspace root a stored session works in, read from the store (any node's session), or <see langword="null"/>
    /// when there is no such session: where a cluster may place the session (docs/cluster.md "Workspaces").
    /// </summary>
    /// <param name="sessionId">The session's id.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The root, as stored (a full path).</returns>
    public async Task<string?> FindSessionRootAsync(string sessionId, CancellationToken cancellationToken = default) =>
        (await Hub.Store.FindSessionAsync(sessionId, cancellationToken).ConfigureAwait(false))?.Workspace;

    /// <summary>The project root of a stored workflow run, or <see langword="null"/> when there is no such run (placement by workspace).</summary>
    /// <param name="runId">The run's full id.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>Its root.</returns>
    public async Task<string?> FindWorkflowRunRootAsync(string runId, CancellationToken cancellationToken = default) =>
        (await Hub.Store.Workflows.FindRunAsync(runId, cancellationToken).ConfigureAwait(false))?.Workspace;

    /// <summary>
    /// Takes a workflow run over when no process holds it any more (its node died, or stopped and handed it over): it
    /// resumes here from its checkpoints (<see cref="IWorkflowRunWatch"/>, docs/cluster.md "Workflow runs").
    /// </summary>
    /// <param name="runId">The run's full id.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>What this node found and did.</returns>
    public Task<WorkflowTakeover> TakeOverWorkflowRunAsync(string runId, CancellationToken cancellationToken = default) =>
        Workflows.TakeOverAsync(runId, cancellationToken);

    /// <summary>
    /// Hands the workflow runs in flight here over to the cluster (a node that stops, after its turns drained): each stops
    /// where it is and stays stored as running, for another node to take over; none is cancelled.
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait for the runs to stop.</param>
    /// <returns>How many runs were handed over.</returns>
    public Task<int> HandOverWorkflowRunsAsync(CancellationToken cancellationToken = default) => Workflows.HandOverAsync(cancellationToken);

    /// <summary><c>GET /v1/cluster</c>: the nodes of the cluster (admins only: it names the node-to-node endpoints).</summary>
    private static void MapCluster(RouteGroupBuilder v1, IClusterStatus? cluster) =>
        v1.MapGet("/cluster", async (CancellationToken ct) => cluster is null
                ? (IResult)ApiErrors.Result(ErrorKind.NotFound, "this server is not a node of a cluster (agent serve --cluster, docs/cluster.md).")
                : TypedResults.Ok(await cluster.DescribeAsync(ct).ConfigureAwait(false)))
            .WithMetadata(new AdminOnly("read the cluster's nodes (GET /v1/cluster)", "it names the nodes' node-to-node endpoints"))
            .WithTags("server").WithName("getCluster").WithSummary("The cluster's nodes, their status and sessions (admins; 404 on a server that is not a node of a cluster).")
            .Produces<ClusterView>().ProducesApiErrors();

    /// <summary>
    /// The event streams as each caller may read them: a session's stream only if the caller may see the session (404
    /// otherwise, as for no session); on the all-sessions stream, a member gets only the events of their own sessions
    /// (and gaps), admins and viewers every event. Each stream asks before each write whether the caller's credentials
    /// still hold (in the store every node shares), and ends when they do not.
    /// </summary>
    private static EventAccess EventsAccess(SessionHub hub) => new(
        async (http, id, ct) =>
        {
            try
            {
                await hub.GetInfoAsync(http.Caller(), id, ct).ConfigureAwait(false);
                return true;
            }
            catch (AgentHostException ex) when (ex.Kind == ErrorKind.NotFound)
            {
                return false;
            }
        },
        http => http.Caller() is { Role: Sessions.ServerRole.Member } member ? logged => logged.SessionId is { } id && hub.CanRead(member, id) : null)
    {
        StillValid = (http, ct) => http.StillValidAsync(ct),
    };

    /// <summary>
    /// Stops: cancels running turns (recorded as interrupted), closes sessions and engines, ends event streams, stops
    /// listening (once). A cluster node first leaves its cluster (<see cref="ServerNodeParts.Leave"/>, within the host's
    /// shutdown time: the drain time-out plus time for its grains to let their sessions go) while this server still
    /// serves: Kestrel keeps listening and the event streams keep delivering, so the node's running turns may finish
    /// with their answers, cancels and events going through it as through any node, and its workflow runs are handed
    /// over; then its grains let their sessions go and it leaves. Then the rest goes as on one server: sessions and
    /// engines close, the event streams end, and the host stops (Kestrel, then the silo's hosted service, which finds the
    /// silo stopped).
    /// </summary>
    /// <returns>A task.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (_node is { } node)
        {
            using var leave = new CancellationTokenSource(_web.ShutdownTimeout);
            await node.Leave(leave.Token).ConfigureAwait(false);
        }

        await Workflows.DisposeAsync().ConfigureAwait(false);
        await Hub.DisposeAsync().ConfigureAwait(false);
        await Hub.Engines.DisposeAsync().ConfigureAwait(false);
        await _completeEvents().ConfigureAwait(false);
        await _web.DisposeAsync().ConfigureAwait(false);
        _owned?.Dispose();
    }
}

/// <content>Finding workflows.</content>
public sealed partial class ApiServer
{
    /// <summary>
    /// A workflow for <c>POST /v1/workflows/runs</c> (and its sub-workflows), as <c>agent workflow run</c> finds it: a
    /// file relative to the naming workflow's file (or to the root), else a name of the root's catalog (project, user and
    /// bundled workflows); refused as the CLI refuses what an untrusted project may not run. Each file named by path (the
    /// workflow's, and each sub-workflow's in its call graph) is given to <paramref name="checkFile"/> (its full path, as
    /// written) before it is read: the caller's roots (<see cref="ServerRoots.CheckInside"/>).
    /// </summary>
    private static AgentHost.Workflows.Model.WorkflowDefinition FindWorkflow(AgentPaths paths, string root, bool trusted, string nameOrFile, string? fromFile, Action<string, string>? checkFile)
    {
        var catalog = new AgentHost.Workflows.WorkflowCatalog(root, AgentHost.Workflows.WorkflowCatalog.UserDirectory(paths), projectTrusted: trusted);
        AgentHost.Workflows.Model.WorkflowDefinition Find(string name, string? from)
        {
            var directory = from is not null && Path.IsPathFullyQualified(from) ? Path.GetDirectoryName(from)! : root;
            if (checkFile is not null && AgentHost.Workflows.WorkflowCatalog.IsPath(name))
            {
                checkFile(Path.GetFullPath(name, directory), name);
            }

            return catalog.Find(name, directory);
        }

        // The call graph's walk passes over what it cannot find (the run reports it when it gets there), but a file
        // outside the caller's roots is refused now, before the run starts.
        AgentHostException? outside = null;
        AgentHost.Workflows.Model.WorkflowDefinition Walk(string name, string? from)
        {
            try
            {
                return Find(name, from);
            }
            catch (AgentHostException ex) when (ex.Kind == ErrorKind.Denied)
            {
                outside ??= ex;
                throw;
            }
        }

        var definition = Find(nameOrFile, fromFile);
        var refusal = AgentHost.Workflows.WorkflowTrust.CallGraphRefusal(
            definition, d => AgentHost.Workflows.WorkflowTrust.IsInUntrustedProject(d, root, trusted), Walk);
        return outside is not null ? throw outside
            : refusal is not null ? throw new AgentHostException(ErrorKind.Denied, refusal)
            : definition;
    }
}

/// <summary>The server's event stream as the API composes it (the event log and its SSE endpoints).</summary>
/// <param name="Attach">Attaches an engine's event bus (before its plugins load).</param>
/// <param name="Map">Maps the event endpoints (<c>/v1/events</c>, <c>/v1/sessions/{id}/events</c>), filtered for each caller.</param>
/// <param name="Complete">Writes what is still queued and ends every stream (at shutdown).</param>
/// <param name="SessionLastId">The id of a session's newest event so far, on its stream (a client resumes after it to see what follows whole).</param>
/// <param name="SessionRead">A session's events after an id, then each new one, until cancelled or the server stops.</param>
/// <param name="WhenRunEndJournalled">Completes once a run's <c>run.ended</c> is in its session's journal (asked before it is published).</param>
internal sealed record ApiEvents(
    Func<EventBus, IDisposable> Attach,
    Action<IEndpointRouteBuilder, EventAccess> Map,
    Func<Task> Complete,
    Func<string, CancellationToken, Task<long>> SessionLastId,
    Func<string, long, CancellationToken, IAsyncEnumerable<LoggedEvent>> SessionRead,
    Func<string, string, CancellationToken, Task> WhenRunEndJournalled);
