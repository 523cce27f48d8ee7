using AgentHost.Sdk.Tools;

namespace AgentHost.Permissions.Rules;

/// <summary>
/// The engine's check of a policy's session layers (<see cref="PermissionPolicy.SessionLayers"/>): a file path a
/// layer's deny globs match, or its allow globs do not, is denied; so is a network call to a host outside a layer's
/// allowlist, and every call of a tool a layer's deny_tools names. It only denies: what passes is decided by the configured rules and the mode as before.
/// </summary>
/// <remarks>Thread-safe. Globs are matched by the rule matcher, the deny globs as deny rules (any reading of a path, ignoring case) and the allow globs as allow rules (every real path).</remarks>
internal sealed class SessionLayerCheck
{
    private readonly List<Layer> _layers;

    public SessionLayerCheck(IReadOnlyList<SessionPolicy> layers, string root, string home) =>
        _layers = [.. layers.Select(l => new Layer(
            l,
            new RuleMatcher(l.DenyRules, root, home),
            new RuleMatcher(l.AllowRules, root, home),
            l.NetworkRules is { } network ? new RuleMatcher(network, root, home) : null))];

    /// <summary>The session's deny for a target, or <see langword="null"/> when every layer lets it through to the configured rules.</summary>
    public PermissionDecision? Decide(PermissionCall call, Target target)
    {
        foreach (var layer in _layers)
        {
            if (Decide(layer, call, target) is { } denied)
            {
                return denied;
            }
        }

        return null;
    }

    private static PermissionDecision? Decide(Layer layer, PermissionCall call, Target target)
    {
        if (layer.Policy.DeniedTool(call.Tool, call.Plugin) is { } tool)
        {
            return Denied($"the tool {call.Tool} is refused by the session's deny_tools ('{tool}')", null);
        }

        if (target.Kind is TargetKind.Read or TargetKind.Write)
        {
            if (layer.Deny.FirstMatch(RuleList.Deny, call, target) is { } deny)
            {
                return Denied($"denied by the session's deny_paths glob '{deny.Specifier}'", deny);
            }

            if (layer.Policy.AllowRules.Count > 0 && layer.Allow.FirstMatch(RuleList.Allow, call, target) is null)
            {
                return Denied($"{target.Display} is outside the session's allow_paths ({string.Join(", ", layer.Policy.AllowPaths)})", null);
            }

            return null;
        }

        if (layer.Network is not { } network)
        {
            return null;
        }

        var hosts = layer.Policy.NetworkHosts is { Count: > 0 } list ? string.Join(", ", list) : "no host";
        if (target.Kind == TargetKind.Fetch)
        {
            return network.FirstMatch(RuleList.Allow, call, target) is null
                ? Denied($"{target.Host ?? target.Subject} is not in the session's network_allow ({hosts})", null)
                : null;
        }

        return target.Kind == TargetKind.Tool && (target.Effect & ToolEffect.Network) != 0
            ? Denied($"the tool uses the network without naming a host the session's network_allow ({hosts}) can check", null)
            : null;
    }

    private static PermissionDecision Denied(string why, PermissionRule? rule) =>
        new(Verdict.Deny, $"{why}; a session policy only narrows, and no rule, mode, grant or answer widens it", DecisionBasis.Session) { MatchedRule = rule };

    private sealed record Layer(SessionPolicy Policy, RuleMatcher Deny, RuleMatcher Allow, RuleMatcher? Network);
}
