namespace AgentHost.Sdk.Events;

/// <summary>Base of events that belong to one agent run in one session.</summary>
/// <param name="SessionId">The session.</param>
public abstract record SessionEvent(string SessionId) : AgentEvent;

/// <summary>A run started.</summary>
/// <param name="SessionId">The session.</param>
/// <param name="Provider">The provider name.</param>
/// <param name="Model">The model id.</param>
/// <param name="Prompt">The user prompt (secrets redacted).</param>
public sealed record RunStartedEvent(string SessionId, string Provider, string Model, string Prompt) : SessionEvent(SessionId)
{
    /// <inheritdoc />
    public override string Type => "run.started";
}

/// <summary>The model of a run was chosen, and why (a named model, the session's, a role, or the automatic selector).</summary>
/// <param name="SessionId">The session.</param>
/// <param name="Provider">The provider name.</param>
/// <param name="Model">The model id.</param>
/// <param name="Reason">Why this model.</param>
public sealed record ModelSelectedEvent(string SessionId, string Provider, string Model, string Reason) : SessionEvent(SessionId)
{
    /// <inheritdoc />
    public override string Type => "model.selected";
}

/// <summary>A piece of assistant text streamed from the model.</summary>
/// <param name="SessionId">The session.</param>
/// <param name="Step">The step (1-based).</param>
/// <param name="Text">The text delta.</param>
public sealed record MessageDeltaEvent(string SessionId, int Step, string Text) : SessionEvent(SessionId)
{
    /// <inheritdoc />
    public override string Type => "message.delta";
}

/// <summary>A piece of model reasoning streamed from the model.</summary>
/// <param name="SessionId">The session.</param>
/// <param name="Step">The step.</param>
/// <param name="Text">The reasoning delta.</param>
public sealed record ReasoningDeltaEvent(string SessionId, int Step, string Text) : SessionEvent(SessionId)
{
    /// <inheritdoc />
    public override string Type => "reasoning.delta";
}

/// <summary>The model asked for a tool call; it is about to be validated, gated and run.</summary>
/// <param name="SessionId">The session.</param>
/// <param name="Step">The step.</param>
/// <param name="CallId">The model's call id.</param>
/// <param name="Tool">The tool name as the model used it.</param>
/// <param name="Plugin">The plugin that contributes the tool, when known.</param>
/// <param name="ArgumentsJson">The arguments as JSON (secrets redacted).</param>
public sealed record ToolCallStartedEvent(string SessionId, int Step, string CallId, string Tool, string? Plugin, string ArgumentsJson) : SessionEvent(SessionId)
{
    /// <inheritdoc />
    public override string Type => "tool.started";
}

/// <summary>A running tool call reported progress (see <see cref="Tools.ToolContext.ReportProgress"/>); throttled by the host.</summary>
/// <param name="SessionId">The session.</param>
/// <param name="Step">The step.</param>
/// <param name="CallId">The model's call id.</param>
/// <param name="Tool">The tool name.</param>
/// <param name="Message">What is happening (secrets redacted, capped).</param>
/// <param name="Fraction">How far along the call is, from 0 to 1, when the tool knows.</param>
public sealed record ToolCallProgressEvent(string SessionId, int Step, string CallId, string Tool, string Message, double? Fraction) : SessionEvent(SessionId)
{
    /// <inheritdoc />
    public override string Type => "tool.progress";
}

/// <summary>How a tool call ended.</summary>
public enum ToolCallStatus
{
    /// <summary>The tool returned a result.</summary>
    Succeeded,

    /// <summary>The tool, its arguments or its lookup failed; the model receives the error.</summary>
    Failed,

    /// <summary>The permission gate denied the call.</summary>
    Denied,

    /// <summary>The call was cancelled (Ctrl+C).</summary>
    Cancelled,

    /// <summary>The call exceeded its time limit.</summary>
    TimedOut,
}

/// <summary>A tool call ended.</summary>
/// <param name="SessionId">The session.</param>
/// <param name="Step">The step.</param>
/// <param name="CallId">The model's call id.</param>
/// <param name="Tool">The tool name.</param>
/// <param name="Status">How it ended.</param>
/// <param name="ResultPreview">The start of the result given to the model (redacted, capped).</param>
/// <param name="DurationMs">How long it ran.</param>
public sealed record ToolCallCompletedEvent(string SessionId, int Step, string CallId, string Tool, ToolCallStatus Status, string ResultPreview, double DurationMs) : SessionEvent(SessionId)
{
    /// <inheritdoc />
    public override string Type => "tool.completed";

    /// <summary>The error message, when not succeeded.</summary>
    public string? Error { get; init; }

    /// <summary>
    /// How the call's processes were sandboxed, for tools that run in the host's sandbox
    /// (<see cref="Tools.ToolMetadata.Sandboxed"/>): <c>bubblewrap 0.8.0 (no network)</c>, <c>not sandboxed: …</c> or
    /// <c>off (sandbox.mode: off)</c>; <see langword="null"/> for other tools.
    /// </summary>
    public string? Sandbox { get; init; }

    /// <summary>For a write tool's call: the files it changed, relative to the workspace, with <c>/</c> separators (empty for other calls).</summary>
    public IReadOnlyList<string> Files { get; init; } = [];

    /// <summary>For a write tool's call: the lines its changes added and removed, such as <c>+12 -3</c>; <see langword="null"/> when nothing countable changed.</summary>
    public string? DiffSummary { get; init; }
}

/// <summary>A permission decision was made for a tool call.</summary>
/// <param name="SessionId">The session.</param>
/// <param name="CallId">The call.</param>
/// <param name="Tool">The tool.</param>
/// <param name="Action">What the call does (from the tool's description of the call).</param>
/// <param name="Subject">What it acts on, when known.</param>
/// <param name="Decision"><c>allow</c>, <c>deny</c> or <c>ask</c>.</param>
/// <param name="Reason">Why: the rule or mode that decided.</param>
public sealed record PermissionDecidedEvent(string SessionId, string CallId, string Tool, string Action, string? Subject, string Decision, string Reason) : SessionEvent(SessionId)
{
    /// <inheritdoc />
    public override string Type => "permission.decided";

    /// <summary>
    /// How far the decision reaches: <c>rule</c>, <c>mode</c>, <c>safety-floor</c>, <c>sandbox</c> (decided by
    /// configuration), <c>grant</c> (an earlier "for this session" answer), <c>once</c>, <c>session</c>,
    /// <c>always-project</c>, <c>always-global</c> (a person's answer) or <c>headless</c> (nobody could be asked).
    /// </summary>
    public string? Scope { get; init; }

    /// <summary>How the call's processes will be sandboxed (as <see cref="ToolCallCompletedEvent.Sandbox"/>), for tools that run in the host's sandbox.</summary>
    public string? Sandbox { get; init; }

    /// <summary>Who decided: <c>config</c> (rules, mode, sandbox, safety floor), <c>grant</c>, <c>headless</c> (nobody could be asked), or the front end that answered (<c>cli</c>, …).</summary>
    public string? AnsweredBy { get; init; }

    /// <summary>The rule that decided, as written, with its location (<c>shell(git *) (/p/.agent/config.yaml:4)</c>), when one did.</summary>
    public string? Rule { get; init; }

    /// <summary>The permission mode the call was decided in.</summary>
    public string? Mode { get; init; }

    /// <summary>The id of the <see cref="PermissionRequestedEvent"/> a person answered, when one was raised.</summary>
    public string? RequestId { get; init; }

    /// <summary>On a deny: the narrowest allow rules that would let the call run (<c>write(notes.txt)</c>), when rules can.</summary>
    public IReadOnlyList<string>? SuggestedRules { get; init; }

    /// <summary>On a deny: how a person can let the call run — the flag for this run, the rule to add, or why nothing can.</summary>
    public string? Fix { get; init; }
}

/// <summary>
/// A model request failed and will be repeated after <paramref name="DelayMs"/>. Anything streamed by the failed
/// attempt (text already shown) is discarded: the step starts over.
/// </summary>
/// <param name="SessionId">The session.</param>
/// <param name="Step">The step.</param>
/// <param name="Attempt">The attempt that failed (1-based).</param>
/// <param name="DelayMs">The wait before the next attempt.</param>
/// <param name="Reason">What failed (the provider's message).</param>
public sealed record ModelRetryingEvent(string SessionId, int Step, int Attempt, double DelayMs, string Reason) : SessionEvent(SessionId)
{
    /// <inheritdoc />
    public override string Type => "model.retrying";
}

/// <summary>A model step (one request and its tool calls) completed.</summary>
/// <param name="SessionId">The session.</param>
/// <param name="Step">The step.</param>
/// <param name="InputTokens">Input tokens of the step, when reported.</param>
/// <param name="OutputTokens">Output tokens of the step, when reported.</param>
public sealed record StepCompletedEvent(string SessionId, int Step, long? InputTokens, long? OutputTokens) : SessionEvent(SessionId)
{
    /// <inheritdoc />
    public override string Type => "step.completed";

    /// <summary>Reasoning (thinking) tokens of the step, when the provider reported them: part of <see cref="OutputTokens"/>.</summary>
    public long? ReasoningTokens { get; init; }
}

/// <summary>Older history was summarised to stay inside the model's context window.</summary>
/// <param name="SessionId">The session.</param>
/// <param name="MessagesSummarized">How many messages the summary replaced.</param>
/// <param name="TokensBefore">Estimated prompt tokens before.</param>
/// <param name="TokensAfter">Estimated prompt tokens after.</param>
public sealed record CompactionEvent(string SessionId, int MessagesSummarized, long TokensBefore, long TokensAfter) : SessionEvent(SessionId)
{
    /// <inheritdoc />
    public override string Type => "session.compacted";
}

/// <summary>How a run ended.</summary>
public enum RunOutcome
{
    /// <summary>The model gave a final answer.</summary>
    Completed,

    /// <summary>The step limit was reached.</summary>
    StepLimit,

    /// <summary>The same tool call repeated; the run was stopped.</summary>
    LoopDetected,

    /// <summary>Cancelled by the user.</summary>
    Cancelled,

    /// <summary>The provider failed.</summary>
    ProviderError,

    /// <summary>Another error.</summary>
    Failed,

    /// <summary>The turn's or the session's cost cap was reached (<c>--max-cost</c>, <c>--max-session-cost</c>).</summary>
    CostLimit,

    /// <summary>The turn's time limit was reached (<c>--timeout</c>, the chat's <c>/timeout</c>); its running tool calls were cancelled.</summary>
    TimeLimit,

    /// <summary>
    /// The provider refused the request (Anthropic's <c>stop_reason: "refusal"</c>, OpenAI's <c>content_filter</c>):
    /// the final text is what the provider gave, and the turn did not complete.
    /// </summary>
    Refused,
}

/// <summary>A run ended.</summary>
/// <param name="SessionId">The session.</param>
/// <param name="Outcome">How it ended.</param>
/// <param name="FinalText">The final answer, when any.</param>
/// <param name="Steps">Steps taken.</param>
public sealed record RunCompletedEvent(string SessionId, RunOutcome Outcome, string? FinalText, int Steps) : SessionEvent(SessionId)
{
    /// <inheritdoc />
    public override string Type => "run.completed";

    /// <summary>Why the run stopped, when not completed.</summary>
    public string? Reason { get; init; }

    /// <summary>Total input tokens.</summary>
    public long InputTokens { get; init; }

    /// <summary>Total output tokens.</summary>
    public long OutputTokens { get; init; }

    /// <summary>Total reasoning (thinking) tokens the provider reported: part of <see cref="OutputTokens"/>, not added to them.</summary>
    public long ReasoningTokens { get; init; }
}
