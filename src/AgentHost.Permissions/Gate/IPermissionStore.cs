namespace AgentHost.Permissions.Gate;

/// <summary>Where a session's permission state lives: its grants, its mode and the audit log of every decision.</summary>
/// <remarks>Implemented by the session store (SQLite). Implementations are thread-safe and scrub secrets before storing.</remarks>
public interface IPermissionStore
{
    /// <summary>The rules granted "for this session", oldest first.</summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The rule texts (allow rules).</returns>
    Task<IReadOnlyList<string>> GetGrantsAsync(string sessionId, CancellationToken cancellationToken = default);

    /// <summary>Adds rules granted for the session (rules already granted are skipped).</summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="rules">The rule texts.</param>
    /// <param name="grantedBy">Who answered (<c>cli</c>, …).</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>A task.</returns>
    Task AddGrantsAsync(string sessionId, IReadOnlyList<string> rules, string grantedBy, CancellationToken cancellationToken = default);

    /// <summary>Remembers the session's permission mode (a mid-session switch), so a resumed run starts in it.</summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="mode">The mode.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>A task.</returns>
    Task SetModeAsync(string sessionId, PermissionMode mode, CancellationToken cancellationToken = default);

    /// <summary>Appends one decision to the audit log (ignored when the session does not exist).</summary>
    /// <param name="entry">The decision.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>A task.</returns>
    Task RecordDecisionAsync(PermissionAuditEntry entry, CancellationToken cancellationToken = default);
}

/// <summary>One permission decision as the audit log keeps it.</summary>
/// <remarks>Immutable.</remarks>
/// <param name="SessionId">The session.</param>
/// <param name="CallId">The tool call.</param>
/// <param name="Tool">The tool.</param>
/// <param name="Decision"><c>allow</c> or <c>deny</c>.</param>
/// <param name="Scope">How far it reaches (see <see cref="Sdk.Events.PermissionDecidedEvent.Scope"/>).</param>
/// <param name="AnsweredBy">Who decided: <c>config</c>, <c>grant</c>, <c>headless</c>, or a front end.</param>
public sealed record PermissionAuditEntry(string SessionId, string CallId, string Tool, string Decision, string Scope, string AnsweredBy)
{
    /// <summary>When (set by the store when <see langword="default"/>).</summary>
    public DateTimeOffset At { get; init; }

    /// <summary>The plugin that contributes the tool.</summary>
    public string? Plugin { get; init; }

    /// <summary>What the call does.</summary>
    public string? Action { get; init; }

    /// <summary>What it acts on (scrubbed and capped by the store).</summary>
    public string? Subject { get; init; }

    /// <summary>The rule that decided, with its location.</summary>
    public string? Rule { get; init; }

    /// <summary>The mode.</summary>
    public string Mode { get; init; } = "ask";

    /// <summary>Why, in words; a person's deny reason included.</summary>
    public string Reason { get; init; } = string.Empty;

    /// <summary>How much the call can do (<see cref="PermissionRisk"/>); <see langword="null"/> in rows stored before risks were.</summary>
    public string? Risk { get; init; }
}
