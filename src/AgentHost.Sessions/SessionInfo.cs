namespace AgentHost.Sessions;

/// <summary>A stored session: metadata, usage totals and counts.</summary>
/// <remarks>Immutable snapshot read from the store; it does not change when the session does.</remarks>
/// <param name="Id">The session id (time-sortable, 26 characters of Crockford base32).</param>
/// <param name="Title">The title (redacted; empty until the first prompt).</param>
/// <param name="Workspace">The project root the session belongs to.</param>
/// <param name="Provider">The provider name, when known.</param>
/// <param name="Model">The model id, when known.</param>
/// <param name="Status">The lifecycle state.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="UpdatedAt">When it last changed.</param>
public sealed record SessionInfo(
    string Id,
    string Title,
    string Workspace,
    string? Provider,
    string? Model,
    SessionStatus Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    /// <summary>The session it was forked from, when any (cleared when that session is deleted).</summary>
    public string? ParentId { get; init; }

    /// <summary>The parent's message the fork was taken at (inclusive), when forked.</summary>
    public string? ForkMessageId { get; init; }

    /// <summary>Total input tokens.</summary>
    public long InputTokens { get; init; }

    /// <summary>Total output tokens.</summary>
    public long OutputTokens { get; init; }

    /// <summary>Total cached input tokens.</summary>
    public long CachedTokens { get; init; }

    /// <summary>Total reasoning (thinking) tokens the provider reported: part of <see cref="OutputTokens"/>, not added to them.</summary>
    public long ReasoningTokens { get; init; }

    /// <summary>Total cost in US dollars, or <see langword="null"/> when no step reported one.</summary>
    public decimal? Cost { get; init; }

    /// <summary>The number of stored messages.</summary>
    public long MessageCount { get; init; }

    /// <summary>The number of stored tool events.</summary>
    public long ToolEventCount { get; init; }

    /// <summary>
    /// The user who owns it on a shared server (docs/server.md "Users and roles"); <see langword="null"/> for a session
    /// made without users (the CLI, the chat, a server's own token), which only admins see over the API.
    /// </summary>
    public string? Owner { get; init; }

    /// <summary>
    /// The session's name (<c>agent run --new-session NAME</c>), unique per <see cref="Owner"/>; <see langword="null"/>
    /// for an unnamed session. Checked by <see cref="SessionNames.Check"/>.
    /// </summary>
    public string? Name { get; init; }

    /// <summary>The session's settings (key → value), e.g. <c>max_steps</c>.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);
}
