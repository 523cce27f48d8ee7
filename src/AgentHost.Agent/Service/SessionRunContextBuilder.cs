using AgentHost.Agent.Mcp;
using AgentHost.Agent.Models;
using AgentHost.Agent.Checkpoints;
using AgentHost.Agent.Context;
using AgentHost.Agent.Memory;
using AgentHost.Agent.Runs;
using AgentHost.Agent.Skills;
using AgentHost.Hosting.Configuration;
using AgentHost.Hosting.Trust;
using AgentHost.Hosting;
using AgentHost.Permissions;
using AgentHost.Permissions.Gate;
using AgentHost.Permissions.Rules;
using AgentHost.Permissions.Sandbox;
using AgentHost.Sdk.Events;
using AgentHost.Sessions;
using Microsoft.Extensions.AI;

namespace AgentHost.Agent.Service;

/// <summary>Builds a session's <see cref="SessionRunContext"/> at its first turn (what <c>AgentRunner</c> did before every run).</summary>
internal static class SessionRunContextBuilder
{
    /// <summary>The message given to tool calls that were in flight when an earlier process ended.</summary>
    public const string InterruptedResult = "interrupted: the agent stopped before this call finished; it may or may not have taken effect";

    /// <summary>The result of <see cref="BuildAsync"/>: the context, the new session's lease, and the history so far.</summary>
    public sealed record Built(SessionRunContext Context, SessionLease? NewLease, IReadOnlyList<ChatMessage> History);

    // policy: the session's, narrowed since the open. reservedId: the id a new session is stored under (its hooks have
    // it already); the store makes one when null.
    public static async Task<Built> BuildAsync(
        SessionServiceParts parts, SessionOptions options, SessionOpening opening, PermissionPolicy policy, ExpandedPrompt firstPrompt, TaskKind? task, string? reservedId, Action<string> stored, CancellationToken cancellationToken)
    {
        var (runtime, store, configuration) = (parts.Runtime, parts.Store, parts.Configuration);
        var prompt = firstPrompt.Prompt;
        var existing = opening.ExistingId;
        var choosing = StartupActivities.Start("session.model");
        var (model, why) = await SessionModelChoice.ChooseAsync(
            parts, options, ModelRouting.OfTurn(task, PlanModeLikely(options, opening, configuration)), existing is null ? null : opening.Settings, firstPrompt.ToModelText().Length, [.. firstPrompt.Images.Select(i => i.Name ?? i.MediaType)], cancellationToken).ConfigureAwait(false);
        // Not disposed here: the first request is sent after the build, so the warm-up belongs to the context.
        var warmUp = parts.Prepared.TakeWarmUp(model.Client) ?? ProviderWarmUp.Start(model.Client, cancellationToken);
        choosing?.Dispose();
        SessionLease? newLease = null;
        try
        {
            var skills = await opening.SkillsAsync(CancellationToken.None).ConfigureAwait(false);
            skills?.Active.BeginTurn(); // The first turn's reads of the skills share one read from here on.
            var creating = StartupActivities.Start("session.store");
            var remember = Remembered(parts, options, model);
            string sessionId;
            if (existing is null)
            {
                // Leased before the row exists: another process opening the store meanwhile must not take it for a dead run.
                (var created, newLease) = await store.CreateLeasedSessionAsync(
                    new NewSession(options.WorkspaceRoot, model.ProviderName, model.ModelId) { Prompt = options.Title ?? prompt, Settings = remember, Owner = options.Owner, Name = options.Name, Id = reservedId }, cancellationToken).ConfigureAwait(false);
                sessionId = created.Id;
            }
            else
            {
                sessionId = existing;
            }

            if (existing is not null)
            {
                foreach (var (key, value) in remember.Where(r => opening.Settings.GetValueOrDefault(r.Key) != r.Value))
                {
                    await store.SetSettingAsync(sessionId, key, value, cancellationToken).ConfigureAwait(false);
                }
            }

            stored(sessionId); // From here on the session's events carry its id: its streams pass them on.
            runtime.Events.Publish(new ModelSelectedEvent(sessionId, model.ProviderName, model.ModelId, why) { Timestamp = parts.Time.GetUtcNow() });
            if (why.Contains("auto-selected", StringComparison.Ordinal))
            {
                await store.SetSettingAsync(sessionId, "model_choice", why, cancellationToken).ConfigureAwait(false);
            }

            foreach (var warning in firstPrompt.Warnings)
            {
                runtime.Events.Publish(new WarningEvent("context", warning));
            }

            creating?.Dispose();
            using var preparing = StartupActivities.Start("session.prepare");
            var history = existing is not null ? await LoadHistoryAsync(store, sessionId, cancellationToken).ConfigureAwait(false) : [];
            if (skills is not null)
            {
                await skills.Active.RestoreAsync(history, cancellationToken).ConfigureAwait(false);
            }

            var securing = StartupActivities.Start("session.sandbox");
            var sandbox = CreateSandbox(parts, sessionId, options, opening, policy);
            var sessionHooks = await opening.HooksAsync(CancellationToken.None).ConfigureAwait(false);
            var gate = CreateGate(parts, sessionId, options, opening, policy, skills?.Active, sandbox, sessionHooks);
            securing?.Dispose();
            if (sessionHooks is { } hooks)
            {
                // The id is the hooks' already (SessionStartHooks, the session stored under it); mode and sandbox are now the gate's and the session's.
                hooks.Dispatcher.PermissionMode = () => Hooks.HookDispatcher.ClaudeModeName(gate.Mode.ToDisplayName());
                hooks.Dispatcher.Sandbox = sandbox.Settings.Hooks && sandbox.Enabled ? sandbox : null;
            }

            if (existing is not null)
            {
                // A session created just now has no grants yet (they are stored under its new id): nothing to read.
                gate.Grants.Add(await store.Audit.GetGrantsAsync(sessionId, cancellationToken).ConfigureAwait(false));
            }
            var memory = ProjectMemoryRun.Prepare(await opening.MemoryAsync(CancellationToken.None).ConfigureAwait(false), options.WorkspaceRoot, history, runtime.Events);
            var storedWorkspace = existing is null ? options.WorkspaceRoot : (await store.GetSessionAsync(sessionId, cancellationToken).ConfigureAwait(false)).Workspace;
            var checkpoints = new FileCheckpointRecorder(store.Checkpoints, sessionId, storedWorkspace);
            var mcp = await opening.McpServersAsync(CancellationToken.None).ConfigureAwait(false);
            var mcpWaiting = StartupActivities.Start("session.mcp.background-wait");
            // mcp.background_wait: a plugin's server starting in the background gets a short, bounded wait, so a fast
            // one's tools are on the first request (counted from its start: the time spent above is not waited again).
            var waitProblems = new List<string>();
            var backgroundWait = Mcp.McpServerSources.BackgroundWait(parts.Configuration, waitProblems);
            foreach (var problem in waitProblems)
            {
                runtime.Events.Publish(new WarningEvent("mcp", problem));
            }

            await mcp.WaitBeforeFirstRequestAsync(backgroundWait, cancellationToken).ConfigureAwait(false);
            mcpWaiting?.Dispose();
            // The MCP part is live: a server's list_changed reaches the next model request.
            var askUser = Questions.AskUserTool.Create(parts.Questions, sessionId, options.Interactive);
            var learning = CreateLearning(parts, sessionId, options, gate, checkpoints);
            List<Hosting.Capabilities.RegisteredCapability> others = skills is null ? [askUser] : [skills.Tool, askUser];
            if (learning is not null)
            {
                others.Add(RememberTool.Create(learning));
            }

            var kernelTools = Runs.RunMcpServers.KernelTools(mcp, others, out var onMcpToolsChanged);
            var pipelineOptions = AgentRunner.PipelineOptions(
                runtime, gate, memory.Middleware is { } nested ? [nested] : null, kernelTools, checkpoints.BeforeWriteAsync, sessionHooks, SessionShape.Tools(options, opening.Settings, configuration),
                Engine.ToolDeferral.FromConfiguration(configuration), sandbox) with
            {
                // The skill baseline is taken in the background, off the way to the first request; no tool may run
                // before it is (a tool could change a skill, whose allowed-tools would then be trusted).
                BeforeCall = skills is null ? null : opening.BaselineAsync,
                ProcessEnvironment = parts.ProcessEnvironment.ForModel,
                EditorFiles = options.EditorFiles,
            };
            var pipeline = new Engine.ToolPipeline(runtime.Registry, runtime.Events, gate, parts.Scrubber, parts.Time, pipelineOptions);
            gate.ModeChanged += (_, _) => pipeline.InvalidateToolSet();
            gate.Narrowed += (_, _) => pipeline.InvalidateToolSet();
            onMcpToolsChanged(pipeline.InvalidateToolSet);
            var context = new SessionRunContext(sessionId, existing is not null, model, new SessionRunContextParts(
                opening.Trust, policy, opening.Settings, gate, pipeline, skills, memory, MaxSteps(options, opening.Settings, configuration), DryRun(options, opening.Settings, configuration))
            {
                WarmUp = warmUp,
                Checkpoints = checkpoints,
                Learning = learning,
            });
            return new Built(context, newLease, history);
        }
        catch
        {
            warmUp?.Dispose();
            if (newLease is not null)
            {
                await newLease.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    /// <summary>
    /// The session's self-kept memory (<c>memory.auto_update</c>), or <see langword="null"/> when it is off: its writes
    /// are decided by the session's gate and recorded in the turn's checkpoints like a file tool's.
    /// </summary>
    private static MemoryAutoUpdater? CreateLearning(SessionServiceParts parts, string sessionId, SessionOptions options, SessionPermissionGate gate, FileCheckpointRecorder checkpoints)
    {
        var settings = MemoryAutoUpdateSettings.FromConfiguration(parts.Configuration, out var problem);
        if (problem is not null)
        {
            parts.Runtime.Events.Publish(new WarningEvent("memory", problem));
        }

        return settings is null ? null : new MemoryAutoUpdater(settings, new MemoryAutoUpdaterParts(sessionId, options.WorkspaceRoot, gate, parts.Runtime.Events, parts.Scrubber, parts.Time)
        {
            BeforeWrite = checkpoints.BeforeWriteAsync,
        });
    }

    /// <summary>
    /// What the session records of this run: its model (<see cref="RememberedRun.ReferenceOf"/>) and, when the front end
    /// says, its plugins. A resumed session's record changes only when the run uses another model or other plugins.
    /// </summary>
    private static Dictionary<string, string> Remembered(SessionServiceParts parts, SessionOptions options, SelectedModel model)
    {
        var remember = new Dictionary<string, string>(StringComparer.Ordinal) { [SessionSettings.Model] = RememberedRun.ReferenceOf(model, parts.Environment) };
        if (options.Plugins is { } plugins)
        {
            remember[SessionSettings.Plugins] = RememberedRun.FormatPlugins(plugins);
        }

        SessionShape.Remember(options, remember);

        return remember;
    }

    /// <summary>
    /// Whether the session will be in plan mode, read before its gate exists (for the first turn's model route): the
    /// options' mode, else the session's or configured <c>session.permission_mode</c>, else <c>permissions.mode</c>.
    /// The turn routes again by the gate's mode, so a wrong guess costs a client, not a wrong model.
    /// </summary>
    private static bool PlanModeLikely(SessionOptions options, SessionOpening opening, ConfigurationSnapshot configuration)
    {
        if (options.PermissionMode is { } mode)
        {
            return mode == PermissionMode.Plan;
        }

        var text = SessionSettings.Resolve(SessionSettings.PermissionMode, null, opening.Settings, configuration).Value ?? configuration.Get("permissions.mode");
        return PermissionModes.TryParse(text, out var parsed) && parsed == PermissionMode.Plan;
    }

    /// <summary>Loads a session's history and answers tool calls left without a result by a process that died.</summary>
    public static async Task<IReadOnlyList<ChatMessage>> LoadHistoryAsync(ISessionStore store, string sessionId, CancellationToken cancellationToken)
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

    /// <summary>
    /// The session's permission mode when its gate is made: the options' mode &gt; <c>session.permission_mode</c> (the
    /// session's own setting, configuration; an untrusted project's only when it narrows) &gt; <c>permissions.mode</c>
    /// &gt; ask with a person present, dont-ask without. Also read before the gate exists, for the first turn's hooks.
    /// </summary>
    /// <param name="policy">The session's permission policy (narrowed since the open).</param>
    /// <param name="warnings">Where a setting that is not a mode, or not the project's to choose, is reported; nowhere when <see langword="null"/> (the gate reports it).</param>
    internal static PermissionMode ModeOf(SessionServiceParts parts, SessionOptions options, SessionOpening opening, PermissionPolicy policy, IEventBus? warnings)
    {
        var configuration = parts.Configuration;
        var remembered = SessionSettings.Resolve(SessionSettings.PermissionMode, null, opening.Settings, configuration);
        PermissionMode? sessionMode = null;
        if (remembered.Value is { } text)
        {
            if (PermissionModes.TryParse(text, out var parsed))
            {
                sessionMode = parsed;
            }
            else
            {
                warnings?.Publish(new WarningEvent("permissions", $"{remembered.Origin}: permission_mode '{text}' is not a mode ({string.Join(", ", PermissionModes.Names)}); ignored"));
            }
        }

        if (remembered.Source == SettingSource.Project && sessionMode is not (null or PermissionMode.Plan or PermissionMode.DontAsk) && policy.Project is { Trusted: false })
        {
            // Like permissions.mode: an untrusted project cannot choose a wider mode for itself.
            warnings?.Publish(new WarningEvent("permissions", $"{remembered.Origin}: project {configuration.ProjectRoot} is not trusted: its session.permission_mode '{remembered.Value}' is ignored. If you trust this repository, run 'agent trust' in it."));
            sessionMode = null;
        }

        return options.PermissionMode ?? sessionMode ?? policy.Mode ?? PermissionModes.Default(options.Interactive);
    }

    /// <summary>
    /// The session's gate: the configured rules, the session's grants, and its mode by precedence: the options'
    /// mode &gt; <c>session.permission_mode</c> (the session's own setting, configuration) &gt; <c>permissions.mode</c>
    /// &gt; ask with a person present, dont-ask without.
    /// </summary>
    private static SessionPermissionGate CreateGate(SessionServiceParts parts, string sessionId, SessionOptions options, SessionOpening opening, PermissionPolicy policy, ActiveSkills? skills, SandboxPolicy sandbox, Hooks.SessionHooks? hooks)
    {
        var (runtime, configuration) = (parts.Runtime, parts.Configuration);
        var rules = AgentRunner.CreatePermissionGate(policy, options.WorkspaceRoot, parts.Environment, ModeOf(parts, options, opening, policy, runtime.Events), options.Interactive, runtime.Events);
        if (skills is not null)
        {
            // Like its permission rules, an untrusted project's skills cannot pre-approve calls for themselves.
            skills.TrustProjectSkills = policy.Project is not { Trusted: false };
            skills.Warn = message => runtime.Events.Publish(new WarningEvent("skills", message));
        }

        var grants = new SessionGrants(options.WorkspaceRoot, parts.Environment.HomeDirectory, policy.ExtraDirectories);
        return new SessionPermissionGate(rules, rules.Mode, new SessionPermissionOptions(sessionId, grants, runtime.Events)
        {
            // A session nobody answers never waits for a person, whatever its mode: what asks is denied at once with
            // the rule that would allow it (a server's engine has a responder for its interactive sessions only).
            Broker = options.Interactive ? parts.Broker : null,
            Store = parts.Store.Audit,
            ProjectConfigFile = configuration.Project.ConfigFileOrDefault,
            GlobalConfigFile = configuration.GlobalConfigFile,
            TrustProject = () => TrustProject(parts, opening.Trust, policy),
            Scrubber = parts.Scrubber,
            Time = parts.Time,
            Skills = skills,
            Hooks = hooks,
            SandboxAutoAllow = sandbox.Settings.AutoAllow,
        });
    }

    /// <summary>
    /// The session's sandbox: its mode by precedence: the options' (<c>--sandbox</c>) &gt; <c>session.sandbox</c> (the
    /// session's own setting, a flag, the user's configuration; never an untrusted project's) &gt; <c>sandbox.mode</c>.
    /// </summary>
    private static SandboxPolicy CreateSandbox(SessionServiceParts parts, string sessionId, SessionOptions options, SessionOpening opening, PermissionPolicy policy) =>
        RunSandbox.Create(parts.Configuration, parts.Environment, options.WorkspaceRoot, policy, sessionId, SandboxModeOf(parts, options, opening, policy, parts.Runtime.Events), parts.Runtime.Events, parts.ProcessEnvironment.IsServer, parts.SandboxLayout);

    /// <summary>
    /// The session's sandbox mode over <c>sandbox.mode</c>: the options' (<c>--sandbox</c>) &gt; <c>session.sandbox</c>
    /// (never an untrusted project's); <see langword="null"/>: <c>sandbox.mode</c>. Also read before the session's
    /// sandbox exists, for the first turn's hooks.
    /// </summary>
    /// <param name="policy">The session's permission policy (narrowed since the open).</param>
    /// <param name="warnings">Where a setting that is not a mode, or not the project's to choose, is reported; nowhere when <see langword="null"/>.</param>
    internal static SandboxMode? SandboxModeOf(SessionServiceParts parts, SessionOptions options, SessionOpening opening, PermissionPolicy policy, IEventBus? warnings)
    {
        var configuration = parts.Configuration;
        var remembered = SessionSettings.Resolve(SessionSettings.Sandbox, null, opening.Settings, configuration);
        if (options.Sandbox is not null || remembered.Value is not { } text)
        {
            return options.Sandbox;
        }

        if (remembered.Source == SettingSource.Project && policy.Project is { Trusted: false })
        {
            warnings?.Publish(new WarningEvent("sandbox", $"{remembered.Origin}: project {configuration.ProjectRoot} is not trusted: its session.sandbox '{text}' is ignored. If you trust this repository, run 'agent trust' in it."));
            return null;
        }

        if (SandboxSettings.TryParseMode(text, out var parsed))
        {
            return parsed;
        }

        warnings?.Publish(new WarningEvent("sandbox", $"{remembered.Origin}: sandbox '{text}' is not a sandbox mode (auto, required, off); ignored"));
        return null;
    }

    /// <summary>"Always allow in this project" is the user's own choice: the project becomes trusted (from the next open).</summary>
    private static void TrustProject(SessionServiceParts parts, ProjectTrust trust, PermissionPolicy policy)
    {
        if (policy.Project is not { Trusted: false } project)
        {
            return;
        }

        trust.Trust(project.Root);
        var also = project.IgnoredAnything ? $"; its other settings ({project.IgnoredSummary}) apply from the next run — review {project.ConfigFile}" : string.Empty;
        parts.Runtime.Events.Publish(new WarningEvent("permissions", $"trusted {project.Root} (you chose 'always allow in this project'){also}. Undo with 'agent trust --revoke'."));
    }

    private static bool DryRun(SessionOptions options, IReadOnlyDictionary<string, string> session, ConfigurationSnapshot configuration)
    {
        var request = options.DryRun is { } dryRun ? new Dictionary<string, string> { [SessionSettings.DryRun] = dryRun ? "true" : "false" } : null;
        var resolved = SessionSettings.Resolve(SessionSettings.DryRun, request, session, configuration);
        return bool.TryParse(resolved.Value, out var value) && value;
    }

    private static int? MaxSteps(SessionOptions options, IReadOnlyDictionary<string, string> session, ConfigurationSnapshot configuration)
    {
        var request = options.MaxSteps is { } steps
            ? new Dictionary<string, string> { [SessionSettings.MaxSteps] = steps.ToString(System.Globalization.CultureInfo.InvariantCulture) }
            : null;
        var resolved = SessionSettings.Resolve(SessionSettings.MaxSteps, request, session, configuration);
        return int.TryParse(resolved.Value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) && value > 0 ? value : null;
    }
}
