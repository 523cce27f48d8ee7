namespace AgentHost.Permissions.Gate;

/// <summary>
/// A hook's answer about a tool call (docs/hooks.md): PreToolUse's <c>permissionDecision</c>, or PermissionRequest's
/// <c>behavior</c>.
/// </summary>
/// <remarks>
/// A hook's <c>allow</c> only replaces the question a person would have been asked: whatever the rules, the safety
/// floor, the sandbox or plan mode deny stays denied, and a write to a protected path still asks.
/// </remarks>
/// <param name="Decision"><c>allow</c>, <c>deny</c> or <c>ask</c>.</param>
/// <param name="Reason">The hook's reason, when it gave one.</param>
/// <param name="Source">Which hook answered (its configuration place), for the audit log (<c>hook: SOURCE</c>).</param>
public sealed record HookPermissionAnswer(string Decision, string? Reason, string Source)
{
    /// <summary>Who answered, as the audit log and events record it.</summary>
    public string AnsweredBy => "hook: " + Source;

    /// <summary>Replacement arguments the hook gave with an allow (PermissionRequest's <c>updatedInput</c>), as JSON.</summary>
    public string? UpdatedArgumentsJson { get; init; }
}

/// <summary>The hooks a <see cref="SessionPermissionGate"/> consults when a call would ask a person.</summary>
/// <remarks>Implementations are thread-safe and never throw for a failing hook.</remarks>
public interface IPermissionHooks
{
    /// <summary>Runs the PermissionRequest hooks of a call that would ask; their answer, or <see langword="null"/> when none decided.</summary>
    /// <param name="request">The call.</param>
    /// <param name="reason">Why it would ask.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The answer.</returns>
    ValueTask<HookPermissionAnswer?> PermissionRequestAsync(ToolPermissionRequest request, string reason, CancellationToken cancellationToken = default);

    /// <summary>Runs the Notification hooks: a permission request is waiting for a person.</summary>
    /// <param name="request">The call.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>A task.</returns>
    ValueTask NotifyAsync(ToolPermissionRequest request, CancellationToken cancellationToken = default);
}
