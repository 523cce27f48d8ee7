namespace AgentHost.Permissions.Rules;

/// <summary>
/// How a person can let a denied call run, in words a headless run prints under the denial: the flag for this run
/// (<c>--allow 'write(notes.txt)'</c>, the narrowest rule), where to write the rule for good, or why no rule can.
/// </summary>
/// <remarks>Pure. Every front end shows the same advice (it travels on <c>permission.decided</c> as <c>fix</c>).</remarks>
public static class DenialAdvice
{
    /// <summary>The advice for a call that was not allowed, or <see langword="null"/> for an allowed one.</summary>
    /// <param name="decision">The engine's decision (deny, or an ask nobody could answer).</param>
    /// <returns>One sentence without a final period, e.g. <c>run again with --allow 'write(b.txt)' (for that run only), or add write(b.txt) to permissions.allow in your configuration</c>.</returns>
    public static string? For(PermissionDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        if (decision.Verdict == Verdict.Allow)
        {
            return null;
        }

        if (decision.Basis == DecisionBasis.SafetyFloor)
        {
            return "the safety floor denies this in every mode; no rule or flag allows it (see docs/permissions.md, \"Safety floor\")";
        }

        if (decision.Basis == DecisionBasis.Session || decision.Parts.Any(part => part is { Verdict: Verdict.Deny, Basis: DecisionBasis.Session }))
        {
            return "the session's policy (allow_paths, deny_paths, network_allow, deny_tools) narrows every rule and mode and can only be narrowed further: work inside it, or start a new session without it (on a shared server, the server itself denies the tools that act on every user's sessions to non-admins; an admin can run them)";
        }

        if (decision.MatchedRule is { List: RuleList.Deny } deny)
        {
            return $"the deny rule {deny.Text} ({deny.Location}) wins over every allow rule and mode: remove or narrow it to allow this call";
        }

        if (decision.Basis == DecisionBasis.Protected || decision.Parts.Any(part => part is { Verdict: not Verdict.Allow, Basis: DecisionBasis.Protected }))
        {
            return "approve it when a person is present, or add an explicit allow rule for this path to your global configuration";
        }

        if (decision.MatchedRule is { List: RuleList.Ask } ask)
        {
            var grant = decision.SuggestedRules.Count > 0 ? $" ('agent session grant <session> {Quote(decision.SuggestedRules[0])}')" : string.Empty;
            return $"the ask rule {ask.Text} ({ask.Location}) needs a person: run at a terminal to approve it, or grant it for the session{grant}";
        }

        if (decision.Mode == PermissionMode.Plan && decision.Verdict == Verdict.Deny && decision.Basis is DecisionBasis.Mode)
        {
            return "plan mode is read-only: run with --permission-mode ask (or accept-edits, which allows file edits inside the project)";
        }

        var allowing = RulesThatAllow(decision);
        if (allowing.Count == 0)
        {
            return decision.Basis == DecisionBasis.Unparsed || decision.Parts.Any(part => part.Basis == DecisionBasis.Unparsed)
                ? "the command has parts known only at run time (or cannot be parsed), so no rule can allow it: approve it at a terminal, or write the command out in full"
                : "approve it at a terminal, or run with a --permission-mode that allows it";
        }

        var flags = string.Join(' ', allowing.Select(rule => "--allow " + Quote(rule)));
        var rules = string.Join(", ", allowing);
        var advice = $"run again with {flags} (for that run only), or add {rules} to permissions.allow in your configuration";
        return OnlyEditsInside(decision) && decision.Mode is PermissionMode.Ask or PermissionMode.DontAsk
            ? advice + "; --permission-mode accept-edits allows every file edit inside the project"
            : advice;
    }

    /// <summary>
    /// The allow rules that would let a call that was not allowed run: the engine's suggestions, except where an allow
    /// rule cannot help (an ask rule matched, plan mode's read-only default, a protected path, a deny rule, the floor).
    /// </summary>
    /// <param name="decision">The decision.</param>
    /// <returns>The rules; empty when none can.</returns>
    public static IReadOnlyList<string> RulesThatAllow(PermissionDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        return decision.Verdict == Verdict.Allow
            || decision.MatchedRule?.List is RuleList.Ask or RuleList.Deny
            || decision.Basis is DecisionBasis.Protected or DecisionBasis.SafetyFloor or DecisionBasis.Session
            || (decision.Mode == PermissionMode.Plan && decision.Basis == DecisionBasis.Mode)
            ? []
            : decision.SuggestedRules;
    }

    /// <summary>A rule quoted for a POSIX shell or PowerShell: <c>'shell(rm *)'</c>; a quote inside is doubled up the POSIX way.</summary>
    /// <param name="rule">The rule text.</param>
    /// <returns>The quoted text.</returns>
    public static string Quote(string rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return "'" + rule.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
    }

    /// <summary>Whether every part that was not allowed is a write of a file inside the sandbox that accept-edits would allow (not staging).</summary>
    private static bool OnlyEditsInside(PermissionDecision decision)
    {
        var blocking = decision.Parts.Count > 0 ? decision.Parts.Where(part => part.Verdict != Verdict.Allow) : [decision];
        return blocking.All(part => part is { Kind: "write", OutsideSandbox: false, Staging: false, Basis: DecisionBasis.Mode });
    }
}
