namespace AgentHost.Sdk.Events;

/// <summary>
/// A tool call needs a person's approval. Any front end may answer it through the host (the first answer wins);
/// plugins can observe requests but cannot answer them. Requests of one session are raised one at a time.
/// </summary>
/// <param name="SessionId">The session.</param>
/// <param name="RequestId">Identifies the request; answers name it.</param>
/// <param name="CallId">The model's call id.</param>
/// <param name="Tool">The tool name.</param>
/// <param name="Plugin">The plugin that contributes the tool.</param>
/// <param name="Action">What the call does (<c>write</c>, <c>run</c>, <c>fetch</c>, …).</param>
/// <param name="Subject">What it acts on (path, command, URL), secrets redacted; <see langword="null"/> when nothing specific.</param>
/// <param name="Reason">Why approval is needed (the rule or mode that asks).</param>
public sealed record PermissionRequestedEvent(
    string SessionId, string RequestId, string CallId, string Tool, string Plugin, string Action, string? Subject, string Reason) : SessionEvent(SessionId)
{
    /// <inheritdoc />
    public override string Type => "permission.requested";

    /// <summary>A longer preview from the tool, such as the diff of an edit (secrets redacted, capped).</summary>
    public string? Details { get; init; }

    /// <summary>The rules an "allow for this session" or "always" answer adds (the narrowest that cover the call).</summary>
    public IReadOnlyList<string> SuggestedRules { get; init; } = [];

    /// <summary>The current permission mode.</summary>
    public string Mode { get; init; } = "ask";

    /// <summary>
    /// How much the call can do: <c>read</c>, <c>write</c>, <c>execute</c>, <c>network</c> or <c>destructive</c>
    /// (deletes or rewrites: <c>rm</c>, <c>git reset --hard</c>, a forced push, a deleted file). It explains the request;
    /// the rules and the mode decide it.
    /// </summary>
    public string Risk { get; init; } = "execute";
}

/// <summary>The permission mode of a session changed mid-session.</summary>
/// <param name="SessionId">The session.</param>
/// <param name="Mode">The new mode (<c>ask</c>, <c>accept-edits</c>, <c>plan</c>, <c>yolo</c>, <c>dont-ask</c>).</param>
/// <param name="ChangedBy">Who switched it (a front end name).</param>
public sealed record PermissionModeChangedEvent(string SessionId, string Mode, string ChangedBy) : SessionEvent(SessionId)
{
    /// <inheritdoc />
    public override string Type => "permission.mode_changed";
}
