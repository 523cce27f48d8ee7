using AgentHost.Agent.Telemetry;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Events;
using AgentHost.Sessions;
using Microsoft.Extensions.AI;

namespace AgentHost.Agent.Engine;

/// <summary>
/// Drives a model through a task: stream a step, run the tool calls it asked for through the
/// <see cref="ToolPipeline"/> (independent read-only calls in parallel, others one by one in order), feed the
/// results back, repeat until a final answer, the step limit, a detected loop, cancellation or an error.
/// </summary>
/// <remarks>
/// Writes the conversation through <see cref="IConversationRecorder"/> as it happens (never cancelled, so Ctrl+C
/// cannot tear a write) and publishes run events on the bus. Every function call in the history gets a function
/// result, whatever ends the run. Summarises older history near the model's context window. One instance may run
/// several sessions concurrently; one session must not be run twice at once.
/// </remarks>
public sealed partial class AgentLoop
{
    /// <summary>
    /// The additional-property key set on recorded copies of messages kept verbatim across a compaction: they follow
    /// the summary in the store so that resuming from the summary sees what the model saw. Transcript views can skip them.
    /// </summary>
    public const string CarriedMessageMarker = "agenthost.carried";

    private const string Source = "agent";
    private readonly IChatClient _client;
    private readonly ToolPipeline _tools;
    private readonly IEventBus _events;
    private readonly IConversationRecorder _recorder;
    private readonly TimeProvider _time;
    private readonly AgentLoopOptions _options;
    private readonly ConversationCompactor _compactor;
    private readonly Microsoft.Extensions.Logging.ILogger _logger;

    /// <summary>Creates a loop.</summary>
    /// <param name="chatClient">The model.</param>
    /// <param name="tools">The tool pipeline (its registry supplies the tools).</param>
    /// <param name="events">Where run events are published.</param>
    /// <param name="recorder">Where the conversation is written as it happens.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="options">Limits and defaults; <see cref="AgentLoopOptions"/> defaults when <see langword="null"/>.</param>
    public AgentLoop(IChatClient chatClient, ToolPipeline tools, IEventBus events, IConversationRecorder recorder, TimeProvider timeProvider, AgentLoopOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(chatClient);
        ArgumentNullException.ThrowIfNull(tools);
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(recorder);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _client = chatClient;
        _tools = tools;
        _events = events;
        _recorder = recorder;
        _time = timeProvider;
        _options = options ?? new AgentLoopOptions();
        _compactor = new ConversationCompactor(chatClient, _options);
        _logger = Microsoft.Extensions.Logging.LoggerFactoryExtensions.CreateLogger<AgentLoop>(tools.LoggerFactory);
    }

    /// <summary>Runs the request to its end.</summary>
    /// <param name="request">What to run.</param>
    /// <param name="cancellationToken">Cancellation (Ctrl+C): running tool calls are cancelled, the run ends as <see cref="RunOutcome.Cancelled"/>.</param>
    /// <returns>How the run ended. Failures of the model or the store are reported in the result, not thrown.</returns>
    public async Task<AgentRunResult> RunAsync(AgentRunRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrWhiteSpace(request.SessionId);
        ArgumentException.ThrowIfNullOrWhiteSpace(request.Prompt);
        var maxSteps = request.MaxSteps ?? _options.MaxSteps;
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSteps, 1, nameof(request));

        var started = _time.GetTimestamp();
        var run = CreateRun(request, maxSteps);
        // A session's turn brings its span (its hooks ran in it already); a loop run on its own starts one.
        using var owned = request.Turn is null ? _tools.Telemetry.StartRun(run.Tags) : null;
        var activity = request.Turn ?? owned;
        if (request.Turn is { } turn)
        {
            AgentTelemetry.TagTurn(turn, run.Tags);
        }

        Publish(new RunStartedEvent(request.SessionId, request.ProviderName ?? string.Empty, request.Model?.Id ?? string.Empty, _tools.Scrubber.Scrub(request.Prompt)));

        if (request.CostCaps is not null && request.Model is { InputPricePerMillion: null, OutputPricePerMillion: null } unpriced)
        {
            Publish(new WarningEvent("cost", $"{unpriced.Id} has no prices in the model catalog: its requests count as $0, so the cost cap cannot stop this turn; give the model input_price/output_price in its provider's models to count them"));
        }

        // The time limit cancels what is in flight (the model's request, the tool calls) as Ctrl+C does, but the run
        // ends with its own outcome.
        using var timeLimit = request.TimeLimit is { } limit ? new CancellationTokenSource(limit, _time) : null;
        using var linked = timeLimit is null ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeLimit.Token);
        RunOutcome outcome;
        string? reason;
        try
        {
            (outcome, reason) = await DriveAsync(run, linked?.Token ?? cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested || timeLimit?.IsCancellationRequested == true)
        {
            (outcome, reason) = (RunOutcome.Cancelled, CancelledByUser);
        }
        catch (ModelRequestException ex)
        {
            (outcome, reason) = (RunOutcome.ProviderError, ex.Message);
        }
#pragma warning disable CA1031 // The run's exception boundary: any other failure ends the run with a reason, history intact.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogRunFailed(ex, request.SessionId);
            (outcome, reason) = (RunOutcome.Failed, ToolFailures.IsBug(ex)
                ? $"the run failed with an internal error ({ToolFailures.Unwrap(ex).GetType().Name}; logged: see 'agent logs')"
                : $"the run failed: {ex.Message}");
        }

        if (outcome == RunOutcome.Cancelled && !cancellationToken.IsCancellationRequested && timeLimit?.IsCancellationRequested == true)
        {
            (outcome, reason) = (RunOutcome.TimeLimit, $"stopped after {run.Steps} steps: the turn's time limit of {request.TimeLimit!.Value.TotalSeconds.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture)}s was reached (--timeout); what was running was cancelled. Continue the session to go on, or raise --timeout");
        }

        await FinishAsync(run, outcome, reason).ConfigureAwait(false);
        await EndTurnAsync(request, outcome, cancellationToken).ConfigureAwait(false);
        Publish(new RunCompletedEvent(request.SessionId, outcome, run.FinalText is { } final ? _tools.Scrubber.Scrub(final) : null, run.Steps)
        {
            Reason = reason is null ? null : _tools.Scrubber.Scrub(reason),
            InputTokens = run.Usage.InputTokenCount ?? 0,
            OutputTokens = run.Usage.OutputTokenCount ?? 0,
            ReasoningTokens = run.Usage.ReasoningTokenCount ?? 0,
        });
        _tools.Telemetry.RecordRun(outcome, _time.GetElapsedTime(started));
        AgentTelemetry.EndRun(activity, outcome, run.Steps, run.Usage, run.Cost);
        return new AgentRunResult(outcome, run.FinalText, run.Steps, run.Usage)
        {
            Reason = reason,
            Messages = run.Conversation.Snapshot(),
            Cost = run.Cost,
            CutAtOutputLimit = run.CutAtOutputLimit,
        };
    }

    /// <summary>The caller's end-of-turn work (<see cref="AgentRunRequest.EndOfTurn"/>): its failure is a warning, never the run's.</summary>
    private async Task EndTurnAsync(AgentRunRequest request, RunOutcome outcome, CancellationToken cancellationToken)
    {
        if (request.EndOfTurn is not { } endOfTurn)
        {
            return;
        }

        try
        {
            await endOfTurn(outcome, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl+C during the end of the turn: what it did not do is left undone.
        }
#pragma warning disable CA1031 // The end of a turn never turns a finished run into a failed one.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogEndOfTurnFailed(ex, request.SessionId);
            Publish(new WarningEvent("agent", $"the end of the turn failed ({ToolFailures.MessageOf(ex)}; logged: see 'agent logs')"));
        }
    }

    private RunState CreateRun(AgentRunRequest request, int maxSteps)
    {
        var toolSet = _tools.GetToolSet();
        _tools.RestoreLoadedTools(request.History);
        var loaded = _tools.GetLoadedTools();
        var chatOptions = request.ChatOptions?.Clone() ?? new ChatOptions();
        chatOptions.ModelId ??= request.Model?.Id;
        chatOptions.Tools = OfferedTools(toolSet, loaded);
        if (request.CacheKey is { Length: > 0 } cacheKey)
        {
            (chatOptions.AdditionalProperties ??= [])[ChatProviderCapability.CacheKeyProperty] = cacheKey;
        }

        var conversation = new Conversation(_options.CharactersPerToken, toolSet.SchemaCharacters);
        if (!string.IsNullOrEmpty(request.SystemPrompt))
        {
            conversation.Add(new ChatMessage(ChatRole.System, request.SystemPrompt));
        }

        foreach (var message in request.History)
        {
            if (message.Role != ChatRole.System)
            {
                conversation.Add(AsSent(message));
            }
        }

        var window = request.Model is { ContextWindow: > 0 } model ? model.ContextWindow : _options.DefaultContextWindow;
        return new RunState(request, conversation, chatOptions, maxSteps, window)
        {
            ToolSet = toolSet,
            LoadedTools = loaded.Count,
            Trimmer = new ToolResultTrimmer(_options),
            CompactionLimit = (long)(window * _options.CompactionThreshold),
            CompactionEnabled = request.Compaction,
            Loops = new LoopDetector(_options.LoopRepeatThreshold, _options.LoopWindowSteps),
        };
    }

    private async Task FinishAsync(RunState run, RunOutcome outcome, string? reason)
    {
        try
        {
            await PromptWrittenAsync(run).ConfigureAwait(false);
            if (run.Pending.Count > 0)
            {
                var error = outcome == RunOutcome.Cancelled ? CancelledByUser : $"not run: the run stopped ({reason})";
                await AnswerPendingAsync(run, error).ConfigureAwait(false);
            }

            var status = outcome switch
            {
                RunOutcome.Completed => SessionStatus.Completed,
                RunOutcome.Cancelled => SessionStatus.Cancelled,
                _ => SessionStatus.Failed,
            };
            await _recorder.SetStatusAsync(run.SessionId, status, CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The run has already ended; a store failure here is reported, not thrown.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Publish(new WarningEvent(Source, $"could not record the end of session '{run.SessionId}': {ex.Message}"));
        }
    }

    private void Publish<TEvent>(TEvent agentEvent)
        where TEvent : AgentEvent => _events.Publish(agentEvent with { Timestamp = _time.GetUtcNow() });

    /// <summary>Publishes and waits while a lossless subscriber (a front end) is full: the run streams no faster than output is read.</summary>
    private ValueTask PublishAsync<TEvent>(TEvent agentEvent, CancellationToken cancellationToken)
        where TEvent : AgentEvent => _events.PublishAsync(agentEvent with { Timestamp = _time.GetUtcNow() }, cancellationToken);

    private ValueTask AppendAsync(RunState run, ChatMessage message)
    {
        run.Conversation.Add(message);
        return RecordAsync(run, message);
    }

    private async ValueTask RecordAsync(RunState run, ChatMessage message)
    {
        await PromptWrittenAsync(run).ConfigureAwait(false);
        await _recorder.AppendMessageAsync(run.SessionId, message, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Waits for the prompt's write, which runs alongside the first request; every other write follows it.</summary>
    private static async ValueTask PromptWrittenAsync(RunState run)
    {
        if (run.PromptWrite is { } pending)
        {
            run.PromptWrite = null;
            await pending.ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A stored message as the run that wrote it sent it: a tool result read back from the store is a JSON string
    /// value, which a provider would send quoted and escaped; as text it is byte-identical to the original request,
    /// so a resumed session's prompt cache still matches.
    /// </summary>
    private static ChatMessage AsSent(ChatMessage message)
    {
        if (message.Role != ChatRole.Tool || !message.Contents.Any(c => c is FunctionResultContent { Result: System.Text.Json.JsonElement { ValueKind: System.Text.Json.JsonValueKind.String } }))
        {
            return message;
        }

        var copy = message.Clone();
        copy.Contents = [.. message.Contents.Select(c => c is FunctionResultContent { Result: System.Text.Json.JsonElement { ValueKind: System.Text.Json.JsonValueKind.String } element } result
            ? new FunctionResultContent(result.CallId, element.GetString()) { Exception = result.Exception, AdditionalProperties = result.AdditionalProperties }
            : c)];
        return copy;
    }

    /// <summary>The tools a request offers: the tool set's declarations, then the loaded deferred tools; <see langword="null"/> for none.</summary>
    private static List<AITool>? OfferedTools(ToolSet toolSet, IReadOnlyList<string> loaded)
    {
        var offered = ToolPipeline.Offered(toolSet, loaded);
        return offered.Count > 0 ? [.. offered] : null;
    }

    private static decimal? CostOf(ModelDescriptor? model, UsageDetails usage)
    {
        if (model is null || (model.InputPricePerMillion is null && model.OutputPricePerMillion is null))
        {
            return null;
        }

        var input = usage.InputTokenCount ?? 0;
        var cached = Math.Min(usage.CachedInputTokenCount ?? 0, input);
        var inputPrice = model.InputPricePerMillion ?? 0m;
        var total = ((input - cached) * inputPrice)
            + (cached * (model.CachedInputPricePerMillion ?? inputPrice))
            + ((usage.OutputTokenCount ?? 0) * (model.OutputPricePerMillion ?? 0m));
        return total / 1_000_000m;
    }

    private sealed class RunState(AgentRunRequest request, Conversation conversation, ChatOptions chatOptions, int maxSteps, long window)
    {
        public AgentRunRequest Request { get; } = request;

        public string SessionId { get; } = request.SessionId;

        /// <summary>What the run's spans and metrics say about its model requests.</summary>
        public ModelCallTags Tags { get; } = new(request.ProviderName, request.ModelId ?? request.Model?.Id, request.SessionId);

        public Conversation Conversation { get; } = conversation;

        public ChatOptions ChatOptions { get; set; } = chatOptions;

        /// <summary>How often Stop hooks made this run go on.</summary>
        public int StopContinuations { get; set; }

        /// <summary>The tool set <see cref="ChatOptions"/> offers (refreshed before each request).</summary>
        public required ToolSet ToolSet { get; set; }

        /// <summary>How many deferred tools <see cref="ChatOptions"/> offers (loads only ever add to the end).</summary>
        public int LoadedTools { get; set; }

        /// <summary>Trims older tool results in what is sent.</summary>
        public required ToolResultTrimmer Trimmer { get; init; }

        public int MaxSteps { get; } = maxSteps;

        public long Window { get; } = window;

        /// <summary>The prompt's write while it is in flight (see <c>DriveAsync</c>); <see langword="null"/> once awaited.</summary>
        public Task? PromptWrite { get; set; }

        public required long CompactionLimit { get; init; }

        public required bool CompactionEnabled { get; set; }

        public required LoopDetector Loops { get; init; }

        public List<PreparedCall> Pending { get; } = [];

        public UsageDetails Usage { get; } = new();

        /// <summary>What the run's requests cost so far, when the model has prices.</summary>
        public decimal? Cost { get; set; }

        public int Steps { get; set; }

        public string? FinalText { get; set; }

        /// <summary>Whether the final answer was cut at the model's output limit (its finish reason was <c>length</c>).</summary>
        public bool CutAtOutputLimit { get; set; }
    }

    private sealed class ModelRequestException(string message, Exception innerException) : Exception(message, innerException);
}
