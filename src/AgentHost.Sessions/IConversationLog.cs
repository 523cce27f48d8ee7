using Microsoft.Extensions.AI;

namespace AgentHost.Sessions;

/// <summary>
/// The conversation log of the sessions (<see cref="ISessionStore.Conversation"/>): what a run records as it goes
/// (<see cref="IConversationRecorder"/>), the conversation to resume, and history pages.
/// </summary>
/// <remarks>
/// Thread-safe; each session has one writer (<see cref="ISessionLeases"/>), whose writes are fenced by its lease.
/// Texts, tool arguments and results are scrubbed of secrets and capped before they are stored.
/// </remarks>
public interface IConversationLog : IConversationRecorder
{
    /// <summary>The conversation to resume: every message from the last compaction summary on (all when there is none), oldest first.</summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The messages, each with <see cref="ChatMessage.MessageId"/> set to the stored id.</returns>
    Task<IReadOnlyList<ChatMessage>> LoadConversationAsync(string sessionId, CancellationToken cancellationToken = default);

    /// <summary>One page of a session's messages or tool events, oldest first (keyset pagination on the sequence number).</summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="kind">Messages or tool events.</param>
    /// <param name="limit">The page size (1 to 1,000).</param>
    /// <param name="cursor">Where the previous page ended (<see cref="HistoryPage.NextCursor"/>); the start when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The page.</returns>
    /// <exception cref="Hosting.AgentHostException">Unknown session (<see cref="Hosting.ErrorKind.NotFound"/>) or a malformed cursor (<see cref="Hosting.ErrorKind.Usage"/>).</exception>
    Task<HistoryPage> GetHistoryAsync(string sessionId, HistoryKind kind = HistoryKind.Messages, int limit = 50, string? cursor = null, CancellationToken cancellationToken = default);
}
