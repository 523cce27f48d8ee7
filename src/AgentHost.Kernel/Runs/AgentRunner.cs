using AgentHost.Kernel.Agent;
using AgentHost.Kernel.Configuration;
using AgentHost.Kernel.Context;
using AgentHost.Kernel.Hosting;
using AgentHost.Kernel.Permissions;
using AgentHost.Kernel.Plugins;
using AgentHost.Kernel.Security;
using AgentHost.Kernel.Sessions;
using AgentHost.Sdk.Events;
using Microsoft.Extensions.AI;

namespace AgentHost.Kernel.Runs;

/// <summary>The result of <see cref="AgentRunner.RunAsync"/>.</summary>
/// <param name="SessionId">The session the run wrote to.</param>
/// <param name="Resumed">Whether an existing session was continued.</param>
/// <param name="Model">The model used.</param>
/// <param name="Result">How the loop ended.</param>
public sealed record RunSummary(string SessionId, bool Resumed, SelectedModel Model, AgentRunResult Result);

/// <summary>
/// One headless agent run, end to end: select the model, open or resume the session, expand context references,
/// build the system prompt and tool pipeline, and drive the agent loop. Front ends (the CLI, later HTTP) render
/// the bus events; this class writes to no console.
/// </summary>
/// <param name="runtime">The loaded plugins (their events, registry and tools).</param>
/// <param name="store">The session store.</param>
/// <param name="configuration">The effective configuration.</param>
/// <param name="environment">The process environment.</param>
/// <param name="scrubber">Redacts secrets from events.</param>
/// <param name="timeProvider">The clock.</param>
/// <param name="http">Used for URL context references.</param>
public sealed class AgentRunner(
    PluginRuntime runtime,
    SessionStore store,
    ConfigurationSnapshot configuration,
    HostEnvironment environment,
    SecretScrubber scrubber,
    TimeProvider timeProvider,
    HttpClient http)
{
    /// <summary>The message given to tool calls that were in flight when an earlier process ended.</summary>
    public const string InterruptedResult = "interrupted: the agent stopped before this call finished; it may or may not have taken effect";

    /// <summary>Runs the agent.</summary>
    /// <param name="options">What to run.</param>
    /// <param name="cancellationToken">Cancellation (Ctrl+C); the history stays valid.</param>
    /// <returns>The summary.</returns>
    /// <exception cref="AgentHostException">Bad options, configuration or references (the message says what to fix).</exception>
    public async Task<RunSummary> RunAsync(RunOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var model = ModelSelection.Select(options.Model, configuration, runtime, environment);
        var expanded = await new ContextReferenceExpander(options.WorkspaceRoot, runtime.Registry, http)
            .ExpandAsync(options.Prompt, options.Context, cancellationToken).ConfigureAwait(false);
        var (sessionId, resumed) = await OpenSessionAsync(options, model, cancellationToken).ConfigureAwait(false);
        foreach (var warning in expanded.Warnings)
        {
            runtime.Events.Publish(new WarningEvent("context", warning));
        }

        var history = resumed ? await LoadHistoryAsync(sessionId, cancellationToken).ConfigureAwait(false) : [];
        var titling = !resumed && configuration.SmallModel is { } smallModel
            ? SessionTitler.GenerateAsync(() => ModelSelection.Select(smallModel, configuration, runtime, environment), store, sessionId, options.Prompt, runtime.Events, cancellationToken)
            : Task.CompletedTask;
        var gate = await CreateSessionGateAsync(sessionId, options, cancellationToken).ConfigureAwait(false);
        using var pipeline = CreatePipeline(runtime, gate, scrubber, timeProvider);
        gate.ModeChanged += (_, _) => pipeline.InvalidateToolSet();
        var systemPrompt = await new SystemPromptBuilder(timeProvider).BuildAsync(
            new SystemPromptInput(environment.CurrentDirectory) { WorkspaceRoot = options.WorkspaceRoot, Tools = pipeline.GetToolSet().Declarations },
            cancellationToken).ConfigureAwait(false);
        var loop = new AgentLoop(model.Client, pipeline, runtime.Events, store, timeProvider);
        var result = await loop.RunAsync(
            new AgentRunRequest(sessionId, expanded.ToModelText())
            {
                History = history,
                SystemPrompt = systemPrompt,
                Model = model.Descriptor,
                ProviderName = model.ProviderName,
                MaxSteps = await MaxStepsAsync(sessionId, options, cancellationToken).ConfigureAwait(false),
                Compaction = options.Compaction,
                WorkspaceRoot = options.WorkspaceRoot,
            },
            cancellationToken).ConfigureAwait(false);
        await titling.ConfigureAwait(false);
        return new RunSummary(sessionId, resumed, model, result);
    }

    private async Task<(string SessionId, bool Resumed)> OpenSessionAsync(RunOptions options, SelectedModel model, CancellationToken cancellationToken)
    {
        if (options.SessionId is { } requested)
        {
            return (await store.ResolveIdAsync(requested, cancellationToken).ConfigureAwait(false), true);
        }

        if (options.Continue)
        {
            var latest = await store.ListSessionsAsync(options.WorkspaceRoot, 1, cancellationToken).ConfigureAwait(false);
            return latest.Count > 0
                ? (latest[0].Id, true)
                : throw new AgentHostException(ErrorKind.NotFound, $"--continue: there is no session for {options.WorkspaceRoot} yet. Start one with 'agent run \"…\"'.");
        }

        var session = await store.CreateSessionAsync(
            new NewSession(options.WorkspaceRoot, model.ProviderName, model.ModelId) { Prompt = options.Prompt },
            cancellationToken).ConfigureAwait(false);
        return (session.Id, false);
    }

    /// <summary>Where permission requests go when a call needs approval; without it (or without a front end) such calls are denied.</summary>
    public PermissionBroker? Permissions { get; init; }

    /// <summary>
    /// The session's gate: the configured rules, the session's grants, and its mode by precedence: the run's
    /// <c>--permission-mode</c> &gt; <c>session.permission_mode</c> (flag, the session's own setting, configuration) &gt;
    /// <c>permissions.mode</c> &gt; ask with a person present, dont-ask without.
    /// </summary>
    private async Task<SessionPermissionGate> CreateSessionGateAsync(string sessionId, RunOptions options, CancellationToken cancellationToken)
    {
        var session = await store.GetSettingsAsync(sessionId, cancellationToken).ConfigureAwait(false);
        var remembered = SessionSettings.Resolve(SessionSettings.PermissionMode, null, session, configuration);
        PermissionMode? sessionMode = null;
        if (remembered.Value is { } text)
        {
            if (PermissionModes.TryParse(text, out var parsed))
            {
                sessionMode = parsed;
            }
            else
            {
                runtime.Events.Publish(new WarningEvent("permissions", $"{remembered.Origin}: permission_mode '{text}' is not a mode ({string.Join(", ", PermissionModes.Names)}); ignored"));
            }
        }

        var rules = CreatePermissionGate(configuration, options.WorkspaceRoot, environment, options.PermissionMode ?? sessionMode, options.Interactive, runtime.Events);
        var grants = new SessionGrants(options.WorkspaceRoot, environment.HomeDirectory, PermissionPolicy.FromConfiguration(configuration).ExtraDirectories);
        grants.Add(await store.GetGrantsAsync(sessionId, cancellationToken).ConfigureAwait(false));
        return new SessionPermissionGate(rules, rules.Mode, new SessionPermissionOptions(sessionId, grants, runtime.Events)
        {
            Broker = Permissions,
            Store = store,
            ProjectConfigFile = configuration.Project.ConfigFileOrDefault,
            GlobalConfigFile = configuration.GlobalConfigFile,
            Scrubber = scrubber,
            Time = timeProvider,
        });
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
    /// <returns>The gate.</returns>
    public static RulePermissionGate CreatePermissionGate(
        ConfigurationSnapshot configuration, string workspaceRoot, HostEnvironment environment, PermissionMode? mode, bool interactive, IEventBus events)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(events);
        var policy = PermissionPolicy.FromConfiguration(configuration);
        foreach (var problem in policy.Problems)
        {
            events.Publish(new WarningEvent("permissions", problem.ToString()));
        }

        return new RulePermissionGate(policy, mode ?? policy.Mode ?? PermissionModes.Default(interactive), workspaceRoot, environment.HomeDirectory, policy.ExtraDirectories);
    }

    /// <summary>The tool pipeline over the runtime's tools, passing each tool its plugin's services.</summary>
    /// <param name="runtime">The loaded plugins.</param>
    /// <param name="gate">Decides every call.</param>
    /// <param name="scrubber">Redacts secrets from events.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <returns>The pipeline (dispose it after the run).</returns>
    public static ToolPipeline CreatePipeline(PluginRuntime runtime, IToolPermissionGate gate, SecretScrubber scrubber, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        return new ToolPipeline(
            runtime.Registry,
            runtime.Events,
            gate,
            scrubber,
            timeProvider,
            new ToolPipelineOptions
            {
                ServicesForPlugin = id => runtime.Host.Loaded.TryGetValue(id, out var plugin) ? plugin.ServiceProvider : null,
                OfferTool = gate switch
                {
                    SessionPermissionGate session => metadata => PermissionModes.IsOffered(metadata.Effect, session.Mode),
                    RulePermissionGate rules => metadata => PermissionModes.IsOffered(metadata.Effect, rules.Mode),
                    _ => null,
                },
            });
    }

    /// <summary>Loads a session's history and answers tool calls left without a result by a process that died.</summary>
    private async Task<IReadOnlyList<ChatMessage>> LoadHistoryAsync(string sessionId, CancellationToken cancellationToken)
    {
        var history = (await store.LoadConversationAsync(sessionId, cancellationToken).ConfigureAwait(false)).ToList();
        var answered = history.SelectMany(m => m.Contents).OfType<FunctionResultContent>().Select(r => r.CallId).ToHashSet(StringComparer.Ordinal);
        var dangling = history.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Where(c => !answered.Contains(c.CallId)).ToList();
        if (dangling.Count > 0)
        {
            var repair = new ChatMessage(ChatRole.Tool, dangling.Select(c => (AIContent)new FunctionResultContent(c.CallId, InterruptedResult)).ToList());
            await store.AppendMessageAsync(sessionId, repair, cancellationToken).ConfigureAwait(false);
            history.Add(repair);
        }

        return history;
    }

    /// <summary>The step limit by precedence: request (--max-steps) &gt; session setting &gt; configuration.</summary>
    private async Task<int?> MaxStepsAsync(string sessionId, RunOptions options, CancellationToken cancellationToken)
    {
        var request = options.MaxSteps is { } steps
            ? new Dictionary<string, string> { [SessionSettings.MaxSteps] = steps.ToString(System.Globalization.CultureInfo.InvariantCulture) }
            : null;
        var session = await store.GetSettingsAsync(sessionId, cancellationToken).ConfigureAwait(false);
        var resolved = SessionSettings.Resolve(SessionSettings.MaxSteps, request, session, configuration);
        return int.TryParse(resolved.Value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) && value > 0 ? value : null;
    }
}
