using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using AgentHost.Sdk.Tools;

namespace AgentHost.Kernel.Permissions;

/// <summary>
/// Decides tool calls from rules and a mode: safety floor, then deny rules, then ask rules, then allow rules, then
/// the mode's default. Shell command lines are split into parts (every part and every redirection must be allowed);
/// paths are resolved like <see cref="WorkspacePaths"/> (<c>..</c> and symbolic links) before rules and the sandbox
/// check see them.
/// </summary>
/// <remarks>
/// Thread-safe; pure apart from reading the file system to resolve symbolic links. Deny and ask rules match paths and
/// command names ignoring case (so case tricks cannot dodge them); allow rules ignore case only where the file system
/// does (Windows, macOS).
/// </remarks>
public sealed class PermissionEngine
{
    private static readonly bool FileSystemIgnoresCase = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS();

    private readonly SafetyFloor _floor;
    private readonly string[] _sandbox;
    private readonly ConcurrentDictionary<(string Pattern, bool IgnoreCase), PathPattern> _patterns = new();

    /// <summary>Creates an engine.</summary>
    /// <param name="policy">The rules and settings.</param>
    /// <param name="workspaceRoot">The project root (the sandbox root).</param>
    /// <param name="homeDirectory">The user's home directory, for <c>~/</c>.</param>
    /// <param name="extraDirectories">More directories inside the sandbox, besides <see cref="PermissionPolicy.ExtraDirectories"/>.</param>
    public PermissionEngine(PermissionPolicy policy, string workspaceRoot, string homeDirectory, IEnumerable<string>? extraDirectories = null)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentException.ThrowIfNullOrWhiteSpace(workspaceRoot);
        ArgumentException.ThrowIfNullOrWhiteSpace(homeDirectory);
        Policy = policy;
        Root = WorkspacePaths.RealPath(Path.GetFullPath(workspaceRoot));
        Home = WorkspacePaths.RealPath(Path.GetFullPath(homeDirectory));
        _floor = new SafetyFloor(Home);
        _sandbox = [Root, .. policy.ExtraDirectories.Concat(extraDirectories ?? []).Select(directory => WorkspacePaths.RealPath(Path.GetFullPath(Expand(directory), Root)))];
    }

    /// <summary>The rules and settings.</summary>
    public PermissionPolicy Policy { get; }

    /// <summary>The real path of the sandbox root.</summary>
    public string Root { get; }

    /// <summary>The real path of the home directory.</summary>
    public string Home { get; }

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

        var target = ToTarget(call);
        return DecideTarget(call, target, mode);
    }

    private PermissionDecision DecideShell(PermissionCall call, PermissionMode mode)
    {
        var parsed = ShellCommandParser.Parse(call.Subject!);
        var targets = new List<Target>();
        if (parsed.Error is not null)
        {
            targets.Add(new Target(TargetKind.Command, call.Subject!.Trim()) { Unparsed = parsed.Error, Dynamic = true });
        }
        else
        {
            foreach (var part in parsed.Parts)
            {
                if (part.Words.Count > 0)
                {
                    targets.Add(new Target(TargetKind.Command, part.CommandLine) { Part = part, Dynamic = part.IsDynamic });
                }

                foreach (var redirect in part.Redirects)
                {
                    if (redirect.IsWrite && IsNullDevice(redirect.Target))
                    {
                        continue;
                    }

                    var kind = redirect.IsWrite ? TargetKind.Write : TargetKind.Read;
                    targets.Add(PathTarget(kind, redirect.Target, dynamic: redirect.IsDynamic || HasExpansion(redirect.Target)) with { ViaRedirect = true });
                }
            }

            if (targets.Count == 0)
            {
                targets.Add(new Target(TargetKind.Command, call.Subject!.Trim()));
            }
        }

        var decisions = targets.Select(target => DecideTarget(call, target, mode)).ToList();
        var worst = decisions.FirstOrDefault(d => d.Verdict == Verdict.Deny) ?? decisions.FirstOrDefault(d => d.Verdict == Verdict.Ask) ?? decisions[0];
        if (decisions.Count == 1)
        {
            return worst with { Parts = targets[0].Part is null && parsed.Error is null ? [] : decisions };
        }

        var blocked = decisions.Any(d => d.Verdict == Verdict.Deny && d.Basis is DecisionBasis.Rule or DecisionBasis.SafetyFloor);
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

        if ((call.Effect & (ToolEffect.Write | ToolEffect.Read)) != 0 && (call.Effect & ToolEffect.Execute) == 0 && IsPathLike(subject))
        {
            var kind = (call.Effect & ToolEffect.Write) != 0 ? TargetKind.Write : TargetKind.Read;
            return PathTarget(kind, subject!, HasExpansion(subject!) && subject!.Contains('$', StringComparison.Ordinal));
        }

        return new Target(TargetKind.Tool, Qualified(call)) { Effect = call.Effect, ToolSubject = subject };
    }

    private Target PathTarget(TargetKind kind, string path, bool dynamic)
    {
        var target = new Target(kind, path) { Dynamic = dynamic };
        if (dynamic)
        {
            return target with { Outside = true };
        }

        try
        {
            var lexical = Path.GetFullPath(Expand(path), Root);
            var real = WorkspacePaths.RealPath(lexical);
            return target with { FullPath = real, LexicalPath = lexical, Outside = !_sandbox.Any(root => IsInside(real, root)) };
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or NotSupportedException or UnauthorizedAccessException)
        {
            return target with { Dynamic = true, Outside = true, Unparsed = ex.Message };
        }
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
            SuggestedRules = decision.Verdict == Verdict.Allow || decision.Basis is DecisionBasis.SafetyFloor || decision.MatchedRule?.List == RuleList.Deny
                ? []
                : Suggest(call, target) is { } rule ? [rule] : [],
        };
    }

    private PermissionDecision Evaluate(PermissionCall call, Target target, PermissionMode mode)
    {
        if (Policy.SafetyFloor && FloorReason(target) is { } floor)
        {
            return new PermissionDecision(Verdict.Deny, floor, DecisionBasis.SafetyFloor);
        }

        if (FirstMatch(RuleList.Deny, call, target) is { } deny)
        {
            return new PermissionDecision(Verdict.Deny, $"denied by rule {deny.Text} ({deny.Location})", DecisionBasis.Rule) { MatchedRule = deny };
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
        TargetKind.Command when target.Part is { } part => _floor.CheckCommand(part, ResolveWord),
        TargetKind.Read or TargetKind.Write when target.FullPath is { } full => _floor.CheckPath(full, target.LexicalPath ?? full, target.Kind == TargetKind.Write),
        _ => null,
    };

    private PermissionRule? FirstMatch(RuleList list, PermissionCall call, Target target)
    {
        foreach (var rule in Policy.Rules)
        {
            if (rule.List == list && Applies(rule, call, target))
            {
                return rule;
            }
        }

        return null;
    }

    private bool Applies(PermissionRule rule, PermissionCall call, Target target)
    {
        var strict = rule.List == RuleList.Allow;
        var selected = rule.Target switch
        {
            RuleTarget.Shell => target.Kind == TargetKind.Command,
            RuleTarget.Read => target.Kind == TargetKind.Read,
            RuleTarget.Write => target.Kind == TargetKind.Write,
            RuleTarget.Fetch => target.Kind == TargetKind.Fetch,
            _ => !target.ViaRedirect && ToolNameMatches(rule.ToolName, call),
        };
        if (!selected)
        {
            return false;
        }

        if (rule.Specifier is not { } specifier)
        {
            return true;
        }

        if (strict && target.Dynamic)
        {
            return false;
        }

        return target.Kind switch
        {
            TargetKind.Command => ShellMatches(specifier, target, ignoreCase: !strict),
            TargetKind.Read or TargetKind.Write => PathMatches(specifier, target, strict),
            TargetKind.Fetch => specifier.StartsWith("domain:", StringComparison.OrdinalIgnoreCase)
                ? target.Host is { } host && DomainMatches(specifier["domain:".Length..], host)
                : Glob(specifier, target.Subject, ignoreCase: !strict),
            _ => target.ToolSubject is { } subject && Glob(specifier, subject, ignoreCase: !strict),
        };
    }

    private static bool ToolNameMatches(string pattern, PermissionCall call) =>
        Glob(pattern, call.Tool, ignoreCase: true) || (call.Plugin is { Length: > 0 } plugin && Glob(pattern, plugin + "/" + call.Tool, ignoreCase: true));

    /// <summary>
    /// Shell patterns: <c>*</c> matches any characters; a trailing <c>*</c>, <c> *</c> or <c>:*</c> means "then nothing, or a
    /// space and anything" — a word boundary, so <c>git status*</c> matches <c>git status -s</c> but not <c>git statusx</c>.
    /// </summary>
    internal static bool ShellMatches(string specifier, Target target, bool ignoreCase)
    {
        var line = target.Part?.CommandLine ?? target.Subject;
        if (ShellPatternMatches(specifier, line, ignoreCase))
        {
            return true;
        }

        // Deny and ask rules also see the command by its plain name: '/bin/rm -rf x' is 'rm -rf x'.
        return ignoreCase && target.Part is { Words.Count: > 0 } part && part.Words[0].Contains('/', StringComparison.Ordinal)
            && ShellPatternMatches(specifier, string.Join(' ', [Path.GetFileName(part.Words[0]), .. part.Words.Skip(1)]), ignoreCase);
    }

    internal static bool ShellPatternMatches(string specifier, string commandLine, bool ignoreCase)
    {
        var pattern = Regex.Replace(specifier.Trim(), @"\s+", " ");
        var boundary = false;
        if (pattern.EndsWith(":*", StringComparison.Ordinal))
        {
            pattern = pattern[..^2];
            boundary = true;
        }
        else if (pattern.EndsWith('*'))
        {
            pattern = pattern[..^1].TrimEnd();
            boundary = true;
        }

        if (boundary && pattern.Length == 0)
        {
            return true;
        }

        var body = string.Concat(pattern.Select(c => c == '*' ? ".*" : Regex.Escape(c.ToString())));
        var regex = "^" + body + (boundary ? "(?: .*)?" : string.Empty) + "$";
        var options = RegexOptions.CultureInvariant | RegexOptions.Singleline | (ignoreCase ? RegexOptions.IgnoreCase : RegexOptions.None);
        return Regex.IsMatch(Regex.Replace(commandLine.Trim(), @"[ \t]+", " "), regex, options, TimeSpan.FromSeconds(1));
    }

    private bool PathMatches(string specifier, Target target, bool strict)
    {
        if (target.FullPath is null)
        {
            // A path computed at run time: only deny/ask rules see its text.
            return !strict && Glob(specifier, target.Subject, ignoreCase: true);
        }

        var ignoreCase = !strict || FileSystemIgnoresCase;
        var pattern = _patterns.GetOrAdd((specifier, ignoreCase), key => PathPattern.Compile(key.Pattern, Root, Home, key.IgnoreCase));
        if (pattern.IsMatch(target.FullPath))
        {
            return true;
        }

        // Deny and ask rules also match the path as written (a symlink named like a denied folder) and plain names anywhere.
        return !strict && ((target.LexicalPath is { } lexical && pattern.IsMatch(lexical))
            || (pattern.MatchesAnywhere && (PathPattern.NameMatchesAnywhere(target.FullPath, specifier, true) || PathPattern.NameMatchesAnywhere(target.LexicalPath ?? target.FullPath, specifier, true))));
    }

    private static bool DomainMatches(string pattern, string host)
    {
        pattern = pattern.Trim().TrimEnd('.').ToLowerInvariant();
        host = host.TrimEnd('.').ToLowerInvariant();
        if (pattern == "*")
        {
            return true;
        }

        return pattern.StartsWith("*.", StringComparison.Ordinal)
            ? host.EndsWith(pattern[1..], StringComparison.Ordinal) && host.Length > pattern.Length - 1
            : host == pattern;
    }

    private static bool Glob(string pattern, string text, bool ignoreCase)
    {
        var regex = "^" + string.Concat(pattern.Select(c => c == '*' ? ".*" : Regex.Escape(c.ToString()))) + "$";
        return Regex.IsMatch(text, regex, RegexOptions.CultureInvariant | RegexOptions.Singleline | (ignoreCase ? RegexOptions.IgnoreCase : RegexOptions.None), TimeSpan.FromSeconds(1));
    }

    private string? Suggest(PermissionCall call, Target target)
    {
        switch (target.Kind)
        {
            case TargetKind.Command:
                if (target.Dynamic || target.Part is not { Words.Count: > 0 } part)
                {
                    return null;
                }

                var words = part.Words;
                var prefix = words.Count > 1 && IsSubcommand(words[1]) ? words[0] + " " + words[1] : words[0];
                var rest = words.Count > (prefix.Contains(' ', StringComparison.Ordinal) ? 2 : 1);
                return $"shell({prefix}{(rest ? " *" : string.Empty)})";
            case TargetKind.Read or TargetKind.Write:
                if (target.FullPath is not { } full)
                {
                    return null;
                }

                var verb = target.Kind == TargetKind.Write ? "write" : "read";
                if (IsInside(full, Root))
                {
                    return $"{verb}({Path.GetRelativePath(Root, full).Replace('\\', '/')})";
                }

                return IsInside(full, Home) ? $"{verb}(~/{Path.GetRelativePath(Home, full).Replace('\\', '/')})" : $"{verb}({full.Replace('\\', '/')})";
            case TargetKind.Fetch:
                return target.Host is { } host ? $"fetch(domain:{host})" : null;
            default:
                return Qualified(call);
        }
    }

    private static bool IsSubcommand(string word) =>
        word.Length > 0 && char.IsAsciiLetter(word[0]) && word.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or ':');

    private static string Qualified(PermissionCall call) => call.Plugin is { Length: > 0 } plugin ? $"{plugin}/{call.Tool}" : call.Tool;

    private string? ResolveWord(string word)
    {
        var expanded = Expand(word);
        if (HasExpansion(expanded))
        {
            return null;
        }

        try
        {
            return Path.GetFullPath(expanded, Root);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException)
        {
            return null;
        }
    }

    private string Expand(string path)
    {
        foreach (var home in new[] { "~", "$HOME", "${HOME}" })
        {
            if (path == home)
            {
                return Home;
            }

            if (path.StartsWith(home + "/", StringComparison.Ordinal) || path.StartsWith(home + "\\", StringComparison.Ordinal))
            {
                return Path.Combine(Home, path[(home.Length + 1)..]);
            }
        }

        return path;
    }

    private static bool HasExpansion(string text) => text.Contains('$', StringComparison.Ordinal) || text.Contains('`', StringComparison.Ordinal);

    private static bool IsNullDevice(string target) => target is "/dev/null" or "NUL" or "nul" or "/dev/stdout" or "/dev/stderr";

    private static bool IsPathLike(string? subject) =>
        subject is { Length: > 0 } && subject[0] is not ('{' or '[') && !subject.Contains('\n', StringComparison.Ordinal);

    private static string? HostOf(string subject)
    {
        if (Uri.TryCreate(subject, UriKind.Absolute, out var uri) && uri.Host.Length > 0)
        {
            return uri.IdnHost.ToLowerInvariant();
        }

        return Regex.IsMatch(subject, @"^[A-Za-z0-9.-]+$", RegexOptions.None, TimeSpan.FromSeconds(1)) ? subject.ToLowerInvariant() : null;
    }

    private static bool IsInside(string real, string root)
    {
        var comparison = FileSystemIgnoresCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        return real.Equals(root, comparison)
            || (real.StartsWith(root, comparison) && (real[root.Length] == Path.DirectorySeparatorChar || root.EndsWith(Path.DirectorySeparatorChar)));
    }

    internal enum TargetKind
    {
        Command,
        Read,
        Write,
        Fetch,
        Tool,
    }

    internal sealed record Target(TargetKind Kind, string Subject)
    {
        public ShellCommandPart? Part { get; init; }

        public string? FullPath { get; init; }

        public string? LexicalPath { get; init; }

        public bool Outside { get; init; }

        public bool Dynamic { get; init; }

        public bool ViaRedirect { get; init; }

        public string? Host { get; init; }

        public string? ToolSubject { get; init; }

        public string? Unparsed { get; init; }

        public ToolEffect Effect { get; init; }

        public string KindName => Kind switch
        {
            TargetKind.Command => "command",
            TargetKind.Read => "read",
            TargetKind.Write => "write",
            TargetKind.Fetch => "fetch",
            _ => "tool",
        };

        public string Display => FullPath is { } full && !string.Equals(full, Subject, StringComparison.Ordinal) ? $"{Subject} ({full})" : Subject;
    }
}
