using AgentHost.Kernel.Agent;
using AgentHost.Kernel.Configuration;
using AgentHost.Kernel.Context;
using AgentHost.Kernel.Hosting;
using AgentHost.Kernel.Memory;
using AgentHost.Kernel.Models;
using AgentHost.Kernel.Permissions;
using AgentHost.Kernel.Plugins;
using AgentHost.Kernel.Security;
using AgentHost.Kernel.Sessions;
using AgentHost.Kernel.Skills;
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
public sealed class AgentRunner(
    PluginRuntime runtime,
    SessionStore store,
    ConfigurationSnapshot configuration,
    HostEnvironment environment,
    SecretScrubber scrubber,
    TimeProvider timeProvider)
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
        // Project memory and the skills catalog are read from disk in the background: the model is chosen (and its
        // endpoint warmed up) first, because the connection is the longest wait on the way to the first request.
        var memoryLoad = Task.Run(() => ProjectMemoryRun.Load(configuration, environment, options.WorkspaceRoot), cancellationToken);
        var skillsLoad = Task.Run(() => SkillSession.Create(runtime, configuration, environment, options.WorkspaceRoot), cancellationToken);
        var expanded = await ContextReferences.Create(runtime, configuration, environment, scrubber, timeProvider, options)
            .ExpandAsync(options.Prompt, options.Context, options.Images, cancellationToken).ConfigureAwait(false);
        if (options.Skills.Count > 0)
        {
            // A mistyped --skill stops the run before anything else is prepared.
            (await skillsLoad.ConfigureAwait(false) ?? throw new AgentHostException(ErrorKind.Configuration, "--skill: skills are turned off (skills.enabled: false); remove --skill or enable skills."))
                .CheckRequested(options.Skills);
        }

        var existing = await FindExistingSessionAsync(options, cancellationToken).ConfigureAwait(false);
        // One writer per session: the lease is held until the run has recorded its end (the OS frees it if we die).
        using var resumedLease = existing is null ? null : store.AcquireSession(existing);
        var sessionSettings = existing is null ? null : await store.GetSettingsAsync(existing, cancellationToken).ConfigureAwait(false);
        var (model, why) = await ChooseModelAsync(options, sessionSettings, expanded.ToModelText().Length, [.. expanded.Images.Select(i => i.Name ?? i.MediaType)], cancellationToken).ConfigureAwait(false);
        using var warmUp = ProviderWarmUp.Start(model.Client, cancellationToken);
        var skills = await skillsLoad.ConfigureAwait(false);
        var (sessionId, resumed) = existing is null ? await OpenSessionAsync(options, model, cancellationToken).ConfigureAwait(false) : (existing, true);
        using var newLease = existing is null ? store.AcquireSession(sessionId) : null;
        runtime.Events.Publish(new ModelSelectedEvent(sessionId, model.ProviderName, model.ModelId, why) { Timestamp = timeProvider.GetUtcNow() });
        if (why.StartsWith("auto-selected", StringComparison.Ordinal))
        {
            await store.SetSettingAsync(sessionId, "model_choice", why, cancellationToken).ConfigureAwait(false);
        }

        foreach (var warning in expanded.Warnings)
        {
            runtime.Events.Publish(new WarningEvent("context", warning));
        }

        var history = resumed ? await LoadHistoryAsync(sessionId, cancellationToken).ConfigureAwait(false) : [];
        if (!resumed && configuration.SmallModel is { } small && ModelSelection.ProviderTypeOf(small, configuration) is { } smallType)
        {
            await runtime.EnsureChatProviderAsync(smallType, cancellationToken).ConfigureAwait(false);
        }

        var titling = !resumed && configuration.SmallModel is { } smallModel
            ? SessionTitler.GenerateAsync(() => ModelSelection.Select(smallModel, configuration, runtime, environment), store, sessionId, options.Prompt, runtime.Events, cancellationToken)
            : Task.CompletedTask;
        skills?.Active.Restore(history);
        var requestedSkills = skills?.ActivateRequested(options.Skills) ?? string.Empty;
        var gate = await CreateSessionGateAsync(sessionId, options, skills?.Active, cancellationToken).ConfigureAwait(false);
        var memory = ProjectMemoryRun.Prepare(await memoryLoad.ConfigureAwait(false), options.WorkspaceRoot, history, runtime.Events);
        using var pipeline = CreatePipeline(runtime, gate, scrubber, timeProvider, memory.Middleware is { } nested ? [nested] : null, skills is null ? [] : [skills.Tool]);
        gate.ModeChanged += (_, _) => pipeline.InvalidateToolSet();
        var systemPrompt = await new SystemPromptBuilder(timeProvider).BuildAsync(
            new SystemPromptInput(environment.CurrentDirectory)
            {
                WorkspaceRoot = options.WorkspaceRoot,
                Tools = pipeline.GetToolSet().Declarations,
                ProjectMemory = memory.PromptText,
                SkillsCatalog = skills?.PromptCatalog,
            },
            cancellationToken).ConfigureAwait(false);
        var loop = new AgentLoop(model.Client, pipeline, runtime.Events, store.Conversation, timeProvider);
        var result = await loop.RunAsync(
            new AgentRunRequest(sessionId, requestedSkills + expanded.ToModelText())
            {
                Attachments = expanded.Images,
                History = history,
                SystemPrompt = systemPrompt,
                Model = model.Descriptor,
                ProviderName = model.ProviderName,
                MaxSteps = await MaxStepsAsync(sessionId, options, cancellationToken).ConfigureAwait(false),
                Compaction = options.Compaction,
                WorkspaceRoot = options.WorkspaceRoot,
                DryRunByDefault = await DryRunAsync(sessionId, options, cancellationToken).ConfigureAwait(false),
                Summarizer = configuration.SmallModel is null ? null : SmallModelForSummaries,
            },
            cancellationToken).ConfigureAwait(false);
        await titling.ConfigureAwait(false);
        return new RunSummary(sessionId, resumed, model, result);
    }

    /// <summary>The <c>small_model</c> for compaction summaries, when one is configured and can be created.</summary>
    private (IChatClient Client, Sdk.Capabilities.ModelDescriptor? Model)? SmallModelForSummaries()
    {
        if (configuration.SmallModel is not { } small)
        {
            return null;
        }

        try
        {
            var selected = ModelSelection.Select(small, configuration, runtime, environment);
            return (selected.Client, selected.Descriptor);
        }
        catch (AgentHostException ex)
        {
            runtime.Events.Publish(new WarningEvent("agent", $"small_model {small} is not usable for summaries ({ex.Message}); the run's model writes them"));
            return null;
        }
    }

    /// <summary>The session to resume (<c>--session</c>, <c>--continue</c>), or <see langword="null"/> for a new one.</summary>
    private async Task<string?> FindExistingSessionAsync(RunOptions options, CancellationToken cancellationToken)
    {
        if (options.SessionId is { } requested)
        {
            return await store.ResolveIdAsync(requested, cancellationToken).ConfigureAwait(false);
        }

        if (options.Continue)
        {
            var latest = await store.ListSessionsAsync(options.WorkspaceRoot, 1, cancellationToken).ConfigureAwait(false);
            return latest.Count > 0
                ? latest[0].Id
                : throw new AgentHostException(ErrorKind.NotFound, $"--continue: there is no session for {options.WorkspaceRoot} yet. Start one with 'agent run \"…\"'.");
        }

        return null;
    }

    /// <summary>
    /// The model, by precedence: <c>--model</c> &gt; the session's <c>model</c> setting &gt; the role <c>--prefer</c> names
    /// (<c>large_model</c> for best, <c>small_model</c> for fast/cheap) &gt; <c>model</c> &gt; the automatic selector.
    /// </summary>
    /// <remarks>With images, the selector keeps models with vision, and a named model the catalog knows without vision stops the run before any request.</remarks>
    private async Task<(SelectedModel Model, string Reason)> ChooseModelAsync(RunOptions options, IReadOnlyDictionary<string, string>? session, int promptCharacters, IReadOnlyList<string> images, CancellationToken cancellationToken)
    {
        var (text, reason) = options.Model is { } named ? (named, "named with --model")
            : session?.GetValueOrDefault(SessionSettings.Model) is { Length: > 0 } remembered ? (remembered, "the session's model setting")
            : options.Prefer is ModelPreference.Best && configuration.Get("large_model") is { Length: > 0 } large ? (large, "the large_model role (--prefer best)")
            : options.Prefer is ModelPreference.Fast or ModelPreference.Cheap && configuration.SmallModel is { } small ? (small, "the small_model role (--prefer " + options.Prefer.ToString()!.ToLowerInvariant() + ")")
            : configuration.Model is { } configured ? (configured, "the 'model' setting")
            : ((string?)null, string.Empty);
        if (text is null)
        {
            var choice = await AutoSelectAsync(options, session, promptCharacters, images.Count > 0, cancellationToken).ConfigureAwait(false);
            (text, reason) = (choice.Model.Reference, choice.Reason);
        }

        if (ModelSelection.ProviderTypeOf(text, configuration) is { } type)
        {
            await runtime.EnsureChatProviderAsync(type, cancellationToken).ConfigureAwait(false);
        }

        if (images.Count > 0 && !reason.StartsWith("auto-selected", StringComparison.Ordinal))
        {
            RequireVision(text, images);
            reason += "; needs vision";
        }

        return (ModelSelection.Select(text, configuration, runtime, environment), reason);
    }

    /// <summary>Stops a run with images before any request when the named model is known to lack vision.</summary>
    private void RequireVision(string model, IReadOnlyList<string> images)
    {
        var slash = model.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || ModelSelection.ProviderTypeOf(model, configuration) is not { } type)
        {
            return; // Not provider/model: ModelSelection.Select says so.
        }

        var catalog = ModelCatalog.Build(configuration, runtime.Registry);
        var known = catalog.Find(model[..slash], type, model[(slash + 1)..], runtime.Registry);
        if (ModelSelector.LacksVision(model, known, images, catalog.Models) is { } problem)
        {
            throw new AgentHostException(ErrorKind.Usage, problem);
        }
    }

    private async Task<ModelChoice> AutoSelectAsync(RunOptions options, IReadOnlyDictionary<string, string>? session, int promptCharacters, bool needsVision, CancellationToken cancellationToken)
    {
        foreach (var provider in configuration.Providers.Values)
        {
            await runtime.EnsureChatProviderAsync(provider.Type, cancellationToken).ConfigureAwait(false);
        }

        var catalog = ModelCatalog.Build(configuration, runtime.Registry);
        var hints = new SelectionHints(
            (promptCharacters / 4) + (session is null ? 2_000 : 20_000),
            runtime.Registry.OfKind(Sdk.Capabilities.CapabilityKind.Tool).Count > 0,
            needsVision,
            options.Prefer ?? ModelPreference.Balanced);
        return ModelSelector.Choose(catalog.Models, hints, IsUsable, out var why)
            ?? throw new AgentHostException(ErrorKind.Configuration, $"no model chosen and none could be selected automatically: {why}. Pass --model provider/model, or set 'model: provider/model' in config.yaml.");

        bool IsUsable(CatalogModel model)
        {
            if (runtime.Registry.Find(Sdk.Capabilities.CapabilityKind.ChatProvider, model.ProviderType) is null)
            {
                return false;
            }

            try
            {
                _ = ProviderKeys.Resolve(model.Provider, model.ProviderType, configuration.Providers.GetValueOrDefault(model.Provider), environment);
                return true;
            }
            catch (AgentHostException)
            {
                return false;
            }
        }
    }

    private async Task<(string SessionId, bool Resumed)> OpenSessionAsync(RunOptions options, SelectedModel model, CancellationToken cancellationToken)
    {
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
    private async Task<SessionPermissionGate> CreateSessionGateAsync(string sessionId, RunOptions options, ActiveSkills? skills, CancellationToken cancellationToken)
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

        var trust = ProjectTrust.Load(AgentPaths.Resolve(environment), timeProvider);
        var policy = PermissionPolicy.FromConfiguration(configuration, trust);
        if (remembered.Source == SettingSource.Project && sessionMode is not (null or PermissionMode.Plan or PermissionMode.DontAsk) && policy.Project is { Trusted: false })
        {
            // Like permissions.mode: an untrusted project cannot choose a wider mode for itself.
            runtime.Events.Publish(new WarningEvent("permissions", $"{remembered.Origin}: project {configuration.ProjectRoot} is not trusted: its session.permission_mode '{remembered.Value}' is ignored. If you trust this repository, run 'agent trust' in it."));
            sessionMode = null;
        }

        var rules = CreatePermissionGate(policy, options.WorkspaceRoot, environment, options.PermissionMode ?? sessionMode, options.Interactive, runtime.Events);
        if (skills is not null)
        {
            // Like its permission rules, an untrusted project's skills cannot pre-approve calls for themselves.
            skills.TrustProjectSkills = policy.Project is not { Trusted: false };
        }

        var grants = new SessionGrants(options.WorkspaceRoot, environment.HomeDirectory, policy.ExtraDirectories);
        grants.Add(await store.Audit.GetGrantsAsync(sessionId, cancellationToken).ConfigureAwait(false));
        return new SessionPermissionGate(rules, rules.Mode, new SessionPermissionOptions(sessionId, grants, runtime.Events)
        {
            Broker = Permissions,
            Store = store.Audit,
            ProjectConfigFile = configuration.Project.ConfigFileOrDefault,
            GlobalConfigFile = configuration.GlobalConfigFile,
            TrustProject = () => TrustProject(trust, policy),
            Scrubber = scrubber,
            Time = timeProvider,
            Skills = skills,
        });
    }

    /// <summary>"Always allow in this project" is the user's own choice: the project becomes trusted (from the next run).</summary>
    private void TrustProject(ProjectTrust trust, PermissionPolicy policy)
    {
        if (policy.Project is not { Trusted: false } project)
        {
            return;
        }

        trust.Trust(project.Root);
        var also = project.IgnoredAnything ? $"; its other settings ({project.IgnoredSummary}) apply from the next run — review {project.ConfigFile}" : string.Empty;
        runtime.Events.Publish(new WarningEvent("permissions", $"trusted {project.Root} (you chose 'always allow in this project'){also}. Undo with 'agent trust --revoke'."));
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

    private static RulePermissionGate CreatePermissionGate(PermissionPolicy policy, string workspaceRoot, HostEnvironment environment, PermissionMode? mode, bool interactive, IEventBus events)
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
    /// <returns>The pipeline (dispose it after the run).</returns>
    public static ToolPipeline CreatePipeline(
        PluginRuntime runtime,
        IToolPermissionGate gate,
        SecretScrubber scrubber,
        TimeProvider timeProvider,
        IReadOnlyList<Sdk.Tools.ToolMiddleware>? middleware = null,
        IReadOnlyList<Capabilities.RegisteredCapability>? kernelTools = null)
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
                SchemaCache = runtime.ToolSchemas,
                OfferTool = gate switch
                {
                    SessionPermissionGate session => metadata => PermissionModes.IsOffered(metadata.Effect, session.Mode),
                    RulePermissionGate rules => metadata => PermissionModes.IsOffered(metadata.Effect, rules.Mode),
                    _ => null,
                },
                Middleware = middleware ?? [],
                KernelTools = kernelTools ?? [],
                LoggerFactory = runtime.LoggerFactory,
            });
    }

    /// <summary>Loads a session's history and answers tool calls left without a result by a process that died.</summary>
    private async Task<IReadOnlyList<ChatMessage>> LoadHistoryAsync(string sessionId, CancellationToken cancellationToken)
    {
        var history = (await store.Conversation.LoadConversationAsync(sessionId, cancellationToken).ConfigureAwait(false)).ToList();
        var answered = history.SelectMany(m => m.Contents).OfType<FunctionResultContent>().Select(r => r.CallId).ToHashSet(StringComparer.Ordinal);
        var dangling = history.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Where(c => !answered.Contains(c.CallId)).ToList();
        if (dangling.Count > 0)
        {
            var repair = new ChatMessage(ChatRole.Tool, dangling.Select(c => (AIContent)new FunctionResultContent(c.CallId, InterruptedResult)).ToList());
            await store.Conversation.AppendMessageAsync(sessionId, repair, cancellationToken).ConfigureAwait(false);
            history.Add(repair);
        }

        return history;
    }

    /// <summary>Whether mutating tools default to dry runs, by precedence: request (--dry-run) &gt; session setting &gt; configuration.</summary>
    private async Task<bool> DryRunAsync(string sessionId, RunOptions options, CancellationToken cancellationToken)
    {
        var request = options.DryRun is { } dryRun ? new Dictionary<string, string> { [SessionSettings.DryRun] = dryRun ? "true" : "false" } : null;
        var session = await store.GetSettingsAsync(sessionId, cancellationToken).ConfigureAwait(false);
        var resolved = SessionSettings.Resolve(SessionSettings.DryRun, request, session, configuration);
        return bool.TryParse(resolved.Value, out var value) && value;
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
