using AgentHost.Sdk.Events;

namespace AgentHost.Sessions;

/// <summary>A tool invocation as stored.</summary>
/// <param name="SessionId">The session.</param>
/// <param name="Sequence">The 1-based position among the session's tool events.</param>
/// <param name="CallId">The model's call id.</param>
/// <param name="Tool">The tool name.</param>
/// <param name="Plugin">The contributing plugin, when known.</param>
/// <param name="ArgumentsJson">The arguments (redacted, capped).</param>
/// <param name="Status">How it ended.</param>
/// <param name="DurationMs">How long it ran.</param>
/// <param name="CreatedAt">When it was recorded.</param>
public sealed record StoredToolEvent(
    string SessionId,
    long Sequence,
    string CallId,
    string Tool,
    string? Plugin,
    string ArgumentsJson,
    ToolCallStatus Status,
    double DurationMs,
    DateTimeOffset CreatedAt)
{
    /// <summary>The error (redacted), when not succeeded.</summary>
    public string? Error { get; init; }

    /// <summary>For edits: a short diff summary such as <c>+12 -3</c>.</summary>
    public string? DiffSummary { get; init; }

    /// <summary>For edits: the files changed.</summary>
    public IReadOnlyList<string> Files { get; init; } = [];

    /// <summary>The number of messages the session had when the event was recorded.</summary>
    public long MessageSequence { get; init; }
}
