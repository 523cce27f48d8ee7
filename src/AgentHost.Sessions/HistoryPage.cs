namespace AgentHost.Sessions;

/// <summary>What a history page lists.</summary>
public enum HistoryKind
{
    /// <summary>Messages, oldest first.</summary>
    Messages,

    /// <summary>Tool events, oldest first.</summary>
    Tools,
}

/// <summary>One page of a session's history (keyset pagination on the sequence number).</summary>
/// <param name="Kind">What the page lists.</param>
/// <param name="Messages">The messages (when <see cref="HistoryKind.Messages"/>).</param>
/// <param name="ToolEvents">The tool events (when <see cref="HistoryKind.Tools"/>).</param>
/// <param name="NextCursor">The cursor of the next page, or <see langword="null"/> on the last page.</param>
public sealed record HistoryPage(
    HistoryKind Kind,
    IReadOnlyList<StoredMessage> Messages,
    IReadOnlyList<StoredToolEvent> ToolEvents,
    string? NextCursor);
