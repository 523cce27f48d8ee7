using AgentHost.Hosting.Text;
using AgentHost.Permissions.Rules;
using AgentHost.Permissions.Sandbox;
using AgentHost.Sdk.Events;

namespace AgentHost.Permissions.Gate;

/// <summary>
/// The kernel's permission gate for one session: the configured rules and mode decide first; a call that asks is
/// allowed by an earlier "for this session" grant, else put to a person through the <see cref="PermissionBroker"/>,
/// else (nobody present) denied with a reason that says how to allow it. Every decision goes to the audit log.
/// </summary>
/// <remarks>
/// Thread-safe: concurrent calls are decided in parallel; requests that need a person are raised one at a time per
/// session and re-decided when their turn comes (an answer to the first may cover the next). The mode can be
/// switched mid-session (<see cref="SwitchModeAsync"/>); the switch is remembered with the session.
/// </remarks>
public sealed partial class SessionPermissionGate : IToolPermissionGate
{
    private const int MaxDetailsCharacters = 16 * 1024;
    private const int MaxSubjectCharacters = 2 * 1024;

    private readonly RulePermissionGate _rules;
    private readonly SessionPermissionOptions _options;
    private int _mode;

    /// <summary>Creates the gate.</summary>
    /// <param name="rules">The configured rules (and sandbox).</param>
    /// <param name="mode">The mode the session starts in.</param>
    /// <param name="options">The session, its grants, and where to ask, record and write rules.</param>
    public SessionPermissionGate(RulePermissionGate rules, PermissionMode mode, SessionPermissionOptions options)
    {
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(options);
        _rules = rules;
        _options = options;
        _mode = (int)mode;
    }

    /// <summary>Raised after the mode changed (the tool set offered to the model may change with it).</summary>
    public event EventHandler<PermissionMode>? ModeChanged;

    /// <summary>The current mode.</summary>
    public PermissionMode Mode => (PermissionMode)Volatile.Read(ref _mode);

    /// <summary>The session's grants.</summary>
    public SessionGrants Grants => _options.Grants;

    /// <summary>The rules and settings in force, with the session's policy layers.</summary>
    public PermissionPolicy Policy => _rules.Policy;

    /// <summary>Raised after the policy was narrowed (<see cref="Narrow"/>): the tool set offered to the model may shrink (<see cref="SessionPolicy.DenyTools"/>).</summary>
    public event EventHandler<SessionPolicy>? Narrowed;

    /// <summary>Narrows the session's policy for every call decided from now on (<see cref="RulePermissionGate.Narrow"/>).</summary>
    /// <param name="session">The session layer to add.</param>
    public void Narrow(SessionPolicy session)
    {
        _rules.Narrow(session);
        Narrowed?.Invoke(this, session);
    }

    /// <summary>The configured rules under the session's grants and mode (for per-file read checks).</summary>
    internal RulePermissionGate Rules => _rules;

    /// <inheritdoc />
    public async ValueTask<PermissionVerdict> DecideAsync(ToolPermissionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        var decision = _rules.Decide(request, Mode);
        var verdict = request.Hook is { } hook
            ? await DecideWithHookAsync(request, decision, hook, cancellationToken).ConfigureAwait(false)
            : await DecideRulesAsync(request, decision, cancellationToken).ConfigureAwait(false);
        await AuditAsync(request, verdict, cancellationToken).ConfigureAwait(false);
        return verdict;
    }

    private async ValueTask<PermissionVerdict> DecideRulesAsync(ToolPermissionRequest request, PermissionDecision decision, CancellationToken cancellationToken) =>
        decision.Verdict switch
        {
            Verdict.Ask => await DecideAskAsync(request, decision, forced: false, cancellationToken).ConfigureAwait(false),
            Verdict.Deny when ApprovedBySkillWithoutAsking(request, decision) is { } bySkill => bySkill,
            Verdict.Deny when GrantedWithoutAsking(request) is { } granted => granted,
            Verdict.Deny when WouldAsk(request, decision) is { } asking && await AskHooksAsync(request, asking, cancellationToken).ConfigureAwait(false) is { } byHook => byHook,
            _ => RulePermissionGate.ToVerdict(decision),
        };

    /// <summary>
    /// A PreToolUse hook decided: deny denies; allow replaces only the question (a call the rules, safety floor, sandbox
    /// or plan mode deny stays denied: deny wins; a protected path still asks); ask puts an allowed call to a person.
    /// </summary>
    private async ValueTask<PermissionVerdict> DecideWithHookAsync(ToolPermissionRequest request, PermissionDecision decision, HookPermissionAnswer hook, CancellationToken cancellationToken)
    {
        switch (hook.Decision)
        {
            case "deny":
                return HookVerdict(hook, allowed: false);
            case "allow" when WouldAsk(request, decision) is { Basis: not DecisionBasis.Protected }:
                return HookVerdict(hook, allowed: true);
            case "ask" when decision.Verdict == Verdict.Allow:
                var asked = decision with { Verdict = Verdict.Ask, Reason = "a PreToolUse hook asks" + (hook.Reason is { Length: > 0 } r ? ": " + r : string.Empty) };
                return await DecideAskAsync(request, asked, forced: true, cancellationToken).ConfigureAwait(false);
            default:
                return await DecideRulesAsync(request, decision, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The decision that asks a person, when the call would ask: asking now, or denied only because dont-ask mode never asks.</summary>
    private PermissionDecision? WouldAsk(ToolPermissionRequest request, PermissionDecision decision) => decision.Verdict switch
    {
        Verdict.Ask => decision,
        Verdict.Deny when Mode == PermissionMode.DontAsk && _rules.Decide(request, PermissionMode.Ask) is { Verdict: Verdict.Ask } asking => asking,
        _ => null,
    };

    /// <summary>The PermissionRequest hooks' answer to a call that would ask, as a verdict; <see langword="null"/> when none decided.</summary>
    private async ValueTask<PermissionVerdict?> AskHooksAsync(ToolPermissionRequest request, PermissionDecision decision, CancellationToken cancellationToken)
    {
        if (_options.Hooks is not { } hooks || decision.Basis == DecisionBasis.Protected)
        {
            return null;
        }

        return await hooks.PermissionRequestAsync(request, decision.Reason, cancellationToken).ConfigureAwait(false) is { Decision: "allow" or "deny" } answer
            ? HookVerdict(answer, answer.Decision == "allow")
            : null;
    }

    private PermissionVerdict HookVerdict(HookPermissionAnswer hook, bool allowed)
    {
        var reason = hook.Reason is { Length: > 0 } given ? given.Trim() : null;
        var verdict = allowed
            ? PermissionVerdict.Allow($"allowed by a hook ({hook.Source}){(reason is null ? string.Empty : ": " + reason)}")
            : PermissionVerdict.Deny($"denied by a hook ({hook.Source}){(reason is null ? string.Empty : ": " + reason)}");
        return verdict with
        {
            Scope = "hook",
            AnsweredBy = hook.AnsweredBy,
            Mode = Mode.ToDisplayName(),
            UpdatedArgumentsJson = allowed ? hook.UpdatedArgumentsJson : null,
        };
    }

    /// <summary>
    /// In dont-ask mode (e.g. a resumed headless run) a call that would have asked is denied outright; a person
    /// already allowed it for this session, so the grant holds. Plan mode stays read-only whatever was granted.
    /// </summary>
    private PermissionVerdict? GrantedWithoutAsking(ToolPermissionRequest request)
    {
        if (Mode != PermissionMode.DontAsk || Grants.Rules.Count == 0)
        {
            return null;
        }

        var asking = _rules.Decide(request, PermissionMode.Ask);
        return Grants.Covers(request, asking, out var grant) ? Granted(grant!) : null;
    }

    /// <summary>
    /// A call the mode or sandbox denies without asking (dont-ask, plan) that would only have asked: an active skill's
    /// <c>allowed-tools</c> (not in plan mode) or a read inside its folder allows it, like an allow rule would.
    /// </summary>
    private PermissionVerdict? ApprovedBySkillWithoutAsking(ToolPermissionRequest request, PermissionDecision decision)
    {
        if (_options.Skills is not { } skills || decision.Basis is not (DecisionBasis.Mode or DecisionBasis.Sandbox))
        {
            return null;
        }

        return skills.Approve(request, _rules.Decide(request, PermissionMode.Ask), Mode);
    }

    /// <summary>Switches the session's mode now; the switch is stored with the session and published on the bus.</summary>
    /// <param name="mode">The new mode.</param>
    /// <param name="changedBy">Who switched it (a front end name).</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>A task.</returns>
    public async Task SwitchModeAsync(PermissionMode mode, string changedBy, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(changedBy);
        if (Interlocked.Exchange(ref _mode, (int)mode) == (int)mode)
        {
            return;
        }

        if (_options.Store is { } store)
        {
            await store.SetModeAsync(_options.SessionId, mode, cancellationToken).ConfigureAwait(false);
        }

        _options.Events.Publish(new PermissionModeChangedEvent(_options.SessionId, mode.ToDisplayName(), changedBy) { Timestamp = _options.Time.GetUtcNow() });
        ModeChanged?.Invoke(this, mode);
    }

    /// <param name="forced">A PreToolUse hook asked for a call the rules allow: no skill, grant or later decision skips the question.</param>
    private async Task<PermissionVerdict> DecideAskAsync(ToolPermissionRequest request, PermissionDecision decision, bool forced, CancellationToken cancellationToken)
    {
        string? grant;
        if (!forced)
        {
            if (ContainedBySandbox(request, decision) is { } contained)
            {
                return contained;
            }

            if (_options.Skills?.Approve(request, decision, Mode) is { } bySkill)
            {
                return bySkill;
            }

            if (Grants.Covers(request, decision, out grant))
            {
                return Granted(grant!);
            }

            if (ApprovedByWindow(request, decision) is { } approved)
            {
                return approved;
            }
        }

        if (await AskHooksAsync(request, decision, cancellationToken).ConfigureAwait(false) is { } byHook)
        {
            return byHook;
        }

        if (_options.Broker is not { HasResponders: true } broker)
        {
            return RulePermissionGate.ToVerdict(decision);
        }

        using var turn = await broker.EnterSessionAsync(_options.SessionId, cancellationToken).ConfigureAwait(false);

        // While this request waited, an answer to an earlier one may have switched the mode or granted this call.
        if (!forced)
        {
            decision = _rules.Decide(request, Mode);
            if (decision.Verdict != Verdict.Ask)
            {
                return RulePermissionGate.ToVerdict(decision);
            }

            if (Grants.Covers(request, decision, out grant))
            {
                return Granted(grant!);
            }
        }

        if (_options.Hooks is { } hooks)
        {
            await hooks.NotifyAsync(request, cancellationToken).ConfigureAwait(false);
        }

        var requestId = "perm_" + Guid.NewGuid().ToString("N")[..16];
        var answer = await broker.AskAsync(ToRequest(request, decision, requestId), cancellationToken).ConfigureAwait(false);
        return await ApplyAsync(answer, decision, requestId, cancellationToken).ConfigureAwait(false) with { RequestId = requestId };
    }

    private PermissionRequestedEvent ToRequest(ToolPermissionRequest request, PermissionDecision decision, string requestId)
    {
        var scrubber = _options.Scrubber;
        return new PermissionRequestedEvent(
            _options.SessionId,
            requestId,
            request.CallId,
            request.Tool,
            request.Plugin,
            request.Description.Action,
            PermissionSubject.OneLine(request.Description.Subject) is { } subject ? TextCaps.HeadAndTail(scrubber.Scrub(subject), MaxSubjectCharacters, out _) : null,
            decision.Reason)
        {
            Details = request.Description.Details is { } details ? TextCaps.HeadAndTail(scrubber.Scrub(details), MaxDetailsCharacters, out _) : null,
            SuggestedRules = decision.SuggestedRules,
            Mode = Mode.ToDisplayName(),
            Risk = PermissionRisk.Of(request),
        };
    }

    /// <summary><c>sandbox.auto_allow</c> (<see cref="SandboxPolicy.AutoAllowReason"/>, the decision <c>agent permissions check</c> reports too).</summary>
    private PermissionVerdict? ContainedBySandbox(ToolPermissionRequest request, PermissionDecision decision) =>
        SandboxPolicy.AutoAllowReason(_options.SandboxAutoAllow, Mode, request.Sandbox, decision) is { } reason
            ? PermissionVerdict.Allow(reason) with
            {
                Scope = SandboxPolicy.AutoAllowScope,
                AnsweredBy = "config",
                Mode = Mode.ToDisplayName(),
            }
            : null;

    private PermissionVerdict Granted(string grant) =>
        PermissionVerdict.Allow($"allowed for this session by grant {grant}") with
        {
            Scope = "grant",
            AnsweredBy = "grant",
            Rule = $"allow {grant} (session grant)",
            Mode = Mode.ToDisplayName(),
        };
}
