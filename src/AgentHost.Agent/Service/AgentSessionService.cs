using System.Collections.Concurrent;
using AgentHost.Agent.Questions;
using AgentHost.Agent.Telemetry;
using AgentHost.Hosting;
using AgentHost.Hosting.Configuration;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Installed;
using AgentHost.Hosting.Security;
using AgentHost.Hosting.Trust;
using AgentHost.Permissions;
using AgentHost.Permissions.Gate;
using AgentHost.Permissions.Rules;
using AgentHost.Permissions.Sandbox;
using AgentHost.Sessions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentHost.Agent.Service;

/// <summary>
/// The one API every front end drives (<c>agent run</c>, the chat, the MCP server, the HTTP API): create, open, resume
/// and fork sessions, then send prompts, stream events, answer permission requests, cancel, change model or mode and
/// close through the returned <see cref="AgentSession"/>. One instance per process serves many sessions; thread-safe.
/// </summary>
/// <remarks>Register it with <c>services.AddAgentHost(…)</c>; it owns neither the plugin runtime nor the store.</remarks>
public sealed partial class AgentSessionService : IAsyncDisposable
{
    private readonly SessionServiceParts _parts;
    private readonly ConcurrentDictionary<AgentSession, byte> _open = new();

    /// <summary>Creates the service over the process's shared parts.</summary>
    /// <param name="runtime">The loaded plugins (tools, providers, event bus).</param>
    /// <param name="store">The session store.</param>
    /// <param name="configuration">The effective configuration.</param>
    /// <param name="environment">The process environment.</param>
    /// <param name="scrubber">Redacts secrets from events.</param>
    /// <param name="broker">Carries permission requests to front ends.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="logger">The service's log.</param>
    public AgentSessionService(
        PluginRuntime runtime,
        ISessionStore store,
        ConfigurationSnapshot configuration,
        HostEnvironment environment,
        SecretScrubber scrubber,
        PermissionBroker broker,
        TimeProvider timeProvider,
        ILogger<AgentSessionService>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(scrubber);
        ArgumentNullException.ThrowIfNull(broker);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _parts = new SessionServiceParts(runtime, store, configuration, environment, scrubber, broker, timeProvider, (ILogger?)logger ?? NullLogger.Instance);
    }

    /// <summary>
    /// The environments of the processes the sessions start (shell commands, background jobs, workflow shell nodes,
    /// hooks, stdio MCP servers), built for them from the agent process's own: by default the CLI's (what the model
    /// drives gets the user's environment without the agent's settings and secret-named variables; what the user
    /// configured keeps it); a shared server sets its allow-list (<see cref="Engine.SessionProcessEnvironment"/>).
    /// </summary>
    public Engine.SessionProcessEnvironment ProcessEnvironment
    {
        get => _parts.ProcessEnvironment;
        init
        {
            ArgumentNullException.ThrowIfNull(value);
            _parts.ProcessEnvironment = value;
        }
    }

    /// <summary>
    /// The agent's places the sandboxes of this service's sessions, workflow nodes, hooks and MCP servers hide: a server
    /// sets its layout (<see cref="Runs.RunSandbox.ServerLayoutOf"/>: its data folder, socket and other roots); the
    /// user's own records (<see cref="Runs.RunSandbox.LayoutOf"/>) when <see langword="null"/>.
    /// </summary>
    public SandboxLayout? SandboxLayout
    {
        get => _parts.SandboxLayout;
        init => _parts.SandboxLayout = value;
    }

    /// <summary>
    /// Creates the process-wide functions of the kernel's <c>skill</c> and <c>ask_user</c> tools on the calling thread,
    /// ahead of the first session (a front end's warm-up). Nothing is built by reflection: their parameter binding and
    /// schema wait for their first call, and a run describes them from the schema cache. Idempotent and thread-safe.
    /// </summary>
    public static void PrepareKernelTools()
    {
        Skills.SkillTool.Prepare();
        AgentHost.Agent.Questions.AskUserTool.PrepareNow();
    }

    /// <summary>
    /// Starts making the client of the model the first session will most likely use, with its provider's warm-up, on a
    /// pool thread (see <see cref="PreparedModel"/>): a front end calls it once its plugins are loaded. The first
    /// session whose choice is the same model takes it; a wrong or failed guess changes nothing but is thrown away.
    /// </summary>
    /// <param name="model">The model text (<c>provider/model</c> or a bare id); nothing happens for <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancellation of the warm-up.</param>
    public void PrepareModel(string? model, CancellationToken cancellationToken = default)
    {
        if (model is null)
        {
            return;
        }

        var (configuration, runtime, environment) = (_parts.Configuration, _parts.Runtime, _parts.Environment);
        _parts.Prepared.Start(
            model,
            text => Runs.ModelLookup.Qualify(text, configuration, runtime.Registry, environment),
            text => Runs.ModelSelection.Select(text, configuration, runtime, environment),
            cancellationToken);
    }

    /// <summary>
    /// What is known of a model the sessions would use (<see cref="Runs.ModelSelection.Describe"/>): its prices and
    /// window, without making its client.
    /// </summary>
    /// <param name="model">The model text; the configured <c>model</c> when <see langword="null"/>.</param>
    /// <returns>The descriptor, or <see langword="null"/> when nothing is known of it.</returns>
    public Sdk.Capabilities.ModelDescriptor? DescribeModel(string? model) =>
        Runs.ModelSelection.Describe(model, _parts.Configuration, _parts.Runtime, _parts.Environment);

    /// <summary>The sessions open now.</summary>
    public IReadOnlyCollection<AgentSession> OpenSessions => [.. _open.Keys];

    /// <summary>The permission broker of the process (front ends answer through <see cref="AgentSession.AnswerPermission"/>).</summary>
    public PermissionBroker Permissions => _parts.Broker;

    /// <summary>The question broker of the process: <c>ask_user</c> and workflow <c>wait</c> nodes ask through it, front ends answer.</summary>
    public QuestionBroker Questions => _parts.Questions;

    /// <summary>Starts a new session; it is stored (and gets its id) at its first turn.</summary>
    /// <param name="options">Workspace, model, mode and limits.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The open session.</returns>
    public Task<AgentSession> CreateAsync(SessionOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Open(options, null, new Dictionary<string, string>(), null));
    }

    /// <summary>Opens a stored session to continue it, holding its lease until it is closed.</summary>
    /// <param name="idOrPrefix">The session's id or a unique prefix.</param>
    /// <param name="options">Options that override the session's own settings for as long as it is open.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The open session.</returns>
    /// <exception cref="AgentHostException">No such session (<see cref="ErrorKind.NotFound"/>), or another run holds it (<see cref="ErrorKind.InUse"/>).</exception>
    public async Task<AgentSession> OpenAsync(string idOrPrefix, SessionOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(idOrPrefix);
        ArgumentNullException.ThrowIfNull(options);
        var id = await _parts.Store.ResolveIdAsync(idOrPrefix, cancellationToken).ConfigureAwait(false);
        return await OpenStoredAsync(id, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Opens the newest session of <see cref="SessionOptions.WorkspaceRoot"/> (<c>--continue</c>).</summary>
    /// <param name="options">The workspace and overrides.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The open session.</returns>
    /// <exception cref="AgentHostException">The workspace has no session yet (<see cref="ErrorKind.NotFound"/>), or it is in use.</exception>
    public async Task<AgentSession> OpenLatestAsync(SessionOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var latest = await _parts.Store.ListSessionsAsync(options.WorkspaceRoot, 1, cancellationToken).ConfigureAwait(false);
        return latest.Count > 0
            ? await OpenStoredAsync(latest[0].Id, options, cancellationToken).ConfigureAwait(false)
            : throw NoSessionToContinue(options.WorkspaceRoot);
    }

    /// <summary>The error of <c>--continue</c> in a workspace without sessions.</summary>
    internal static AgentHostException NoSessionToContinue(string workspaceRoot) =>
        new(ErrorKind.NotFound, $"--continue: there is no session for {workspaceRoot} yet. Start one with 'agent run \"…\"'.");

    /// <summary>Forks a stored session (a copy of its history, optionally up to a message) and opens the fork.</summary>
    /// <param name="idOrPrefix">The parent session.</param>
    /// <param name="options">Options for the fork.</param>
    /// <param name="atMessageId">The last message to copy; all when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The open fork.</returns>
    public async Task<AgentSession> ForkAsync(string idOrPrefix, SessionOptions options, string? atMessageId = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(idOrPrefix);
        ArgumentNullException.ThrowIfNull(options);
        var id = await _parts.Store.ResolveIdAsync(idOrPrefix, cancellationToken).ConfigureAwait(false);
        var fork = await _parts.Store.Transfer.ForkAsync(id, atMessageId, cancellationToken).ConfigureAwait(false);
        return await OpenStoredAsync(fork.Id, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The plugin runtime the sessions use (its event bus carries the workflow engine's events).</summary>
    public PluginRuntime Runtime => _parts.Runtime;

    /// <summary>The session store.</summary>
    public ISessionStore Store => _parts.Store;

    /// <summary>The clock.</summary>
    public TimeProvider Time => _parts.Time;

    /// <summary>
    /// A tool pipeline outside any session, over the same tools, rules and permission gate a session's model calls go
    /// through (a workflow's <c>tool</c> node, like <c>agent tool run</c>). Dispose it after the call.
    /// </summary>
    /// <param name="workspaceRoot">The root the call is confined to.</param>
    /// <param name="mode">The permission mode; the configuration's, else the default, when <see langword="null"/>.</param>
    /// <param name="interactive">Whether a person could answer (otherwise what would ask is denied).</param>
    /// <param name="sandbox">The operating-system sandbox its sandboxed tools (the shell) run in, as a session's do (<see cref="CreateSandbox"/>).</param>
    /// <param name="narrower">One more session-policy layer that only narrows (a shared server's run of a non-admin); none when <see langword="null"/>.</param>
    /// <returns>The pipeline.</returns>
    public Engine.ToolPipeline CreateToolPipeline(string workspaceRoot, PermissionMode? mode, bool interactive, SandboxPolicy sandbox, SessionPolicy? narrower = null)
    {
        var trust = ProjectTrust.Load(AgentPaths.Resolve(_parts.Environment), _parts.Time);
        var policy = PermissionPolicy.FromConfiguration(_parts.Configuration, trust).WithSession(narrower ?? SessionPolicy.None);
        var gate = Runs.AgentRunner.CreatePermissionGate(policy, workspaceRoot, _parts.Environment, mode, interactive, _parts.Runtime.Events);
        return Runs.AgentRunner.CreatePipeline(_parts.Runtime, gate, _parts.Scrubber, _parts.Time, sandbox: sandbox, processEnvironment: _parts.ProcessEnvironment.ForModel);
    }

    /// <summary>
    /// The operating-system sandbox for what runs outside a session's tools (a workflow's shell and tool nodes): the same policy a
    /// session's shell gets (<see cref="Runs.RunSandbox"/>), with the permission policy's extra folders.
    /// </summary>
    /// <param name="workspaceRoot">The project root.</param>
    /// <param name="ownerId">The run that owns the temporary folder (a workflow run's id).</param>
    /// <param name="mode">The mode for this run (<c>--sandbox</c>), over <c>sandbox.mode</c>.</param>
    /// <returns>The policy.</returns>
    public SandboxPolicy CreateSandbox(string workspaceRoot, string ownerId, SandboxMode? mode)
    {
        var policy = PermissionPolicy.FromConfiguration(_parts.Configuration, ProjectTrust.Load(AgentPaths.Resolve(_parts.Environment), _parts.Time));
        return Runs.RunSandbox.Create(_parts.Configuration, _parts.Environment, workspaceRoot, policy, ownerId, mode, _parts.Runtime.Events, _parts.ProcessEnvironment.IsServer, _parts.SandboxLayout);
    }

    /// <summary>Closes every open session (each waits for its turn).</summary>
    /// <returns>A task.</returns>
    public async ValueTask DisposeAsync()
    {
        foreach (var session in _open.Keys)
        {
            await session.DisposeAsync().ConfigureAwait(false);
        }

        _parts.Prepared.Dispose();
    }

    /// <summary>
    /// Opens a session that was just created with <see cref="ISessionStore.CreateLeasedSessionAsync"/>, taking over its
    /// lease (held until the session closes; released here if opening fails).
    /// </summary>
    /// <param name="lease">The new session's lease.</param>
    /// <param name="options">Options that override the session's own settings for as long as it is open.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The open session.</returns>
    public Task<AgentSession> OpenAsync(SessionLease lease, SessionOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(options);
        return OpenLeasedAsync(lease.SessionId, lease, options, cancellationToken);
    }

    private async Task<AgentSession> OpenStoredAsync(string id, SessionOptions options, CancellationToken cancellationToken) =>
        // One writer per session: the lease is held until the session closes, and every write checks its epoch.
        await OpenLeasedAsync(id, await _parts.Store.Leases.AcquireAsync(id, cancellationToken).ConfigureAwait(false), options, cancellationToken).ConfigureAwait(false);

    private async Task<AgentSession> OpenLeasedAsync(string id, SessionLease lease, SessionOptions options, CancellationToken cancellationToken)
    {
        try
        {
            var settings = await _parts.Store.GetSettingsAsync(id, cancellationToken).ConfigureAwait(false);
            return Open(options, id, settings, lease);
        }
        catch
        {
            await lease.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private AgentSession Open(SessionOptions options, string? id, IReadOnlyDictionary<string, string> settings, SessionLease? lease)
    {
        using var opening = StartupActivities.Start("session.open");
        var session = new AgentSession(_parts, options, SessionOpening.Start(_parts, options, id, settings), lease, s =>
        {
            if (_open.TryRemove(s, out _))
            {
                AgentTelemetry.Shared.SessionOpened(-1);
            }
        });
        _open[session] = 0;
        AgentTelemetry.Shared.SessionOpened(1);
        LogOpened(_parts.Logger, id ?? "(new)", options.WorkspaceRoot);
        return session;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Session {SessionId} opened in {Workspace}")]
    private static partial void LogOpened(ILogger logger, string sessionId, string workspace);
}
