using System.Text.RegularExpressions;
using AgentHost.Permissions.Paths;
using AgentHost.Sdk.Tools;

namespace AgentHost.Permissions.Rules;

/// <summary>
/// Decides tool calls from rules and a mode: safety floor, then deny rules, then protected paths, then ask rules,
/// then allow rules, then the mode's default. Shell command lines are split into parts (every part and every
/// redirection must be allowed); paths are resolved like <see cref="WorkspacePaths"/> (<c>..</c> and symbolic links)
/// and as the kernel resolves them, with <c>\</c> as a separator on every OS, before rules and the sandbox check see
/// them: a path is inside the sandbox, or allowed by a rule, only if every reading of it is.
/// </summary>
/// <remarks>
/// <para>
/// The engine composes its parts: the <see cref="PathSandbox"/> (root, extra directories, protected places, path
/// resolution), the rule matcher (<c>RuleMatcher</c>: which deny/ask/allow rule applies), the shell-line analysis
/// (<c>ShellTargets</c>), the safety floor, and the "always allow" suggestions (<c>RuleSuggestions</c>).
/// </para>
/// <para>
/// Thread-safe; pure apart from reading the file system to resolve symbolic links and expand globs. Deny and ask rules
/// match paths and command names ignoring case, and any reading of a path (so case, separator and link tricks cannot
/// dodge them); allow rules ignore case only where the file system does (Windows, macOS).
/// </para>
/// </remarks>
public sealed class PermissionEngine
{
    private readonly SafetyFloor _floor;
    private readonly RuleMatcher _rules;
    private readonly RuleSuggestions _suggestions;
    private readonly ShellTargets _shell;
    private readonly SessionLayerCheck? _session;

    /// <summary>Creates an engine.</summary>
    /// <param name="policy">The rules and settings.</param>
    /// <param name="workspaceRoot">The project root (the sandbox root).</param>
    /// <param name="homeDirectory">The user's home directory, for <c>~/</c>.</param>
    /// <param name="extraDirectories">More directories inside the sandbox, besides <see cref="PermissionPolicy.ExtraDirectories"/>.</param>
    /// <param name="protectedPaths">The user's protected places; <see cref="ProtectedPaths.Default"/> of the home directory when <see langword="null"/>.</param>
    public PermissionEngine(PermissionPolicy policy, string workspaceRoot, string homeDirectory, IEnumerable<string>? extraDirectories = null, ProtectedPaths? protectedPaths = null)
        : this(policy, new PathSandbox(workspaceRoot, homeDirectory, (policy ?? throw new ArgumentNullException(nameof(policy))).ExtraDirectories.Concat(extraDirectories ?? []), protectedPaths))
    {
    }

    /// <summary>Creates an engine over a sandbox.</summary>
    /// <param name="policy">The rules and settings (its <see cref="PermissionPolicy.ExtraDirectories"/> are the sandbox's business: pass them to it).</param>
    /// <param name="sandbox">The path sandbox.</param>
    public PermissionEngine(PermissionPolicy policy, PathSandbox sandbox)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(sandbox);
        Policy = policy;
        Sandbox = sandbox;
        _floor = SafetyFloor.For(sandbox.Home);
        _rules = new RuleMatcher(policy.Rules, sandbox.Root, sandbox.Home);
        _suggestions = new RuleSuggestions(sandbox.Root, sandbox.Home);
        _shell = new ShellTargets(sandbox);
        _session = policy.SessionLayers.Count == 0 ? null : new SessionLayerCheck(policy.SessionLayers, sandbox.Root, sandbox.Home);
    }

    /// <summary>The rules and settings.</summary>
    public PermissionPolicy Policy { get; }

    /// <summary>The path sandbox: root, extra directories, protected places.</summary>
    public PathSandbox Sandbox { get; }

    /// <summary>The real path of the sandbox root.</summary>
    public string Root => Sandbox.Root;

    /// <summary>The real path of the home directory.</summary>
    public string Home => Sandbox.Home;

    /// <summary>The user's protected places (the project's are found from <see cref="Root"/>).</summary>
    public ProtectedPaths ProtectedPaths => Sandbox.ProtectedPaths;

    /// <summary>Decides a call.</summary>
    /// <param name="call">The call.</param>
    /// <param name="mode">The mode.</param>
    /// <returns>The decision; for shell commands with its parts.</returns>
    public PermissionDecision Decide(PermissionCall call, PermissionMode mode)
    {
        ArgumentNullException.ThrowIfNull(call);
        if (call.IsShell)
        {
            return DecideShell(call, mode);
        }

        // A subject of several paths, one a line (git_add's): each path is decided, and the subject reads as one line.
        List<Target> targets = PermissionSubject.Paths(call) is { } several
            ? [.. several.Select(path => ToTarget(call with { Subject = path }))]
            : [ToTarget(call)];
        if (call.Paths.Count == 0)
        {
            return targets.Count == 1 ? DecideTarget(call, targets[0], mode) : Combine(targets.Select(each => DecideTarget(call, each, mode)).ToList(), PermissionSubject.OneLine(call.Subject)!);
        }

        // Every path the call declares is decided too (a move's destination, a download's file): the strictest wins.
        foreach (var path in call.Paths)
        {
            var kind = (path.Effect & ToolEffect.Write) != 0 ? TargetKind.Write : TargetKind.Read;
            var dynamic = PathSandbox.HasExpansion(path.Path) && path.Path.Contains('$', StringComparison.Ordinal);
            targets.Add(PathSandbox.IsPathLike(path.Path) ? Sandbox.PathTarget(kind, path.Path, dynamic, Root) : new Target(kind, path.Path) { Dynamic = true, Outside = true, Invalid = "the path is empty or not a path" });
        }

        return Combine(targets.Select(each => DecideTarget(call, each, mode)).ToList(), PermissionSubject.OneLine(call.Subject) ?? RuleSuggestions.Qualified(call));
    }

    /// <summary>
    /// Decides a plain read of a path the caller knows to be real — absolute, normalised, and with no symbolic link in
    /// any part (a search's walk resolved its folder and listed the file as a regular file, or checked that it is no
    /// link) — without resolving it again: the same decision as <see cref="Decide"/> (the safety floor, deny, ask and
    /// allow rules, the sandbox, the mode, the suggestions), from the target <see cref="Decide"/> would build
    /// (<see cref="PathSandbox.KnownRealTarget"/>). A call that is not a plain read of one path, or a path the general
    /// path reads in more than one spelling, is decided by <see cref="Decide"/>.
    /// </summary>
    /// <param name="call">A read call whose subject is the real path.</param>
    /// <param name="mode">The mode.</param>
    /// <returns>The decision.</returns>
    /// <remarks>Nothing checks that the path is real: a caller that passes a path through a link gets the decision for the link's own path.</remarks>
    internal PermissionDecision DecideKnownRealRead(PermissionCall call, PermissionMode mode)
    {
        ArgumentNullException.ThrowIfNull(call);
        // A read call named "read" (the read check's) is never a shell call; any other name is asked (IsShell lowers it).
        return call is { Effect: ToolEffect.Read, Paths.Count: 0, Subject: { } path } && (call.Tool == "read" || !call.IsShell) && Sandbox.KnownRealTarget(TargetKind.Read, path) is { } target
            ? DecideTarget(call, target, mode)
            : Decide(call, mode);
    }

    /// <summary>The strictest verdict; among equals, what the user most needs to read: a deny rule or the floor, then a protected path, then the first.</summary>
    private static PermissionDecision Worst(List<PermissionDecision> decisions) =>
        decisions.OrderBy(d => d.Verdict switch { Verdict.Deny => 0, Verdict.Ask => 1, _ => 2 })
            .ThenBy(d => d.Basis switch { DecisionBasis.Rule or DecisionBasis.SafetyFloor or DecisionBasis.Session when d.Verdict == Verdict.Deny => 0, DecisionBasis.Protected => 1, _ => 2 })
            .First();

    /// <summary>One decision for several targets: the first deny, else the first ask, else the first decision; each target is a part.</summary>
    private static PermissionDecision Combine(List<PermissionDecision> decisions, string subject)
    {
        var worst = Worst(decisions);
        var blocked = decisions.Any(d => (d.Verdict == Verdict.Deny && d.Basis is DecisionBasis.Rule or DecisionBasis.SafetyFloor or DecisionBasis.Session) || d.Basis == DecisionBasis.Protected);
        return worst with
        {
            Reason = worst.Verdict == Verdict.Allow ? $"every path is allowed ({decisions.Count} paths)" : $"{worst.Kind} '{worst.Subject}': {worst.Reason}",
            Subject = worst.Verdict == Verdict.Allow ? subject : worst.Subject,
            Parts = decisions,
            SuggestedRules = blocked ? [] : [.. decisions.Where(d => d.Verdict != Verdict.Allow).SelectMany(d => d.SuggestedRules).Distinct(StringComparer.Ordinal)],
        };
    }

    private PermissionDecision DecideShell(PermissionCall call, PermissionMode mode)
    {
        var parsed = ShellCommandParser.Parse(call.Subject!);
        var targets = _shell.Build(call, parsed);
        var decisions = targets.Select(target => DecideTarget(call, target, mode)).ToList();
        var worst = Worst(decisions);
        if (decisions.Count == 1)
        {
            return worst with { Parts = targets[0].Part is null && parsed.Error is null ? [] : decisions };
        }

        var blocked = decisions.Any(d => (d.Verdict == Verdict.Deny && d.Basis is DecisionBasis.Rule or DecisionBasis.SafetyFloor or DecisionBasis.Session) || d.Basis == DecisionBasis.Protected);
        var reason = worst.Verdict == Verdict.Allow
            ? $"every part is allowed ({decisions.Count} parts)"
            : $"{worst.Kind} '{worst.Subject}': {worst.Reason}";
        return worst with
        {
            Reason = reason,
            Kind = "command",
            Subject = call.Subject!,
            Parts = decisions,
            SuggestedRules = blocked ? [] : [.. decisions.Where(d => d.Verdict != Verdict.Allow).SelectMany(d => d.SuggestedRules).Distinct(StringComparer.Ordinal)],
        };
    }

    private Target ToTarget(PermissionCall call)
    {
        var subject = call.Subject?.Trim();
        if ((call.Effect & ToolEffect.Network) != 0 && subject is { Length: > 0 })
        {
            return new Target(TargetKind.Fetch, subject) { Host = HostOf(subject), Effect = call.Effect };
        }

        if ((call.Effect & (ToolEffect.Write | ToolEffect.Read)) != 0 && (call.Effect & ToolEffect.Execute) == 0 && PathSandbox.IsPathLike(subject))
        {
            var kind = (call.Effect & ToolEffect.Write) != 0 ? TargetKind.Write : TargetKind.Read;
            return Sandbox.PathTarget(kind, subject!, PathSandbox.HasExpansion(subject!) && subject!.Contains('$', StringComparison.Ordinal), Root);
        }

        return new Target(TargetKind.Tool, RuleSuggestions.Qualified(call)) { Effect = call.Effect, ToolSubject = subject };
    }

    private PermissionDecision DecideTarget(PermissionCall call, Target target, PermissionMode mode)
    {
        var decision = Evaluate(call, target, mode);
        return decision with
        {
            Mode = mode,
            Kind = target.KindName,
            Subject = target.Display,
            OutsideSandbox = target.Outside && target.Kind is TargetKind.Read or TargetKind.Write,
            Staging = PermissionCall.IsStaging(call.Action),
            SuggestedRules = decision.Verdict == Verdict.Allow || decision.Basis is DecisionBasis.SafetyFloor or DecisionBasis.Unparsed or DecisionBasis.Protected or DecisionBasis.Session || decision.MatchedRule?.List == RuleList.Deny
                ? []
                : _suggestions.Suggest(call, target) is { } rule ? [rule] : [],
        };
    }

    private static string? HostOf(string subject)
    {
        if (Uri.TryCreate(subject, UriKind.Absolute, out var uri) && uri.Host.Length > 0)
        {
            return uri.IdnHost.ToLowerInvariant();
        }

        return Regex.IsMatch(subject, @"^[A-Za-z0-9.-]+$", RegexOptions.None, TimeSpan.FromSeconds(1)) ? subject.ToLowerInvariant() : null;
    }

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

        if (_rules.FirstMatch(RuleList.Deny, call, target) is { } deny)
        {
            return new PermissionDecision(Verdict.Deny, $"denied by rule {deny.Text} ({deny.Location})", DecisionBasis.Rule) { MatchedRule = deny };
        }

        if (_session?.Decide(call, target) is { } narrowed)
        {
            // The session's policy, the narrowest layer: after the floor and the configured deny rules, before anything that could allow.
            return narrowed;
        }

        if (DecideProtected(call, target, mode) is { } protectedWrite)
        {
            return protectedWrite;
        }

        var readOnly = IsReadOnly(target);
        if (_rules.FirstMatch(RuleList.Ask, call, target) is { } ask)
        {
            if (mode == PermissionMode.DontAsk || (mode == PermissionMode.Plan && !readOnly))
            {
                return new PermissionDecision(Verdict.Deny, $"rule {ask.Text} ({ask.Location}) requires approval, and mode '{mode.ToDisplayName()}' never asks", DecisionBasis.Rule) { MatchedRule = ask };
            }

            return new PermissionDecision(Verdict.Ask, $"rule {ask.Text} ({ask.Location}) requires approval", DecisionBasis.Rule) { MatchedRule = ask };
        }

        if (_rules.UncertainShellRule(target) is { } uncertain)
        {
            // '$CMD -rf x', 'git $(echo push)', '/bin/r? -rf x': a deny or ask rule may apply once the shell expands the words.
            var why = $"rule {uncertain.Text} ({uncertain.Location}) may apply: the command has words computed at run time";
            return mode is PermissionMode.DontAsk or PermissionMode.Plan
                ? new PermissionDecision(Verdict.Deny, $"{why}, and mode '{mode.ToDisplayName()}' never asks", DecisionBasis.Unparsed)
                : new PermissionDecision(Verdict.Ask, $"{why}; it needs approval", DecisionBasis.Unparsed);
        }

        if (_rules.FirstMatch(RuleList.Allow, call, target) is { } allow)
        {
            if (mode == PermissionMode.Plan && !readOnly)
            {
                return new PermissionDecision(Verdict.Deny, $"plan mode is read-only: {target.KindName} is not allowed, even by rule {allow.Text} ({allow.Location})", DecisionBasis.Mode) { MatchedRule = allow };
            }

            return new PermissionDecision(Verdict.Allow, $"allowed by rule {allow.Text} ({allow.Location})", DecisionBasis.Rule) { MatchedRule = allow };
        }

        return ModeDefault(target, mode, PermissionCall.IsStaging(call.Action));
    }

    private static PermissionDecision ModeDefault(Target target, PermissionMode mode, bool staging)
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
            return new PermissionDecision(Verdict.Allow, ReadInsideReason(mode), DecisionBasis.Mode);
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
            return staging
                ? new PermissionDecision(Verdict.Ask, "mode 'accept-edits' accepts edits of files, not what git records: staging asks, as a commit does", DecisionBasis.Mode)
                : new PermissionDecision(Verdict.Allow, "mode 'accept-edits' allows file writes inside the sandbox", DecisionBasis.Mode);
        }

        return mode == PermissionMode.DontAsk
            ? new PermissionDecision(Verdict.Deny, $"no rule allows {Describe(target)}, and mode 'dont-ask' denies what is not allowed", DecisionBasis.Mode)
            : new PermissionDecision(Verdict.Ask, $"no rule allows {Describe(target)}; mode '{name}' asks", DecisionBasis.Mode);
    }

    /// <summary>The reason a mode allows a read inside the sandbox (one string per mode: a search asks it for every file).</summary>
    private static string ReadInsideReason(PermissionMode mode) => mode switch
    {
        PermissionMode.Ask => ReadInside.Ask,
        PermissionMode.AcceptEdits => ReadInside.AcceptEdits,
        PermissionMode.Plan => ReadInside.Plan,
        PermissionMode.Yolo => ReadInside.Yolo,
        PermissionMode.DontAsk => ReadInside.DontAsk,
        _ => ReadInside.Of(mode),
    };

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
        TargetKind.Command when target.Part is { } part => _floor.CheckCommand(part, target.BaseDirectory, word => Sandbox.ResolveWord(word, target.BaseDirectory)),
        TargetKind.Read or TargetKind.Write => PathFloorReason(target),
        _ => null,
    };

    private string? PathFloorReason(Target target)
    {
        var write = target.Kind == TargetKind.Write;
        for (var i = 0; i < target.RealPaths.Count + target.LexicalPaths.Count; i++)
        {
            var path = i < target.RealPaths.Count ? target.RealPaths[i] : target.LexicalPaths[i - target.RealPaths.Count];
            if (i >= target.RealPaths.Count && ReferenceEquals(target.RealPaths, target.LexicalPaths))
            {
                break; // the same spellings (a path known to be real) were just checked
            }

            if (_floor.CheckPath(path, target.LexicalPath ?? path, write) is { } reason)
            {
                return reason;
            }
        }

        return (target.FullPath is null ? SafetyFloor.CheckDynamicPath(Sandbox.Expand(target.Subject), write) : null)
            ?? (ComputedPath.IsComputed(target.Subject, target.ViaRedirect) ? _floor.CheckComputedPath(target.Subject, target.BaseDirectory, write, globs: target.ViaRedirect) : null);
    }

    /// <summary>The decision for a write to a protected place, or <see langword="null"/> when the target is not one.</summary>
    private PermissionDecision? DecideProtected(PermissionCall call, Target target, PermissionMode mode)
    {
        if (Sandbox.Protection(target) is not { } found)
        {
            return null;
        }

        var what = $"protected: {found.Reason}";
        if (mode != PermissionMode.Plan && GlobalExplicitAllow(call, target, found.Area) is { } rule)
        {
            return new PermissionDecision(Verdict.Allow, $"{what}; allowed by rule {rule.Text} ({rule.Location}), an explicit rule in your global configuration", DecisionBasis.Rule) { MatchedRule = rule };
        }

        return mode is PermissionMode.DontAsk or PermissionMode.Plan
            ? new PermissionDecision(Verdict.Deny, $"{what}; a write here can change what the agent may do, so it always needs a person's approval, and mode '{mode.ToDisplayName()}' never asks", DecisionBasis.Protected)
            : new PermissionDecision(Verdict.Ask, $"{what}; a write here can change what the agent may do, so it always needs a person's approval, whatever the mode, project rules or session grants say", DecisionBasis.Protected);
    }

    /// <summary>
    /// An allow rule read from the user's global configuration file that names the protected place (or a path in it)
    /// before any wildcard: <c>write(.agent/skills/**)</c> pre-approves skill writes; <c>write(**)</c> does not.
    /// </summary>
    private PermissionRule? GlobalExplicitAllow(PermissionCall call, Target target, string area)
    {
        if (Sandbox.ProtectedPaths.GlobalConfigDirectory is not { } global)
        {
            return null;
        }

        var folder = Path.TrimEndingDirectorySeparator(Path.GetFullPath(global));
        foreach (var rule in Policy.Rules)
        {
            if (rule is not { List: RuleList.Allow, Target: RuleTarget.Write, Specifier: { } specifier, File: { } file }
                || !PathSandbox.IsInside(Path.GetFullPath(file), folder)
                || !_rules.Applies(rule, call, target))
            {
                continue;
            }

            var wildcard = specifier.IndexOfAny(['*', '?', '[', '{']);
            var literal = (wildcard < 0 ? specifier : specifier[..wildcard]).Replace('\\', '/');
            if (literal.Trim('/').Length == 0)
            {
                continue;
            }

            var named = Path.TrimEndingDirectorySeparator(Path.GetFullPath(Sandbox.Expand(literal.StartsWith("//", StringComparison.Ordinal) ? literal[1..] : literal), Root));
            if (PathSandbox.IsInside(named, area) || PathSandbox.IsInside(named, PathSandbox.RealPathOrSelf(area)))
            {
                return rule;
            }
        }

        return null;
    }

    private static class ReadInside
    {
        public static readonly string Ask = Of(PermissionMode.Ask);
        public static readonly string AcceptEdits = Of(PermissionMode.AcceptEdits);
        public static readonly string Plan = Of(PermissionMode.Plan);
        public static readonly string Yolo = Of(PermissionMode.Yolo);
        public static readonly string DontAsk = Of(PermissionMode.DontAsk);

        public static string Of(PermissionMode mode) => $"mode '{mode.ToDisplayName()}' allows reading inside the sandbox";
    }
}
