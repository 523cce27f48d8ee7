using AgentHost.Permissions.Rules;

namespace AgentHost.Permissions.Gate;

/// <summary>
/// The rules a person granted "for this session". A grant turns an <em>ask</em> into an allow; it never overrides
/// a deny (rule, mode, sandbox or safety floor), because it is consulted only after the configured rules asked.
/// </summary>
/// <remarks>
/// Grants are matched by a second engine that holds only the grants: a call (or each asking part of a compound
/// command) is covered when a grant rule — not a mode default — allows it there. Thread-safe; grants only grow.
/// </remarks>
public sealed class SessionGrants
{
    private readonly Lock _lock = new();
    private readonly string _root;
    private readonly string _home;
    private readonly IReadOnlyList<string> _extraDirectories;
    private List<string> _rules = [];
    private RulePermissionGate? _matcher;

    /// <summary>Creates an empty set of grants.</summary>
    /// <param name="workspaceRoot">The sandbox root.</param>
    /// <param name="homeDirectory">The home directory (for <c>~/</c> rules).</param>
    /// <param name="extraDirectories">More sandbox directories.</param>
    public SessionGrants(string workspaceRoot, string homeDirectory, IEnumerable<string>? extraDirectories = null)
    {
        _root = workspaceRoot;
        _home = homeDirectory;
        _extraDirectories = [.. extraDirectories ?? []];
    }

    /// <summary>The granted rules, oldest first.</summary>
    public IReadOnlyList<string> Rules
    {
        get
        {
            lock (_lock)
            {
                return [.. _rules];
            }
        }
    }

    /// <summary>Adds rules; invalid or repeated ones are ignored.</summary>
    /// <param name="rules">Rule texts such as <c>shell(npm test)</c>.</param>
    /// <returns>The rules that were new.</returns>
    public IReadOnlyList<string> Add(IEnumerable<string> rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        lock (_lock)
        {
            var added = new List<string>();
            foreach (var rule in rules)
            {
                if (!_rules.Contains(rule, StringComparer.Ordinal) && PermissionRuleParser.TryParse(RuleList.Allow, rule, out _, out _))
                {
                    added.Add(rule);
                }
            }

            if (added.Count > 0)
            {
                _rules = [.. _rules, .. added];
                _matcher = null;
            }

            return added;
        }
    }

    /// <summary>Whether the grants cover every part of a decision that asks.</summary>
    /// <param name="request">The call.</param>
    /// <param name="decision">The configured rules' decision (must be <see cref="Verdict.Ask"/> to be covered).</param>
    /// <param name="grant">The first grant that covered it, for the audit log.</param>
    /// <returns>Whether the call may run by grant.</returns>
    public bool Covers(ToolPermissionRequest request, PermissionDecision decision, out string? grant)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(decision);
        grant = null;
        if (decision.Verdict != Verdict.Ask || Matcher() is not { } matcher)
        {
            return false;
        }

        var granted = matcher.Decide(request, PermissionMode.DontAsk);
        IReadOnlyList<PermissionDecision> asked = decision.Parts.Count > 0 ? decision.Parts : [decision];
        IReadOnlyList<PermissionDecision> answers = granted.Parts.Count > 0 ? granted.Parts : [granted];
        if (asked.Count != answers.Count)
        {
            return false;
        }

        for (var i = 0; i < asked.Count; i++)
        {
            if (asked[i].Verdict == Verdict.Allow)
            {
                continue;
            }

            if (asked[i].Verdict == Verdict.Deny || answers[i] is not { Verdict: Verdict.Allow, Basis: DecisionBasis.Rule, MatchedRule: { } rule })
            {
                return false;
            }

            grant ??= rule.Text;
        }

        return grant is not null;
    }

    private RulePermissionGate? Matcher()
    {
        lock (_lock)
        {
            if (_rules.Count == 0)
            {
                return null;
            }

            return _matcher ??= new RulePermissionGate(
                new PermissionPolicy(ParseAll(_rules), safetyFloor: false),
                PermissionMode.DontAsk,
                _root,
                _home,
                _extraDirectories);
        }
    }

    private static IEnumerable<PermissionRule> ParseAll(IEnumerable<string> rules)
    {
        foreach (var text in rules)
        {
            if (PermissionRuleParser.TryParse(RuleList.Allow, text, out var rule, out _))
            {
                yield return rule! with { Origin = "session grant" };
            }
        }
    }
}
