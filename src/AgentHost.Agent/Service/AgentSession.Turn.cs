using AgentHost.Agent.Engine;
using AgentHost.Agent.Mcp;
using AgentHost.Agent.Models;
using AgentHost.Agent.Runs;
using AgentHost.Agent.Telemetry;
using AgentHost.Hosting;
using AgentHost.Permissions;
using AgentHost.Sdk.Events;
using AgentHost.Sessions;
using Microsoft.Extensions.AI;

namespace AgentHost.Agent.Service;

/// <content>Turns: one prompt, through the agent loop, with the session's run context.</content>
public sealed partial class AgentSession
{
    /// <summary>Sends a prompt and runs the agent until it answers, stops or is cancelled.</summary>
    /// <param name="request">The prompt, its references, images and skills.</param>
    /// <param name="cancellationToken">Cancels the turn like <see cref="CancelTurn"/> (the turn ends as <see cref="RunOutcome.Cancelled"/>; the history stays valid).</param>
    /// <returns>How the turn ended.</returns>
    /// <exception cref="AgentHostException">Bad references, skills, model or configuration (the message says what to fix), or a turn is already running.</exception>
    public async Task<TurnResult> SendAsync(TurnRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ThrowIfClosed();
        if (!await _turn.WaitAsync(0, cancellationToken).ConfigureAwait(false))
        {
            throw new AgentHostException(ErrorKind.InUse, $"session {Id ?? "(new)"} is running a turn; wait for it or cancel it first.");
        }

        using var running = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            ThrowIfClosed();
            if (IsTakenOver)
            {
                throw new AgentHostException(ErrorKind.InUse, $"session {Id} was taken over by another writer while this one had stopped renewing its lease; close it, and open the session again once it is free.");
            }

            lock (_sync)
            {
                _running = running;
            }

            return await RunTurnAsync(request, running.Token).ConfigureAwait(false);
        }
        finally
        {
            lock (_sync)
            {
                _running = null;
            }

            _turn.Release();
        }
    }

    private async Task<TurnResult> RunTurnAsync(TurnRequest request, CancellationToken cancellationToken)
    {
        // The turn's span (a trace of its own) starts before anything of the turn runs, so that its UserPromptSubmit
        // and SessionStart hooks are spans of the turn's trace like its steps, tool calls and other hooks.
        using var turn = AgentTelemetry.Shared.StartTurn();
        try
        {
            // The turn's reads of the skills (its system prompt's catalog, --skill, a resumed history) share one read;
            // the first turn begins it where it first has the skills (they are still being set up in the background).
            RunContext?.Skills?.Active.BeginTurn();
            return await RunTurnCoreAsync(request, turn, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (turn is not null)
        {
            // Refused or failed before the loop ran (a UserPromptSubmit hook, a reference, the model): the span says so.
            AgentTelemetry.FailTurn(turn, ex);
            throw;
        }
        finally
        {
            _opening.SkillsIfRead?.Active.EndTurn();
        }
    }

    private async Task<TurnResult> RunTurnCoreAsync(TurnRequest request, System.Diagnostics.Activity? turn, CancellationToken cancellationToken)
    {
        var (runtime, store, configuration) = (_parts.Runtime, _parts.Store, _parts.Configuration);
        var context = RunContext;
        if (context is null && _sessionStart is null or { Failed: true })
        {
            // The first turn's hooks get the session's id (a new session's is reserved, and stored under it) as soon as
            // they are read, and its SessionStart hooks start then, once per session (again only if they failed): beside
            // the turn's preparation, not on its way.
            _sessionStart = SessionStartHooks.Start(_parts, Options, _opening, Volatile.Read(ref _policy), _lifetime.Token);
        }

        // References are read under the session's current mode (before the first turn: the options' mode, else
        // permissions.mode, else the default), with the session's policy (read when it opened, narrowed since).
        var policy = Volatile.Read(ref _policy);
        var mode = PermissionMode;
        var expanding = StartupActivities.Start("turn.references");
        var references = ContextReferences.Create(runtime, policy, mode, Options.WorkspaceRoot, _parts.Environment.HomeDirectory, _parts.Scrubber, _parts.Time, new McpResourceReferences(_opening.McpServersIfStartedAsync, _opening.McpServersAsync));
        var expanded = await references.ExpandAsync(request.Prompt, request.Context, request.Images, request.Attachments, cancellationToken).ConfigureAwait(false);
        expanding?.Dispose();
        if (request.McpPrompt is { } mcpPrompt)
        {
            // The server renders it now: a wrong name or argument stops the turn before anything is stored.
            expanded = await McpPrompts.RenderAsync(await _opening.McpServersAsync(cancellationToken).ConfigureAwait(false), mcpPrompt, expanded, new Context.ContextLimits(), cancellationToken).ConfigureAwait(false);
        }

        if (request.Skills.Count > 0)
        {
            // A mistyped skill stops the turn before anything else is prepared.
            var skills = await _opening.SkillsAsync(cancellationToken).ConfigureAwait(false) ?? throw new AgentHostException(ErrorKind.Configuration, "--skill: skills are turned off (skills.enabled: false); remove --skill or enable skills.");
            skills.Active.BeginTurn();
            skills.CheckRequested(request.Skills);
        }

        // UserPromptSubmit hooks may refuse the prompt before anything of the turn is stored.
        var promptHooks = context is null ? await _sessionStart!.Ready.WaitAsync(cancellationToken).ConfigureAwait(false) : await _opening.HooksAsync(cancellationToken).ConfigureAwait(false);
        var hookContext = promptHooks is not null ? await promptHooks.UserPromptSubmitAsync(request.Prompt, cancellationToken).ConfigureAwait(false) : null;
        IReadOnlyList<ChatMessage> history;
        var titling = Task.CompletedTask;
        if (context is null)
        {
            var building = StartupActivities.Start("turn.build");
            var reservedId = promptHooks is not null ? _sessionStart!.SessionId : null; // hooks were given it
            var built = await SessionRunContextBuilder.BuildAsync(_parts, Options, _opening, Volatile.Read(ref _policy), expanded, request.Task ?? Options.Task, reservedId, id => Volatile.Write(ref _id, id), cancellationToken).ConfigureAwait(false);
            building?.Dispose();
            (context, history) = (built.Context, built.History);
            _lease ??= built.NewLease;
            Volatile.Write(ref _id, context.SessionId);
            Volatile.Write(ref _context, context);
            _opening.MarkBegun();
            CatchUpPolicy(context);
            CatchUpApproval(context);
            // Their context precedes the prompt's (and the UserPromptSubmit hooks'), as when they ran at the session's start.
            hookContext = await _sessionStart!.Context.WaitAsync(cancellationToken).ConfigureAwait(false) + hookContext;

            if (Interlocked.Exchange(ref _pendingModel, null) is { } chosen)
            {
                await store.SetSettingAsync(context.SessionId, SessionSettings.Model, chosen, cancellationToken).ConfigureAwait(false);
            }

            if (!context.Resumed && Options.Title is null && ModelRouting.Background(configuration, TaskKind.Title) is (string small, _))
            {
                if (ModelSelection.ProviderTypeOf(small, configuration) is { } smallType)
                {
                    await runtime.EnsureChatProviderAsync(smallType, cancellationToken).ConfigureAwait(false);
                }

                titling = SessionTitler.GenerateAsync(() => ModelSelection.Select(small, configuration, runtime, _parts.Environment), store, context.SessionId, expanded.Prompt, runtime.Events, cancellationToken);
            }
        }
        else
        {
            foreach (var warning in expanded.Warnings)
            {
                runtime.Events.Publish(new WarningEvent("context", warning));
            }

            history = await SessionRunContextBuilder.LoadHistoryAsync(store, context.SessionId, cancellationToken).ConfigureAwait(false);
        }

        // A turn's own model is chosen before anything of the turn is stored: a wrong one fails the turn here.
        // A model named for the turn or the session wins; else the turn's kind may route to its own (multi_model.use_for).
        var model = request.Model is { } turnModel ? await SessionModelChoice.SelectAsync(_parts, turnModel, cancellationToken).ConfigureAwait(false)
            : Options.Model is null ? await RoutedModelAsync(context, ModelRouting.OfTurn(request.Task ?? Options.Task, context.Gate.Mode == PermissionMode.Plan), expanded.Prompt.Length, cancellationToken).ConfigureAwait(false) ?? context.Model
            : context.Model;
        var chatOptions = ModelParameterOptions.Resolve(request.ModelParameters, context.Settings, configuration);
        if (chatOptions is not null)
        {
            // What the provider cannot send for this model is said once per session, never silently dropped.
            ModelParameterOptions.WarnIgnored(model, chatOptions, _warnedParameters, runtime.Events);
        }

        if (request.Skills.Count > 0 && context.Skills is not null)
        {
            // An activation is checked against the baseline (a skill changed since the session started pre-approves nothing).
            await _opening.BaselineAsync(cancellationToken).ConfigureAwait(false);
        }

        var requestedSkills = context.Skills?.ActivateRequested(request.Skills) ?? string.Empty;
        var prompting = StartupActivities.Start("turn.system-prompt");
        var systemPrompt = await BuildSystemPromptAsync(context, cancellationToken).ConfigureAwait(false);
        prompting?.Dispose();
        // A dormant plugin (activation: lazy) loads its code when the model's answer calls one of its tools, as soon as
        // the call appears in the answer and before the turn invokes it (the call joins that activation); plugins whose
        // tools the run never calls stay dormant, and nothing competes with sending the first request.
        var pipeline = context.Pipeline;
        var host = runtime.Host;
#pragma warning disable CA2000 // Not disposed: that would dispose the model's client, which the session keeps for its next turns.
        IChatClient client = new ActivateCalledPlugins(model.Client, name =>
        {
            if (pipeline.FindTool(name) is { } tool)
            {
                host.ActivateInBackground(tool.PluginId);
            }
        });
        if (_opening.BaselinePending)
        {
            // The skills' baseline begins once the first request is answered: not on its way, done before its first tool call.
            client = new OnAnswerBegun(client, _opening.BeginBaseline);
        }
#pragma warning restore CA2000
        var loop = new AgentLoop(client, context.Pipeline, runtime.Events, store.Conversation, _parts.Time);
        var costCaps = request.MaxCost is null && request.MaxSessionCost is null
            ? null
            : new CostCaps(request.MaxCost, request.MaxSessionCost, request.MaxSessionCost is null ? 0m : (await store.GetSessionAsync(context.SessionId, cancellationToken).ConfigureAwait(false)).Cost ?? 0m);
        context.Checkpoints?.BeginTurn();
        AgentRunResult result;
        try
        {
            result = await loop.RunAsync(
                new AgentRunRequest(context.SessionId, hookContext + requestedSkills + expanded.ToModelText())
                {
                    Attachments = expanded.Images,
                    History = history,
                    SystemPrompt = systemPrompt,
                    Model = model.Descriptor,
                    ProviderName = model.ProviderName,
                    ModelId = model.ModelId,
                    MaxSteps = request.MaxSteps ?? context.MaxSteps,
                    TakeStep = request.TakeStep,
                    CostCaps = costCaps,
                    TimeLimit = request.Timeout,
                    Compaction = Options.Compaction,
                    WorkspaceRoot = Options.WorkspaceRoot,
                    DryRunByDefault = request.DryRun ?? context.DryRun,
                    Summarizer = ModelRouting.Background(configuration, TaskKind.Compaction) is null ? null : SmallModelForSummaries,
                    Hooks = await _opening.HooksAsync(CancellationToken.None).ConfigureAwait(false),
                    CacheKey = context.SessionId,
                    ToolsToLoad = context.Skills is { } skills ? skills.Active.NamedTools : null,
                    ChatOptions = chatOptions,
                    Turn = turn,
                    EndOfTurn = context.Learning is { } learning
                        ? (outcome, token) => learning.SaveAsync(outcome, request.DryRun ?? context.DryRun, token)
                        : null,
                },
                cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // What the turn left, also when it failed or was cancelled (the files are as the tools left them).
            if (context.Checkpoints is { } checkpoints)
            {
                try
                {
                    await checkpoints.EndTurnAsync(CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is AgentHostException or IOException or UnauthorizedAccessException)
                {
                    runtime.Events.Publish(new WarningEvent("checkpoints", $"could not record what this turn left in the files ({ex.Message}); undo will skip this turn"));
                }
            }
        }

        await titling.ConfigureAwait(false);
        return new TurnResult(context.SessionId, context.Resumed, model, result);
    }

    /// <summary>The session's conversation so far, as stored (empty for a new session before its first turn).</summary>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The messages, oldest first.</returns>
    public async Task<IReadOnlyList<ChatMessage>> LoadHistoryAsync(CancellationToken cancellationToken = default) =>
        Id is { } id ? await _parts.Store.Conversation.LoadConversationAsync(id, cancellationToken).ConfigureAwait(false) : [];

    /// <summary>
    /// The model the <c>multi_model.use_for</c> rule of this turn's <paramref name="kind"/> chooses, when it is not the
    /// session's (published as <c>model.selected</c> for the turn); <see langword="null"/> without a rule or when the
    /// rule names the session's model. Each kind's choice is made once per session.
    /// </summary>
    private async Task<SelectedModel?> RoutedModelAsync(SessionRunContext context, TaskKind kind, int promptCharacters, CancellationToken cancellationToken)
    {
        if (!_routes.TryGetValue(kind, out var routed))
        {
            routed = null;
            if (await SessionModelChoice.RouteAsync(_parts, kind, promptCharacters, cancellationToken).ConfigureAwait(false) is (string reference, string reason))
            {
                var selected = string.Equals(reference, $"{context.Model.ProviderName}/{context.Model.ModelId}", StringComparison.Ordinal)
                    ? context.Model
                    : await SessionModelChoice.SelectAsync(_parts, reference, cancellationToken).ConfigureAwait(false);
                routed = (selected, reason);
            }

            _routes[kind] = routed;
        }

        if (routed is not ({ } model, { } why) || ReferenceEquals(model, context.Model))
        {
            return null;
        }

        _parts.Runtime.Events.Publish(new ModelSelectedEvent(context.SessionId, model.ProviderName, model.ModelId, why + " (this turn)") { Timestamp = _parts.Time.GetUtcNow() });
        return model;
    }

    /// <summary>
    /// The model of compaction summaries (<c>multi_model.use_for.compaction</c>, else the <c>small_model</c>), when one
    /// is configured and can be created.
    /// </summary>
    private (IChatClient Client, Sdk.Capabilities.ModelDescriptor? Model)? SmallModelForSummaries()
    {
        if (ModelRouting.Background(_parts.Configuration, TaskKind.Compaction) is not (string small, string why))
        {
            return null;
        }

        try
        {
            var selected = ModelSelection.Select(small, _parts.Configuration, _parts.Runtime, _parts.Environment);
            return (selected.Client, selected.Descriptor);
        }
        catch (AgentHostException ex)
        {
            _parts.Runtime.Events.Publish(new WarningEvent("agent", $"{small} ({why}) is not usable for summaries ({ex.Message}); the run's model writes them"));
            return null;
        }
    }
}
