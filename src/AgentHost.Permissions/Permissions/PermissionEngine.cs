using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using AgentHost.Sdk.Tools;

namespace AgentHost.Kernel.Permissions;

/// <summary>
/// Decides tool calls from rules and a mode: safety floor, then deny rules, then ask rules, then allow rules, then
/// the mode's default. Shell command lines are split into parts (every part and every redirection must be allowed);
/// paths are resolved like <see cref="WorkspacePaths"/> (<c>..</c> and symbolic links) and as the kernel resolves
/// them, with <c>\</c> as a separator on every OS, before rules and the sandbox check see them: a path is inside the
/// sandbox, or allowed by a rule, only if every reading of it is.
/// </summary>
/// <remarks>
/// Thread-safe; pure apart from reading the file system to resolve symbolic links and expand globs. Deny and ask rules
/// match paths and command names ignoring case, and any reading of a path (so case, separator and link tricks cannot
/// dodge them); allow rules ignore case only where the file system does (Windows, macOS).
/// </remarks>
public sealed partial class PermissionEngine
{
    private static readonly bool FileSystemIgnoresCase = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS();

    private readonly SafetyFloor _floor;
    private readonly string[] _sandbox;
    private readonly ConcurrentDictionary<(string Pattern, bool IgnoreCase, bool Classes, bool Anywhere), PathPattern> _patterns = new();

    /// <summary>Creates an engine.</summary>
    /// <param name="policy">The rules and settings.</param>
    /// <param name="workspaceRoot">The project root (the sandbox root).</param>
    /// <param name="homeDirectory">The user's home directory, for <c>~/</c>.</param>
    /// <param name="extraDirectories">More directories inside the sandbox, besides <see cref="PermissionPolicy.ExtraDirectories"/>.</param>
    /// <param name="protectedPaths">The user's protected places; <see cref="ProtectedPaths.Default"/> of the home directory when <see langword="null"/>.</param>
    public PermissionEngine(PermissionPolicy policy, string workspaceRoot, string homeDirectory, IEnumerable<string>? extraDirectories = null, ProtectedPaths? protectedPaths = null)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentException.ThrowIfNullOrWhiteSpace(workspaceRoot);
        ArgumentException.ThrowIfNullOrWhiteSpace(homeDirectory);
        Policy = policy;
        Root = WorkspacePaths.RealPath(Path.GetFullPath(workspaceRoot));
        Home = WorkspacePaths.RealPath(Path.GetFullPath(homeDirectory));
        _floor = new SafetyFloor(Home);
        _protected = protectedPaths ?? ProtectedPaths.Default(Home);
        _hooksPath = ReadHooksPath(Root, Home);
        _sandbox = [Root, .. policy.ExtraDirectories.Concat(extraDirectories ?? []).Select(directory => WorkspacePaths.RealPath(Path.GetFullPath(Expand(directory), Root)))];
    }

    /// <summary>The rules and settings.</summary>
    public PermissionPolicy Policy { get; }

    /// <summary>The real path of the sandbox root.</summary>
    public string Root { get; }

    /// <summary>The real path of the home directory.</summary>
    public string Home { get; }

    /// <summary>The user's protected places (the project's are found from <see cref="Root"/>).</summary>
    public ProtectedPaths ProtectedPaths => _protected;

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
        if (call.Paths.Count == 0)
        {
            return DecideTarget(call, target, mode);
        }

        // Every path the call declares is decided too (a move's destination, a download's file): the strictest wins.
        List<Target> targets = [target];
        foreach (var path in call.Paths)
        {
            var kind = (path.Effect & ToolEffect.Write) != 0 ? TargetKind.Write : TargetKind.Read;
            var dynamic = HasExpansion(path.Path) && path.Path.Contains('$', StringComparison.Ordinal);
            targets.Add(IsPathLike(path.Path) ? PathTarget(kind, path.Path, dynamic, Root) : new Target(kind, path.Path) { Dynamic = true, Outside = true, Invalid = "the path is empty or not a path" });
        }

        return Combine(targets.Select(each => DecideTarget(call, each, mode)).ToList(), call.Subject ?? Qualified(call));
    }

    /// <summary>The strictest verdict; among equals, what the user most needs to read: a deny rule or the floor, then a protected path, then the first.</summary>
    private static PermissionDecision Worst(List<PermissionDecision> decisions) =>
        decisions.OrderBy(d => d.Verdict switch { Verdict.Deny => 0, Verdict.Ask => 1, _ => 2 })
            .ThenBy(d => d.Basis switch { DecisionBasis.Rule or DecisionBasis.SafetyFloor when d.Verdict == Verdict.Deny => 0, DecisionBasis.Protected => 1, _ => 2 })
            .First();

    /// <summary>One decision for several targets: the first deny, else the first ask, else the first decision; each target is a part.</summary>
    private static PermissionDecision Combine(List<PermissionDecision> decisions, string subject)
    {
        var worst = Worst(decisions);
        var blocked = decisions.Any(d => (d.Verdict == Verdict.Deny && d.Basis is DecisionBasis.Rule or DecisionBasis.SafetyFloor) || d.Basis == DecisionBasis.Protected);
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
        var targets = new List<Target>();
        if (parsed.Error is not null)
        {
            targets.Add(new Target(TargetKind.Command, call.Subject!.Trim()) { Unparsed = parsed.Error, Dynamic = true });
        }
        else
        {
            // Relative paths are resolved against the working directory the line has reached: 'cd /etc && echo x > passwd'.
            var directory = StartDirectory(call);
            var searchPath = call.Subject!.Contains("CDPATH", StringComparison.Ordinal);
            foreach (var part in parsed.Parts)
            {
                if (ChangeDirectoryTarget(part, directory, searchPath) is { } into)
                {
                    // 'cd src' inside the sandbox only moves: decided like reading that folder; what follows is decided on its own.
                    targets.Add(into);
                }
                else if (part.Words.Count > 0)
                {
                    targets.Add(new Target(TargetKind.Command, part.CommandLine) { Part = part, Dynamic = part.IsDynamic, BaseDirectory = directory });
                    targets.AddRange(ProtectedArgumentTargets(part, directory));
                }

                foreach (var redirect in part.Redirects)
                {
                    if (redirect.IsWrite && IsNullDevice(redirect.Target))
                    {
                        continue;
                    }

                    // $HOME and ~ are known; other expansions, ~user and unquoted globs are only known at run time.
                    var kind = redirect.IsWrite ? TargetKind.Write : TargetKind.Read;
                    var target = redirect.IsGlob ? GlobTarget(kind, redirect.Target, directory) : PathTarget(kind, redirect.Target, dynamic: false, directory);
                    targets.Add(target with { ViaRedirect = true });
                }

                directory = NextDirectory(part, directory, searchPath);
            }

            if (targets.Count == 0)
            {
                targets.Add(new Target(TargetKind.Command, call.Subject!.Trim()));
            }
        }

        var decisions = targets.Select(target => DecideTarget(call, target, mode)).ToList();
        var worst = Worst(decisions);
        if (decisions.Count == 1)
        {
            return worst with { Parts = targets[0].Part is null && parsed.Error is null ? [] : decisions };
        }

        var blocked = decisions.Any(d => (d.Verdict == Verdict.Deny && d.Basis is DecisionBasis.Rule or DecisionBasis.SafetyFloor) || d.Basis == DecisionBasis.Protected);
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
            return PathTarget(kind, subject!, HasExpansion(subject!) && subject!.Contains('$', StringComparison.Ordinal), Root);
        }

        return new Target(TargetKind.Tool, Qualified(call)) { Effect = call.Effect, ToolSubject = subject };
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
            SuggestedRules = decision.Verdict == Verdict.Allow || decision.Basis is DecisionBasis.SafetyFloor or DecisionBasis.Unparsed or DecisionBasis.Protected || decision.MatchedRule?.List == RuleList.Deny
                ? []
                : Suggest(call, target) is { } rule ? [rule] : [],
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
}
