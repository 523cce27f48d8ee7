using System.Globalization;
using AgentHost.Sdk.Events;

namespace AgentHost.Permissions.Gate;

/// <content>
/// <c>/approve DURATION</c>: for a while, what would ask a person is allowed without asking — except what must always
/// be asked (a protected path, a command the parser cannot read, a path outside the project, a destructive call, an
/// <c>ask</c> rule someone wrote), and never what the rules, the safety floor or the session's policy deny. Each call it
/// allows is audited with scope <c>approve</c>.
/// </content>
public sealed partial class SessionPermissionGate
{
    /// <summary>Scope of the calls an approval window allowed, in events and the audit.</summary>
    public const string ApprovalScope = "approve";

    private long _approvedUntil; // UTC ticks; 0: none
    private string _approvedBy = string.Empty;

    /// <summary>Until when calls that would ask are approved (<see cref="ApproveFor"/>); <see langword="null"/> when not, or no more.</summary>
    public DateTimeOffset? ApprovedUntil
    {
        get
        {
            var ticks = Interlocked.Read(ref _approvedUntil);
            return ticks != 0 && ticks > _options.Time.GetUtcNow().UtcTicks ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;
        }
    }

    /// <summary>Approves, for <paramref name="duration"/> from now, what would ask (not protected paths, unreadable commands, paths outside the project, destructive calls or ask rules); zero ends it.</summary>
    /// <param name="duration">How long; <see cref="TimeSpan.Zero"/> ends the window.</param>
    /// <param name="by">Who asked for it (a front end name), for the audit and the event.</param>
    /// <returns>Until when, or <see langword="null"/> when ended.</returns>
    public DateTimeOffset? ApproveFor(TimeSpan duration, string by)
    {
        ArgumentNullException.ThrowIfNull(by);
        ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.Zero);
        var until = duration == TimeSpan.Zero ? (DateTimeOffset?)null : _options.Time.GetUtcNow() + duration;
        Volatile.Write(ref _approvedBy, by);
        Interlocked.Exchange(ref _approvedUntil, until?.UtcTicks ?? 0);
        Warn(until is { } end
            ? $"approving what would ask until {end.ToLocalTime().ToString("HH:mm:ss", CultureInfo.InvariantCulture)} (by {by}); protected paths, unreadable commands, paths outside the project, destructive calls and ask rules still ask"
            : $"approval window ended (by {by}): calls ask again");
        return until;
    }

    /// <summary>The verdict of the approval window for a call that would ask, or <see langword="null"/> when it does not cover it.</summary>
    private PermissionVerdict? ApprovedByWindow(ToolPermissionRequest request, PermissionDecision decision)
    {
        if (ApprovedUntil is not { } until || !Approvable(decision) || PermissionRisk.Of(request) == PermissionRisk.Destructive)
        {
            return null;
        }

        return PermissionVerdict.Allow($"approved without asking by /approve until {until.ToString("u", CultureInfo.InvariantCulture)}") with
        {
            Scope = ApprovalScope,
            AnsweredBy = Volatile.Read(ref _approvedBy),
            Mode = Mode.ToDisplayName(),
        };
    }

    /// <summary>Whether a question may be answered by the window: the mode's default asked, for every part of a command line.</summary>
    private static bool Approvable(PermissionDecision decision) =>
        !decision.OutsideSandbox && decision.Basis switch
        {
            DecisionBasis.Mode => true,
            DecisionBasis.Parts => decision.Parts.All(part => part.Verdict == Verdict.Allow || (part.Verdict == Verdict.Ask && Approvable(part))),
            _ => false,
        };
}
