using AgentHost.Agent.Engine;
using AgentHost.Agent.Service;
using AgentHost.Hosting;
using AgentHost.Hosting.Capabilities;
using AgentHost.Hosting.Configuration;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Security;
using AgentHost.Hosting.Trust;
using AgentHost.Permissions;
using AgentHost.Sdk.Events;
using AgentHost.Sessions;

namespace AgentHost.Agent.Runs;

/// <summary>The result of <see cref="AgentRunner.RunAsync"/>.</summary>
/// <param name="SessionId">The session the run wrote to.</param>
/// <param name="Resumed">Whether an existing session was continued.</param>
/// <param name="Model">The model used.</param>
/// <param name="Result">How the loop ended.</param>
public sealed record RunSummary(string SessionId, bool Resumed, SelectedModel Model, AgentRunResult Result);

/// <summary>
/// One headless agent run (one turn of a new or resumed session) over the <see cref="AgentSessionService"/>, which
/// does the work; plus the gate and pipeline factories that tools run outside a session use. Writes to no console.
/// </summary>
/// <param name="runtime">The loaded plugins (their events, registry and tools).</param>
/// <param name="store">The session store.</param>
/// <param name="configuration">The effective configuration.</param>
/// <param name="environment">The process environment.</param>
/// <param name="scrubber">Redacts secrets from events.</param>
/// <param name="timeProvider">The clock.</param>
public sealed class AgentRunner(
    PluginRuntime runtime,
    SessionStore store,
    ConfigurationSnapshot configuration,
    HostEnvironment environment,
    SecretScrubber scrubber,
    TimeProvider timeProvider)
{
    /// <summary>The message given to tool calls that were in flight when an earlier process ended.</summary>
    public const string InterruptedResult = Service.SessionRunContextBuilder.InterruptedResult;

    /// <summary>Where permission requests go when a call needs approval; without it (or without a front end) such calls are denied.</summary>
    public PermissionBroker? Permissions { get; init; }

    /// <summary>Runs the agent: one turn of a new or resumed session through an <see cref="AgentSessionService"/>.</summary>
    /// <param name="options">What to run.</param>
    /// <param name="cancellationToken">Cancellation (Ctrl+C); the history stays valid.</param>
    /// <returns>The summary.</returns>
    /// <exception cref="AgentHostException">Bad options, configuration or references (the message says what to fix).</exception>
    public async Task<RunSummary> RunAsync(RunOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        await using var service = new AgentSessionService(runtime, store, configuration, environment, scrubber, Permissions ?? new PermissionBroker(runtime.Events, timeProvider), timeProvider);
        var result = await RunOnceAsync(service, options, cancellationToken).ConfigureAwait(false);
        return new RunSummary(result.SessionId, result.Resumed, result.Model, result.Result);
    }

    /// <summary>One turn of a new (or, with <see cref="RunOptions.SessionId"/> / <see cref="RunOptions.Continue"/>, resumed) session, closed afterwards: <c>agent run</c>.</summary>
    /// <param name="service">The session service.</param>
    /// <param name="options">What to run.</param>
    /// <param name="cancellationToken">Cancellation (Ctrl+C); the history stays valid.</param>
    /// <returns>How the turn ended.</returns>
    public static async Task<TurnResult> RunOnceAsync(AgentSessionService service, RunOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(options);
        var sessionOptions = new SessionOptions(options.WorkspaceRoot)
        {
            Model = options.Model,
            Prefer = options.Prefer,
            PermissionMode = options.PermissionMode,
            Interactive = options.Interactive,
            MaxSteps = options.MaxSteps,
            DryRun = options.DryRun,
            Compaction = options.Compaction,
        };
        await using var session = options.SessionId is { } id ? await service.OpenAsync(id, sessionOptions, cancellationToken).ConfigureAwait(false)
            : options.Continue ? await service.OpenLatestAsync(sessionOptions, cancellationToken).ConfigureAwait(false)
            : await service.CreateAsync(sessionOptions, cancellationToken).ConfigureAwait(false);
        return await session.SendAsync(new TurnRequest(options.Prompt) { Context = options.Context, Images = options.Images, Skills = options.Skills }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The permission gate for a run: the rules of every configuration layer, the mode (explicit, else
    /// <c>permissions.mode</c>, else ask with a person present and dont-ask without), the workspace root and the
    /// configured extra directories. Rule problems are published as warnings; broken rules are ignored, never widened.
    /// </summary>
    /// <param name="configuration">The effective configuration.</param>
    /// <param name="workspaceRoot">The sandbox root.</param>
    /// <param name="environment">The environment (home directory).</param>
    /// <param name="mode">An explicit mode, when given.</param>
    /// <param name="interactive">Whether a person is present.</param>
    /// <param name="events">Where rule problems are reported.</param>
    /// <param name="trust">The user's trusted projects (default: loaded from the environment's data directory).</param>
    /// <returns>The gate.</returns>
    public static RulePermissionGate CreatePermissionGate(
        ConfigurationSnapshot configuration, string workspaceRoot, HostEnvironment environment, PermissionMode? mode, bool interactive, IEventBus events, ProjectTrust? trust = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(events);
        var policy = PermissionPolicy.FromConfiguration(configuration, trust ?? ProjectTrust.Load(AgentPaths.Resolve(environment)));
        return CreatePermissionGate(policy, workspaceRoot, environment, mode, interactive, events);
    }

    internal static RulePermissionGate CreatePermissionGate(PermissionPolicy policy, string workspaceRoot, HostEnvironment environment, PermissionMode? mode, bool interactive, IEventBus events)
    {
        foreach (var problem in policy.Problems)
        {
            events.Publish(new WarningEvent("permissions", problem.ToString()));
        }

        return new RulePermissionGate(policy, mode ?? policy.Mode ?? PermissionModes.Default(interactive), workspaceRoot, environment.HomeDirectory, policy.ExtraDirectories, ProtectedPaths.FromEnvironment(environment));
    }

    /// <summary>The tool pipeline over the runtime's tools, passing each tool its plugin's services.</summary>
    /// <param name="runtime">The loaded plugins.</param>
    /// <param name="gate">Decides every call.</param>
    /// <param name="scrubber">Redacts secrets from events.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="middleware">Kernel middleware around every call (e.g. project memory for nested folders), outermost first.</param>
    /// <param name="kernelTools">Tools the kernel adds for this run (the session's <c>skill</c> tool).</param>
    /// <param name="beforeWrite">Called before each allowed write call runs (the session's file checkpoints); none when <see langword="null"/>.</param>
    /// <param name="events">Where the pipeline publishes its events; the runtime's bus when <see langword="null"/> (the chat's <c>/jobs</c> passes a private one, so its call is not drawn as the model's).</param>
    /// <param name="hooks">The session's tool hooks, when any.</param>
    /// <param name="offeredTools">The only tools offered (a workflow agent node's <c>tools</c>), all up front; all tools when <see langword="null"/>.</param>
    /// <param name="deferral">Which tools are offered on demand (a session's); nothing is deferred when <see langword="null"/>.</param>
    /// <returns>The pipeline (dispose it after the run).</returns>
    public static ToolPipeline CreatePipeline(
        PluginRuntime runtime,
        IToolPermissionGate gate,
        SecretScrubber scrubber,
        TimeProvider timeProvider,
        IReadOnlyList<Sdk.Tools.ToolMiddleware>? middleware = null,
        IReadOnlyList<RegisteredCapability>? kernelTools = null,
        Func<ToolWriteNotice, CancellationToken, ValueTask>? beforeWrite = null,
        IEventBus? events = null,
        Hooks.SessionHooks? hooks = null,
        IReadOnlyCollection<string>? offeredTools = null,
        ToolDeferral? deferral = null)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        return new ToolPipeline(
            runtime.Registry,
            events ?? runtime.Events,
            gate,
            scrubber,
            timeProvider,
            new ToolPipelineOptions
            {
                ServicesForPlugin = id => runtime.Host.Loaded.TryGetValue(id, out var plugin) ? plugin.ServiceProvider : null,
                WhyUnavailable = runtime.Host.ActivationFailure,
                SchemaCache = runtime.ToolSchemas,
                OfferTool = gate switch
                {
                    SessionPermissionGate session => metadata => PermissionModes.IsOffered(metadata.Effect, session.Mode),
                    RulePermissionGate rules => metadata => PermissionModes.IsOffered(metadata.Effect, rules.Mode),
                    _ => null,
                },
                Middleware = middleware ?? [],
                BeforeWrite = beforeWrite,
                Hooks = hooks,
                KernelTools = kernelTools ?? [],
                OfferedNames = offeredTools is { Count: > 0 } ? offeredTools.ToHashSet(StringComparer.Ordinal) : null,
                Deferral = deferral,
                LoggerFactory = runtime.LoggerFactory,
            });
    }
}
