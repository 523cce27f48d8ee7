namespace AgentHost.Agent.Service;

/// <content>The approval window (<c>/approve</c>): set on the session's gate, or kept until its first turn makes one.</content>
public sealed partial class AgentSession
{
    private (DateTimeOffset Until, string By)? _pendingApproval;

    /// <summary>Until when calls that would ask are approved without asking (<see cref="ApproveFor"/>); <see langword="null"/> when not.</summary>
    public DateTimeOffset? ApprovedUntil =>
        RunContext is { } context ? context.Gate.ApprovedUntil
        : _pendingApproval is { } pending && pending.Until > _parts.Time.GetUtcNow() ? pending.Until
        : null;

    /// <summary>
    /// Approves, for <paramref name="duration"/> from now, what would ask a person (see
    /// <see cref="Permissions.Gate.SessionPermissionGate.ApproveFor"/>: protected paths, unreadable commands, paths outside the
    /// project, destructive calls and ask rules still ask); zero ends it. Before the first turn it is kept and applied
    /// when the turn makes the session's gate.
    /// </summary>
    /// <param name="duration">How long; <see cref="TimeSpan.Zero"/> ends it.</param>
    /// <param name="by">Who asked (a front end name).</param>
    /// <returns>Until when, or <see langword="null"/> when ended.</returns>
    public DateTimeOffset? ApproveFor(TimeSpan duration, string by)
    {
        ArgumentNullException.ThrowIfNull(by);
        ThrowIfClosed();
        if (RunContext is { } context)
        {
            return context.Gate.ApproveFor(duration, by);
        }

        _pendingApproval = duration == TimeSpan.Zero ? null : (_parts.Time.GetUtcNow() + duration, by);
        return _pendingApproval?.Until;
    }

    /// <summary>Hands an approval asked for before the first turn to the gate the turn made.</summary>
    private void CatchUpApproval(SessionRunContext context)
    {
        if (_pendingApproval is { } pending && pending.Until - _parts.Time.GetUtcNow() is { } left && left > TimeSpan.Zero)
        {
            context.Gate.ApproveFor(left, pending.By);
        }

        _pendingApproval = null;
    }
}
