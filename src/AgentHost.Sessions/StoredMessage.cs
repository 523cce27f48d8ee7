using Microsoft.Extensions.AI;

namespace AgentHost.Sessions;

/// <summary>A message as stored: its id, position and time, and the (redacted, capped) message itself.</summary>
/// <param name="Id">The message id.</param>
/// <param name="SessionId">The session.</param>
/// <param name="Sequence">The 1-based position in the session.</param>
/// <param name="CreatedAt">When it was stored.</param>
/// <param name="Message">The message.</param>
public sealed record StoredMessage(string Id, string SessionId, long Sequence, DateTimeOffset CreatedAt, ChatMessage Message)
{
    /// <summary>Whether the message is a compaction summary (see <see cref="Agent.IConversationRecorder.SummaryMarker"/>).</summary>
    public bool IsSummary { get; init; }
}
