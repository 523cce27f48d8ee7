namespace AgentHost.Hosting.Hooks;

/// <summary>The hook events, named as Claude Code names them (case-sensitive), and what each one's matcher matches.</summary>
public static class HookEventNames
{
    /// <summary>A session opened (matcher: source, <c>startup</c> or <c>resume</c>).</summary>
    public const string SessionStart = "SessionStart";

    /// <summary>A prompt is about to be sent (no matcher).</summary>
    public const string UserPromptSubmit = "UserPromptSubmit";

    /// <summary>A tool call is about to be decided and run (matcher: tool name).</summary>
    public const string PreToolUse = "PreToolUse";

    /// <summary>A tool call would ask a person (matcher: tool name).</summary>
    public const string PermissionRequest = "PermissionRequest";

    /// <summary>A tool call succeeded (matcher: tool name).</summary>
    public const string PostToolUse = "PostToolUse";

    /// <summary>A tool call failed or timed out (matcher: tool name).</summary>
    public const string PostToolUseFailure = "PostToolUseFailure";

    /// <summary>The host would notify the user (matcher: notification type).</summary>
    public const string Notification = "Notification";

    /// <summary>The agent is about to end its turn (no matcher).</summary>
    public const string Stop = "Stop";

    /// <summary>The conversation is about to be compacted (matcher: trigger, <c>manual</c> or <c>auto</c>).</summary>
    public const string PreCompact = "PreCompact";

    /// <summary>A session ends (matcher: reason).</summary>
    public const string SessionEnd = "SessionEnd";

    /// <summary>Every event, in the order of a session.</summary>
    public static IReadOnlyList<string> All { get; } =
        [SessionStart, UserPromptSubmit, PreToolUse, PermissionRequest, PostToolUse, PostToolUseFailure, Notification, Stop, PreCompact, SessionEnd];

    /// <summary>Claude Code events the host does not raise (a hook for one is reported, never an error).</summary>
    public static IReadOnlyList<string> NotRaised { get; } = ["SubagentStart", "SubagentStop", "PermissionDenied", "PostCompact", "Setup", "TeammateIdle", "TaskCompleted", "ConfigChange", "WorktreeCreate", "WorktreeRemove"];

    /// <summary>Whether hooks of <paramref name="hookEvent"/> are selected by tool name.</summary>
    /// <param name="hookEvent">The event.</param>
    /// <returns>Whether it is a tool event.</returns>
    public static bool IsToolEvent(string hookEvent) =>
        hookEvent is PreToolUse or PermissionRequest or PostToolUse or PostToolUseFailure;

    /// <summary>Whether <paramref name="hookEvent"/> ignores matchers (every hook of it runs).</summary>
    /// <param name="hookEvent">The event.</param>
    /// <returns>Whether matchers are ignored.</returns>
    public static bool IgnoresMatcher(string hookEvent) => hookEvent is UserPromptSubmit or Stop;

    /// <summary>The event named exactly <paramref name="name"/>, or the one it spells in another case.</summary>
    /// <param name="name">A name from a configuration.</param>
    /// <returns>The canonical name, or <see langword="null"/> when none is close.</returns>
    public static string? Canonical(string name) =>
        All.FirstOrDefault(e => string.Equals(e, name, StringComparison.OrdinalIgnoreCase));
}
