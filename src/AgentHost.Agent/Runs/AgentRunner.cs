using AgentHost.Agent.Engine;
using AgentHost.Agent.Service;
using AgentHost.Agent.Tools;
using AgentHost.Hosting;
using AgentHost.Hosting.Capabilities;
using AgentHost.Hosting.Configuration;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Installed;
using AgentHost.Hosting.Security;
using AgentHost.Hosting.Trust;
using AgentHost.Permissions;
using AgentHost.Permissions.Gate;
using AgentHost.Permissions.Paths;
using AgentHost.Permissions.Rules;
using AgentHost.Permissions.Sandbox;
using AgentHost.Sdk.Events;

namespace AgentHost.Agent.Runs;

/// <summary>
/// What sessions and tools outside a session (<c>agent tool run</c>, <c>agent mcp serve</c>, context references, a
/// workflow's tool node) share: the permission gate of a run and the tool pipeline. Sessions themselves run through the
/// <see cref="AgentSessionService"/> the composition root makes (<c>AddAgentHost</c>). Writes to no console.
/// </summary>
public static class AgentRunner
{
    /// <summary>The message given to tool calls that were in flight when an earlier process ended.</summary>
    public const string InterruptedResult = Service.SessionRunContextBuilder.InterruptedResult;

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
    /// <param name="sandbox">The run's operating-system sandbox for sandboxed tools (none when <see langword="null"/>).</param>
    /// <param name="processEnvironment">The complete environment of the processes tools start for the model (<see cref="SessionProcessEnvironment.ForModel"/>); the CLI's without a configuration when <see langword="null"/>.</param>
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
        ToolDeferral? deferral = null,
        SandboxPolicy? sandbox = null,
        IReadOnlyDictionary<string, string>? processEnvironment = null)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        return new ToolPipeline(runtime.Registry, events ?? runtime.Events, gate, scrubber, timeProvider, PipelineOptions(runtime, gate, middleware, kernelTools, beforeWrite, hooks, offeredTools, deferral, sandbox) with { ProcessEnvironment = processEnvironment });
    }

    /// <summary>The options <see cref="CreatePipeline"/> gives its pipeline (a session adds its skill baseline's wait).</summary>
    internal static ToolPipelineOptions PipelineOptions(
        PluginRuntime runtime,
        IToolPermissionGate gate,
        IReadOnlyList<Sdk.Tools.ToolMiddleware>? middleware,
        IReadOnlyList<RegisteredCapability>? kernelTools,
        Func<ToolWriteNotice, CancellationToken, ValueTask>? beforeWrite,
        Hooks.SessionHooks? hooks,
        IReadOnlyCollection<string>? offeredTools,
        ToolDeferral? deferral,
        SandboxPolicy? sandbox)
    {
        return new ToolPipelineOptions
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
            HideTool = gate switch
            {
                SessionPermissionGate session => (name, plugin) => session.Policy.DeniedTool(name, plugin) is not null,
                RulePermissionGate rules => (name, plugin) => rules.Policy.DeniedTool(name, plugin) is not null,
                _ => null,
            },
            MaxReadBytes = gate switch
            {
                SessionPermissionGate session => () => session.Policy.MaxReadBytes,
                RulePermissionGate rules => () => rules.Policy.MaxReadBytes,
                _ => null,
            },
            Middleware = middleware ?? [],
            BeforeWrite = beforeWrite,
            Hooks = hooks,
            KernelTools = kernelTools ?? [],
            OfferedNames = offeredTools is { Count: > 0 } ? offeredTools.ToHashSet(StringComparer.Ordinal) : null,
            Deferral = deferral,
            LoggerFactory = runtime.LoggerFactory,
            Sandbox = sandbox,
        };
    }
}
