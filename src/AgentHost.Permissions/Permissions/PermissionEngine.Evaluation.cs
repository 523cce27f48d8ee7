using AgentHost.Sdk.Tools;

namespace AgentHost.Kernel.Permissions;

public sealed partial class PermissionEngine
{
    private PermissionDecision Evaluate(PermissionCall call, Target target, PermissionMode mode)
    {
        if (target.Invalid is { } invalid)
        {
            return new PermissionDecision(Verdict.Deny, $"{invalid}; no file can have this name", DecisionBasis.Unparsed);
        }

        if (Policy.SafetyFloor && FloorReason(target) is { } floor)
        {
            return new PermissionDecision(Verdict.Deny, floor, DecisionBasis.SafetyFloor);
        }

        if (FirstMatch(RuleList.Deny, call, target) is { } deny)
        {
            return new PermissionDecision(Verdict.Deny, $"denied by rule {deny.Text} ({deny.Location})", DecisionBasis.Rule) { MatchedRule = deny };
        }

        if (DecideProtected(call, target, mode) is { } protectedWrite)
        {
            return protectedWrite;
        }

        var readOnly = IsReadOnly(target);
        if (FirstMatch(RuleList.Ask, call, target) is { } ask)
        {
            if (mode == PermissionMode.DontAsk || (mode == PermissionMode.Plan && !readOnly))
            {
                return new PermissionDecision(Verdict.Deny, $"rule {ask.Text} ({ask.Location}) requires approval, and mode '{mode.ToDisplayName()}' never asks", DecisionBasis.Rule) { MatchedRule = ask };
            }

            return new PermissionDecision(Verdict.Ask, $"rule {ask.Text} ({ask.Location}) requires approval", DecisionBasis.Rule) { MatchedRule = ask };
        }

        if (UncertainShellRule(target) is { } uncertain)
        {
            // '$CMD -rf x', 'git $(echo push)', '/bin/r? -rf x': a deny or ask rule may apply once the shell expands the words.
            var why = $"rule {uncertain.Text} ({uncertain.Location}) may apply: the command has words computed at run time";
            return mode is PermissionMode.DontAsk or PermissionMode.Plan
                ? new PermissionDecision(Verdict.Deny, $"{why}, and mode '{mode.ToDisplayName()}' never asks", DecisionBasis.Unparsed)
                : new PermissionDecision(Verdict.Ask, $"{why}; it needs approval", DecisionBasis.Unparsed);
        }

        if (FirstMatch(RuleList.Allow, call, target) is { } allow)
        {
            if (mode == PermissionMode.Plan && !readOnly)
            {
                return new PermissionDecision(Verdict.Deny, $"plan mode is read-only: {target.KindName} is not allowed, even by rule {allow.Text} ({allow.Location})", DecisionBasis.Mode) { MatchedRule = allow };
            }

            return new PermissionDecision(Verdict.Allow, $"allowed by rule {allow.Text} ({allow.Location})", DecisionBasis.Rule) { MatchedRule = allow };
        }

        return ModeDefault(target, mode);
    }

    private static PermissionDecision ModeDefault(Target target, PermissionMode mode)
    {
        var name = mode.ToDisplayName();
        if (target.Unparsed is { } error && target.Kind == TargetKind.Command)
        {
            return mode is PermissionMode.Plan or PermissionMode.DontAsk
                ? new PermissionDecision(Verdict.Deny, $"the command could not be parsed ({error}), and mode '{name}' never asks", DecisionBasis.Unparsed)
                : new PermissionDecision(Verdict.Ask, $"the command could not be parsed ({error}), so no rule or mode can allow it without approval", DecisionBasis.Unparsed);
        }

        if (IsReadOnly(target) && !target.Outside)
        {
            return new PermissionDecision(Verdict.Allow, $"mode '{name}' allows reading inside the sandbox", DecisionBasis.Mode);
        }

        if (mode == PermissionMode.Yolo)
        {
            return new PermissionDecision(Verdict.Allow, "mode 'yolo' allows everything that no deny rule or safety floor stops", DecisionBasis.Mode);
        }

        if (target.Outside && target.Kind is TargetKind.Read or TargetKind.Write)
        {
            var where = target.Dynamic ? $"'{target.Subject}' is computed at run time, so it may be outside the sandbox" : $"{target.Display} is outside the sandbox (the project root and extra directories)";
            if (mode == PermissionMode.Plan && target.Kind == TargetKind.Write)
            {
                return new PermissionDecision(Verdict.Deny, $"plan mode is read-only; {where}", DecisionBasis.Mode);
            }

            return mode is PermissionMode.Plan or PermissionMode.DontAsk
                ? new PermissionDecision(Verdict.Deny, $"{where}; mode '{name}' denies access outside the sandbox", DecisionBasis.Sandbox)
                : new PermissionDecision(Verdict.Ask, $"{where}; access outside the sandbox needs approval", DecisionBasis.Sandbox);
        }

        if (mode == PermissionMode.Plan)
        {
            return new PermissionDecision(Verdict.Deny, $"plan mode is read-only: {Describe(target)} is not allowed", DecisionBasis.Mode);
        }

        if (mode == PermissionMode.AcceptEdits && target.Kind == TargetKind.Write)
        {
            return new PermissionDecision(Verdict.Allow, "mode 'accept-edits' allows file writes inside the sandbox", DecisionBasis.Mode);
        }

        return mode == PermissionMode.DontAsk
            ? new PermissionDecision(Verdict.Deny, $"no rule allows {Describe(target)}, and mode 'dont-ask' denies what is not allowed", DecisionBasis.Mode)
            : new PermissionDecision(Verdict.Ask, $"no rule allows {Describe(target)}; mode '{name}' asks", DecisionBasis.Mode);
    }

    private static string Describe(Target target) => target.Kind switch
    {
        TargetKind.Command => target.Dynamic ? "a command whose name is computed at run time" : "running this command",
        TargetKind.Write => "writing files",
        TargetKind.Read => "reading this path",
        TargetKind.Fetch => "network access",
        _ => (target.Effect & ToolEffect.Execute) != 0 ? "a tool that runs processes"
            : (target.Effect & ToolEffect.Network) != 0 ? "a tool that uses the network"
            : "a tool that changes local state",
    };

    private static bool IsReadOnly(Target target) => target.Kind switch
    {
        TargetKind.Read => true,
        TargetKind.Tool => (target.Effect & (ToolEffect.Write | ToolEffect.Execute | ToolEffect.Network)) == 0,
        _ => false,
    };

    private string? FloorReason(Target target) => target.Kind switch
    {
        TargetKind.Command when target.Part is { } part => _floor.CheckCommand(part, word => ResolveWord(word, target.BaseDirectory)),
        TargetKind.Read or TargetKind.Write => PathFloorReason(target),
        _ => null,
    };

    private string? PathFloorReason(Target target)
    {
        var write = target.Kind == TargetKind.Write;
        foreach (var path in target.RealPaths.Concat(target.LexicalPaths))
        {
            if (_floor.CheckPath(path, target.LexicalPath ?? path, write) is { } reason)
            {
                return reason;
            }
        }

        return target.FullPath is null ? SafetyFloor.CheckDynamicPath(Expand(target.Subject), write) : null;
    }
}
