using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Events;
using Microsoft.Extensions.AI;

namespace AgentHost.Agent.Engine;

/// <summary>Defaults and limits of the <see cref="AgentLoop"/>.</summary>
public sealed record AgentLoopOptions
{
    /// <summary>Model steps per run when the request does not say (<c>--max-steps</c>): 50.</summary>
    public int MaxSteps { get; init; } = 50;

    /// <summary>How often one call signature (tool + canonical arguments) may appear before the run stops: the 3rd time.</summary>
    public int LoopRepeatThreshold { get; init; } = 3;

    /// <summary>How many recent steps loop detection looks at: 6.</summary>
    public int LoopWindowSteps { get; init; } = 6;

    /// <summary>The context window assumed when the model descriptor declares none: 128,000 tokens.</summary>
    public int DefaultContextWindow { get; init; } = 128_000;

    /// <summary>Compact when the estimated prompt exceeds this fraction of the window: 0.8.</summary>
    public double CompactionThreshold { get; init; } = 0.8;

    /// <summary>The share of the window kept verbatim after compaction (the most recent messages): 0.25.</summary>
    public double CompactionKeepRecentFraction { get; init; } = 0.25;

    /// <summary>
    /// Tool results of the last this many steps are always sent whole (4); older ones longer than
    /// <see cref="TrimToolResultsAbove"/> are replaced by a marker saying how to see them again (<see cref="ToolResultTrimmer"/>).
    /// 0 sends every result whole.
    /// </summary>
    public int KeepToolResultSteps { get; init; } = 4;

    /// <summary>The length (characters) above which an older tool result is trimmed: 1,000.</summary>
    public int TrimToolResultsAbove { get; init; } = 1000;

    /// <summary>How many characters of a trimmed tool result are kept before the marker (cut back to a line end): 0, the marker alone.</summary>
    public int TrimmedHeadCharacters { get; init; }

    /// <summary>Characters per token when the provider reports no usage: 4.</summary>
    public int CharactersPerToken { get; init; } = 4;

    /// <summary>Retries of failed model requests (backoff with jitter, <c>Retry-After</c> honoured).</summary>
    public ModelRetryPolicy Retry { get; init; } = new();
}

/// <summary>What to run.</summary>
/// <param name="SessionId">The session the conversation is recorded under.</param>
/// <param name="Prompt">The user's message for this run.</param>
public sealed record AgentRunRequest(string SessionId, string Prompt)
{
    /// <summary>Parts the user message carries after the prompt's text (images from <c>@shot.png</c> or <c>--image</c>).</summary>
    public IReadOnlyList<AIContent> Attachments { get; init; } = [];

    /// <summary>Earlier messages of the session, oldest first (from the last compaction summary when resuming). System messages are ignored.</summary>
    public IReadOnlyList<ChatMessage> History { get; init; } = [];

    /// <summary>The system prompt (see <see cref="SystemPromptBuilder"/>); none when <see langword="null"/>.</summary>
    public string? SystemPrompt { get; init; }

    /// <summary>The model; its id goes into <see cref="ChatOptions.ModelId"/>, its context window drives compaction, its prices the cost.</summary>
    public ModelDescriptor? Model { get; init; }

    /// <summary>The configured provider name, for events.</summary>
    public string? ProviderName { get; init; }

    /// <summary>
    /// The selected model's id, for spans and metrics (<c>gen_ai.request.model</c>): also when <see cref="Model"/> is
    /// <see langword="null"/> (a configured provider's model the catalog does not describe); <see cref="Model"/>'s id when not set.
    /// </summary>
    public string? ModelId { get; init; }

    /// <summary>The step limit; <see cref="AgentLoopOptions.MaxSteps"/> when <see langword="null"/>.</summary>
    public int? MaxSteps { get; init; }

    /// <summary>
    /// A step budget shared with other runs (a workflow's <c>max_steps</c> across parallel branches): asked before each
    /// model step; <see langword="false"/> ends the run with <see cref="RunOutcome.StepLimit"/>. None when <see langword="null"/>.
    /// </summary>
    public Func<bool>? TakeStep { get; init; }

    /// <summary>
    /// The run's cost caps, in US dollars from the model's prices; none when <see langword="null"/>. Checked before each
    /// model request: a cap reached ends the run with <see cref="RunOutcome.CostLimit"/> (a model without prices costs 0,
    /// and the run says so once with a warning).
    /// </summary>
    public CostCaps? CostCaps { get; init; }

    /// <summary>
    /// How long the run may take; none when <see langword="null"/>. When it is over, the model request or the tool calls
    /// in flight are cancelled and the run ends with <see cref="RunOutcome.TimeLimit"/>.
    /// </summary>
    public TimeSpan? TimeLimit { get; init; }

    /// <summary>Whether older history may be summarised near the context window (<c>--no-compact</c> turns it off).</summary>
    public bool Compaction { get; init; } = true;

    /// <summary>The project root tool calls are confined to.</summary>
    public string? WorkspaceRoot { get; init; }

    /// <summary>Whether mutating tools only report their changes unless a call sets <c>dry_run</c> (the session's <c>dry_run</c> setting).</summary>
    public bool DryRunByDefault { get; init; }

    /// <summary>
    /// A key that stays the same for every request of the conversation (the session id), handed to the provider as
    /// <see cref="ChatProviderCapability.CacheKeyProperty"/> so that its prompt cache can route by it (OpenAI's
    /// <c>prompt_cache_key</c>); none when <see langword="null"/>.
    /// </summary>
    public string? CacheKey { get; init; }

    /// <summary>
    /// Tools to load up front before each request (the session's active skills name them in <c>allowed-tools</c>): plain
    /// or plugin-qualified names, <c>*</c> at the end matching a prefix. Only deferred tools are affected; none when
    /// <see langword="null"/>.
    /// </summary>
    public Func<IReadOnlyList<string>>? ToolsToLoad { get; init; }

    /// <summary>Extra model options (temperature, reasoning effort, …); tools and model id are set by the loop.</summary>
    public ChatOptions? ChatOptions { get; init; }

    /// <summary>
    /// Creates the small model that writes compaction summaries (the <c>small_model</c> role), with what is known
    /// about it — called only when a compaction happens; the run's own model writes the summary when this is
    /// <see langword="null"/>, returns <see langword="null"/>, or the small model fails.
    /// </summary>
    public Func<(IChatClient Client, ModelDescriptor? Model)?>? Summarizer { get; init; }

    /// <summary>
    /// The session's hooks: Stop (a block makes the agent go on, at most <see cref="MaxStopContinuations"/> times a
    /// run), PreCompact, and a tool hook's <c>"continue": false</c> (ends the run after the step); none when not set.
    /// </summary>
    public Hooks.SessionHooks? Hooks { get; init; }

    /// <summary>How often Stop hooks may make one run go on: 3.</summary>
    public const int MaxStopContinuations = 3;

    /// <summary>
    /// The turn's span (<c>invoke_agent</c>) when the caller started it before the run (a session's turn, whose
    /// UserPromptSubmit and SessionStart hooks run first, in the same trace): the loop tags it and records the outcome,
    /// the caller ends it. When <see langword="null"/>, the loop starts and ends the turn's span itself.
    /// </summary>
    internal System.Diagnostics.Activity? Turn { get; init; }

    /// <summary>
    /// Runs once the run has ended, before <c>run.completed</c> is published, with the outcome and the caller's
    /// cancellation (not the time limit's): the session's self-kept memory is written there. A failure is a warning,
    /// never the run's outcome.
    /// </summary>
    internal Func<RunOutcome, CancellationToken, Task>? EndOfTurn { get; init; }
}

/// <summary>How a run ended.</summary>
/// <param name="Outcome">The outcome.</param>
/// <param name="FinalText">The model's final answer, when it gave one.</param>
/// <param name="Steps">Model steps taken.</param>
/// <param name="Usage">Tokens used by the run, as reported by the provider.</param>
public sealed record AgentRunResult(RunOutcome Outcome, string? FinalText, int Steps, UsageDetails Usage)
{
    /// <summary>Why the run stopped, when it did not complete.</summary>
    public string? Reason { get; init; }

    /// <summary>
    /// What the run cost in US dollars, from the model's prices (<see cref="Sdk.Capabilities.ModelDescriptor"/>);
    /// <see langword="null"/> when the model has no prices.
    /// </summary>
    public decimal? Cost { get; init; }

    /// <summary>
    /// Whether the final answer was cut because the model reached its output token limit (the provider's finish reason
    /// <c>length</c>, e.g. OpenAI's <c>max_output_tokens</c>, Ollama's <c>length</c>); the run still completed.
    /// </summary>
    public bool CutAtOutputLimit { get; init; }

    /// <summary>The conversation as the model last saw it (system prompt first), every call answered.</summary>
    public IReadOnlyList<ChatMessage> Messages { get; init; } = [];
}
