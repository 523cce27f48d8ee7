using AgentHost.Permissions.Paths;
using AgentHost.Permissions.Rules;

namespace AgentHost.Permissions;

/// <summary>The outcome of a permission check.</summary>
public enum Verdict
{
    /// <summary>The call may run.</summary>
    Allow,

    /// <summary>A person must approve the call.</summary>
    Ask,

    /// <summary>The call must not run.</summary>
    Deny,
}

/// <summary>What decided a verdict.</summary>
public enum DecisionBasis
{
    /// <summary>A configured rule (<see cref="PermissionDecision.MatchedRule"/>).</summary>
    Rule,

    /// <summary>The mode's default for calls no rule matches.</summary>
    Mode,

    /// <summary>The safety floor.</summary>
    SafetyFloor,

    /// <summary>The path is outside the sandbox (root plus extra directories) and no rule allows it.</summary>
    Sandbox,

    /// <summary>The command could not be understood well enough to allow it.</summary>
    Unparsed,

    /// <summary>Aggregated from the parts of a compound command.</summary>
    Parts,

    /// <summary>
    /// A write to a protected path (agent configuration, a skill or git hook folder): it always asks a person, and
    /// neither the mode, project rules, session grants nor skills can pre-approve it.
    /// </summary>
    Protected,

    /// <summary>
    /// The session's own policy (<see cref="SessionPolicy"/>: allow and deny globs, network allowlist), a layer under
    /// every configured rule: what it denies no rule, mode, grant or answer allows.
    /// </summary>
    Session,
}

/// <summary>A permission decision with its reason; compound shell commands carry one decision per part.</summary>
/// <remarks>Immutable.</remarks>
/// <param name="Verdict">Allow, ask or deny.</param>
/// <param name="Reason">Why, in words shown to the user and (on a deny) to the model.</param>
/// <param name="Basis">What decided.</param>
public sealed record PermissionDecision(Verdict Verdict, string Reason, DecisionBasis Basis)
{
    /// <summary>The rule that decided, when <see cref="Basis"/> is <see cref="DecisionBasis.Rule"/>.</summary>
    public PermissionRule? MatchedRule { get; init; }

    /// <summary>The mode the decision was made in.</summary>
    public PermissionMode Mode { get; init; }

    /// <summary>What this decision is about: <c>command</c>, <c>read</c>, <c>write</c>, <c>fetch</c> or <c>tool</c>.</summary>
    public string Kind { get; init; } = "tool";

    /// <summary>The subject decided: a command part, a path, a domain, or the tool name.</summary>
    public string Subject { get; init; } = string.Empty;

    /// <summary>Whether the subject is a path outside the sandbox.</summary>
    public bool OutsideSandbox { get; init; }

    /// <summary>Whether the call stages files for git (<c>git_add</c>): a write that accept-edits still asks for.</summary>
    public bool Staging { get; init; }

    /// <summary>The narrowest allow rule(s) that would let the call run, when it is not allowed and a rule could allow it.</summary>
    public IReadOnlyList<string> SuggestedRules { get; init; } = [];

    /// <summary>For a shell command: each part's decision (commands and redirections), in order.</summary>
    public IReadOnlyList<PermissionDecision> Parts { get; init; } = [];

    /// <summary>The verdict name: <c>allow</c>, <c>ask</c> or <c>deny</c>.</summary>
    public string VerdictName => Verdict.ToString().ToLowerInvariant();
}
