using AgentHost.Sdk.Events;
using Microsoft.Extensions.AI;

namespace AgentHost.Sessions;

/// <summary>The lifecycle state of a session.</summary>
public enum SessionStatus
{
    /// <summary>A run is in progress (or the process died during one: see <see cref="Interrupted"/>).</summary>
    Active,

    /// <summary>The last run finished with an answer.</summary>
    Completed,

    /// <summary>The last run failed.</summary>
    Failed,

    /// <summary>The last run was cancelled.</summary>
    Cancelled,

    /// <summary>The process ended during a run; the session can be resumed.</summary>
    Interrupted,
}

/// <summary>One tool invocation as stored with the session.</summary>
/// <param name="SessionId">The session.</param>
/// <param name="CallId">The model's call id.</param>
/// <param name="Tool">The tool name.</param>
/// <param name="Plugin">The contributing plugin, when known.</param>
/// <param name="ArgumentsJson">The arguments (already redacted).</param>
/// <param name="Status">How it ended.</param>
/// <param name="DurationMs">How long it ran.</param>
public sealed record ToolEventRecord(string SessionId, string CallId, string Tool, string? Plugin, string ArgumentsJson, ToolCallStatus Status, double DurationMs)
{
    /// <summary>The error, when not succeeded.</summary>
    public string? Error { get; init; }

    /// <summary>For edits: a short diff summary such as <c>+12 -3</c>.</summary>
    public string? DiffSummary { get; init; }

    /// <summary>For edits: the files changed, relative to the workspace.</summary>
    public IReadOnlyList<string> Files { get; init; } = [];
}

/// <summary>
/// Where the agent loop writes a conversation as it happens, so a crash loses at most the step in flight.
/// Implemented by the SQLite session store.
/// </summary>
/// <remarks>
/// Messages are Microsoft.Extensions.AI <see cref="ChatMessage"/>s whose contents are text, reasoning, function
/// calls, function results and data (attachments). A compaction summary is a message whose
/// <see cref="ChatMessage.AdditionalProperties"/> contain <see cref="SummaryMarker"/> = <see langword="true"/>:
/// when a session is resumed, history starts at the last such message. Thread-safe; one writer per session.
/// </remarks>
public interface IConversationRecorder
{
    /// <summary>The additional-property key that marks a compaction summary message.</summary>
    const string SummaryMarker = "agenthost.summary";

    /// <summary>Appends a message to a session (redacting secrets and capping payload sizes).</summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="message">The message.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The stored message id.</returns>
    ValueTask<string> AppendMessageAsync(string sessionId, ChatMessage message, CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends a step's message and adds the step's token usage (when any) as one write: both are stored, or neither.
    /// The default makes the two writes one after the other.
    /// </summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="message">The message.</param>
    /// <param name="usage">The usage of the step, or <see langword="null"/>.</param>
    /// <param name="cost">Its cost in US dollars, when known.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The stored message id.</returns>
    async ValueTask<string> AppendMessageAsync(string sessionId, ChatMessage message, UsageDetails? usage, decimal? cost, CancellationToken cancellationToken = default)
    {
        var id = await AppendMessageAsync(sessionId, message, cancellationToken).ConfigureAwait(false);
        if (usage is not null)
        {
            await RecordUsageAsync(sessionId, usage, cost, cancellationToken).ConfigureAwait(false);
        }

        return id;
    }

    /// <summary>
    /// Appends a tool call's result message and records the call's event as one write: both are stored, or neither.
    /// The default makes the two writes one after the other.
    /// </summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="message">The tool message with the call's result.</param>
    /// <param name="record">The call's event.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The stored message id.</returns>
    async ValueTask<string> AppendToolResultAsync(string sessionId, ChatMessage message, ToolEventRecord record, CancellationToken cancellationToken = default)
    {
        var id = await AppendMessageAsync(sessionId, message, cancellationToken).ConfigureAwait(false);
        await RecordToolEventAsync(record, cancellationToken).ConfigureAwait(false);
        return id;
    }

    /// <summary>Records a tool invocation.</summary>
    /// <param name="record">The record.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>A task.</returns>
    ValueTask RecordToolEventAsync(ToolEventRecord record, CancellationToken cancellationToken = default);

    /// <summary>Adds token usage (and its cost, when known) to the session's totals.</summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="usage">The usage of one step.</param>
    /// <param name="cost">Its cost in US dollars, when known.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>A task.</returns>
    ValueTask RecordUsageAsync(string sessionId, UsageDetails usage, decimal? cost, CancellationToken cancellationToken = default);

    /// <summary>Sets the session status.</summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="status">The status.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>A task.</returns>
    ValueTask SetStatusAsync(string sessionId, SessionStatus status, CancellationToken cancellationToken = default);
}
