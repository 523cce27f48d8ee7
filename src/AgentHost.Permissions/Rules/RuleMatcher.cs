using System.Collections.Concurrent;
using AgentHost.Permissions.Paths;

namespace AgentHost.Permissions.Rules;

/// <summary>
/// Rule matching: which rule of a list (deny, ask, allow) applies to a target, with the tool-name, shell-command,
/// path and domain patterns of the rule language (see docs/permissions.md).
/// </summary>
/// <remarks>
/// Deny and ask rules match paths and command names ignoring case, and any reading of a path (so case, separator and
/// link tricks cannot dodge them); allow rules ignore case only where the file system does (Windows, macOS), must match
/// every real path a call may touch, and never match a word known only at run time except with a <c>*</c>. Thread-safe
/// (compiled path patterns are cached per matcher).
/// </remarks>
internal sealed class RuleMatcher
{
    /// <summary>Stands for a word known only at run time in the line allow rules see: only a <c>*</c> matches it.</summary>
    private const string RunTimeWord = "\uFFFF";

    private readonly IReadOnlyList<PermissionRule> _rules;
    private readonly string _root;
    private readonly string _home;
    private readonly ConcurrentDictionary<string, SpecifierPatterns> _patterns = new(StringComparer.Ordinal);

    /// <summary>Creates a matcher.</summary>
    /// <param name="rules">The rules, in order (the first that applies wins).</param>
    /// <param name="root">The real path of the workspace root (relative path patterns are below it).</param>
    /// <param name="home">The real path of the home directory (for <c>~/</c> patterns).</param>
    public RuleMatcher(IReadOnlyList<PermissionRule> rules, string root, string home)
    {
        _rules = rules;
        _root = root;
        _home = home;
    }

    /// <summary>The first rule of <paramref name="list"/> that applies, or <see langword="null"/>.</summary>
    public PermissionRule? FirstMatch(RuleList list, PermissionCall call, Target target)
    {
        foreach (var rule in _rules)
        {
            if (rule.List == list && Applies(rule, call, target))
            {
                return rule;
            }
        }

        return null;
    }

    /// <summary>Whether a rule applies to a target of a call (the rule's list sets how strictly it matches).</summary>
    public bool Applies(PermissionRule rule, PermissionCall call, Target target)
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
        if (!selected || (strict && target.Unparsed is not null && target.Kind == TargetKind.Command))
        {
            // A line the parser does not understand is decided as its most dangerous reading: no allow rule, not even a bare 'shell', allows it.
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
            TargetKind.Command => strict && rule.Anchor is { } anchor && target.Part is { Words.Count: > 0 } part
                ? ShellPatternMatches(AnchoredPattern(specifier), AnchoredAllowLine(part, anchor, target.BaseDirectory, _home), ignoreCase: false)
                : ShellMatches(specifier, target, strict),
            TargetKind.Read or TargetKind.Write => PathMatches(specifier, target, strict),
            TargetKind.Fetch => specifier.StartsWith("domain:", StringComparison.OrdinalIgnoreCase)
                ? target.Host is { } host && DomainMatches(specifier["domain:".Length..], host)
                : Wildcard.IsMatch(specifier, target.Subject, ignoreCase: !strict),
            _ => target.ToolSubject is { } subject && Wildcard.IsMatch(specifier, subject, ignoreCase: !strict),
        };
    }

    internal static bool ToolNameMatches(string pattern, PermissionCall call) =>
        Wildcard.IsMatch(pattern, call.Tool, ignoreCase: true) || (call.Plugin is { Length: > 0 } plugin && Wildcard.IsMatch(pattern, plugin + "/" + call.Tool, ignoreCase: true));

    /// <summary>
    /// Shell patterns: <c>*</c> matches any characters; a trailing <c>*</c>, <c> *</c> or <c>:*</c> means "then nothing, or a
    /// space and anything" — a word boundary, so <c>git status*</c> matches <c>git status -s</c> but not <c>git statusx</c> —
    /// except after a <c>/</c>: <c>python3 scripts/*</c> matches <c>python3 scripts/x.py --fast</c>.
    /// Allow rules match the command with its <see cref="ShellCommandPart.Qualifiers"/>; words known only at run time
    /// (and the arguments <c>xargs</c> appends) can only be matched by a <c>*</c>, and a word containing spaces only as a
    /// whole. Deny and ask rules ignore case and match the command as it runs, by its plain name, and from each wrapper on.
    /// </summary>
    internal static bool ShellMatches(string specifier, Target target, bool strict)
    {
        if (target.Part is not { Words.Count: > 0 } part)
        {
            return ShellPatternMatches(specifier, target.Subject, ignoreCase: !strict);
        }

        return strict
            ? ShellPatternMatches(specifier, AllowLine(part), ignoreCase: false)
            : DenyLines(part).Any(line => ShellPatternMatches(specifier, line, ignoreCase: true));
    }

    internal static bool ShellPatternMatches(string specifier, string commandLine, bool ignoreCase)
    {
        var pattern = ShellPatternText(specifier, out var boundary);
        if (boundary && pattern.Length == 0)
        {
            return true; // '*' matches everything
        }

        var line = Wildcard.CollapseBlanks(commandLine);
        return Wildcard.IsMatch(pattern, line, ignoreCase)
            || (boundary && line.Length > pattern.Length && line[pattern.Length] == ' ' && Wildcard.IsMatch(pattern + " *", line, ignoreCase));
    }

    private static string ShellPatternText(string specifier, out bool boundary)
    {
        var pattern = string.Join(' ', specifier.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        boundary = false;
        if (pattern.EndsWith(":*", StringComparison.Ordinal))
        {
            boundary = true;
            return pattern[..^2];
        }

        // 'scripts/*' is a path: its '*' matches the rest of the path (and the arguments after it), not a word boundary.
        if (pattern.EndsWith('*') && pattern.TrimEnd('*').EndsWith('/'))
        {
            return pattern;
        }

        if (pattern.EndsWith('*'))
        {
            boundary = true;
            return pattern[..^1].TrimEnd();
        }

        return pattern;
    }

    /// <summary>What allow rules see: qualifiers and words, run-time words as a character no pattern spells, spaced words quoted.</summary>
    private static string AllowLine(ShellCommandPart part)
    {
        var words = part.Qualifiers.Select(RenderWord).Concat(part.Words.Select((word, index) => part.ExpandedWords.Contains(index) ? RunTimeWord : RenderWord(word)));
        return string.Join(' ', part.AppendsArguments ? words.Append(RunTimeWord) : words);
    }

    /// <summary>
    /// What an anchored allow rule (a skill's <c>allowed-tools</c>) sees: <see cref="AllowLine"/>, with each written word
    /// that is a path — it holds a <c>/</c>, is not an option, and is spelled as a path (<c>/</c>, <c>./</c>, <c>../</c>)
    /// or names a place in an existing folder of the anchor or of where the command runs — resolved against the directory the
    /// command runs in: relative to the anchor (without <c>./</c>) when inside it, else absolute. A relative path whose
    /// directory is known only at run time is a run-time word. <c>~/</c> is the home directory, as the shell expands it
    /// (a user-level skill's script called as <c>python3 ~/.agents/skills/x/scripts/run.py</c>).
    /// </summary>
    internal static string AnchoredAllowLine(ShellCommandPart part, string anchor, string? baseDirectory, string home)
    {
        var realAnchor = PathSandbox.RealPathOrSelf(Path.GetFullPath(anchor));
        var words = part.Words.Select((word, index) => part.ExpandedWords.Contains(index) ? RunTimeWord
            : RenderWord(AnchoredWord(word.StartsWith("~/", StringComparison.Ordinal) ? Path.Combine(home, word[2..]) : word, realAnchor, baseDirectory)));
        words = part.Qualifiers.Select(RenderWord).Concat(words);
        return string.Join(' ', part.AppendsArguments ? words.Append(RunTimeWord) : words);
    }

    private static string AnchoredWord(string word, string anchor, string? baseDirectory)
    {
        if (!word.Contains('/', StringComparison.Ordinal) || word.StartsWith('-') || word.Contains("://", StringComparison.Ordinal))
        {
            return word;
        }

        // A word is a path when it is spelled as one or names a place in an existing folder (of the skill, or where the
        // command runs); other words with a '/' ('origin/main') are compared as written.
        var spelledAsPath = Path.IsPathRooted(word) || word.StartsWith("./", StringComparison.Ordinal) || word.StartsWith("../", StringComparison.Ordinal);
        if (baseDirectory is null)
        {
            return spelledAsPath || Exists(word, anchor) ? (Path.IsPathRooted(word) ? Relative(PathSandbox.RealPathOrSelf(word), anchor) : RunTimeWord) : word;
        }

        string full;
        try
        {
            full = PathSandbox.RealPathOrSelf(Path.GetFullPath(word, baseDirectory));
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or IOException)
        {
            return RunTimeWord;
        }

        return spelledAsPath || Exists(word, anchor) || Exists(full, baseDirectory) ? Relative(full, anchor) : word;
    }

    /// <summary>An anchored pattern's words as the anchored line spells paths: <c>./scripts/x.sh</c> is <c>scripts/x.sh</c>.</summary>
    private static string AnchoredPattern(string specifier) =>
        string.Join(' ', specifier.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(word => word.StartsWith("./", StringComparison.Ordinal) && word.Length > 2 ? word[2..] : word));

    /// <summary>Whether the path, or the folder it would be in, exists (<c>scripts/new.py</c> names a place in <c>scripts/</c>).</summary>
    private static bool Exists(string word, string directory)
    {
        try
        {
            var full = Path.GetFullPath(word, directory);
            return File.Exists(full) || Directory.Exists(full) || (Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(full)) is { } parent && Directory.Exists(parent));
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or IOException)
        {
            return false;
        }
    }

    private static string Relative(string full, string anchor)
    {
        return PathSandbox.IsInside(full, anchor) && full.Length > anchor.Length
            ? Path.GetRelativePath(anchor, full).Replace('\\', '/')
            : full.Replace('\\', '/');
    }

    /// <summary>A word as allow rules see it: quoted when empty or when it contains spaces or quotes, so it cannot pose as several words.</summary>
    internal static string RenderWord(string word) =>
        word.Length == 0 || word.Any(char.IsWhiteSpace) || word.Contains('\'', StringComparison.Ordinal) ? "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'" : word;

    /// <summary>What deny and ask rules see: the command, by its plain name too, and from each looked-through word on (<c>sudo rm …</c>).</summary>
    private static IEnumerable<string> DenyLines(ShellCommandPart part)
    {
        for (var start = 0; start <= part.Prefix.Count; start++)
        {
            List<string> words = [.. part.Prefix.Skip(start), .. part.Words];
            if (start < part.Prefix.Count && part.Prefix[start].StartsWith('-'))
            {
                continue;
            }

            yield return string.Join(' ', words);
            if (words[0].Contains('/', StringComparison.Ordinal))
            {
                yield return string.Join(' ', [Path.GetFileName(words[0]), .. words.Skip(1)]);
            }
        }
    }

    /// <summary>A deny or ask shell rule that may match once the shell expands the command's run-time words, or <see langword="null"/>.</summary>
    public PermissionRule? UncertainShellRule(Target target)
    {
        if (target.Kind != TargetKind.Command || target.Part is not { Words.Count: > 0 } part || (part.ExpandedWords.Count == 0 && !part.IsDynamic && !part.AppendsArguments))
        {
            return null;
        }

        // The arguments xargs appends are words known only at run time, after the last written one.
        var known = part.IsDynamic ? 0 : part.ExpandedWords.Count > 0 ? part.ExpandedWords.Min() : part.Words.Count;
        string[] prefixes = known == 0 ? [string.Empty] : [string.Join(' ', part.Words.Take(known)) + " ", string.Join(' ', [Path.GetFileName(part.Words[0]), .. part.Words.Skip(1).Take(known - 1)]) + " "];
        foreach (var rule in _rules)
        {
            if (rule is { List: RuleList.Deny or RuleList.Ask, Target: RuleTarget.Shell, Specifier: { } specifier })
            {
                var head = ShellPatternText(specifier, out _);
                head = head.Contains('*', StringComparison.Ordinal) ? head[..head.IndexOf('*', StringComparison.Ordinal)] : head;
                if (prefixes.Any(prefix => prefix.StartsWith(head, StringComparison.OrdinalIgnoreCase) || head.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)))
                {
                    return rule;
                }
            }
        }

        return null;
    }

    private bool PathMatches(string specifier, Target target, bool strict)
    {
        if (strict)
        {
            // Allow rules: every place the call may touch (each spelling, resolved as tools and as the kernel do) must match.
            var allow = Patterns(specifier).Allow;
            return target.RealPaths.Count > 0 && target.RealPaths.All(path => allow.IsMatch(path));
        }

        // Deny and ask rules: any spelling, real or as written, ignoring case; '[…]' also read literally; plain names anywhere.
        var (pattern, literal, anywhere) = Patterns(specifier).Deny;
        for (var i = 0; i < target.RealPaths.Count + target.LexicalPaths.Count; i++)
        {
            var path = i < target.RealPaths.Count ? target.RealPaths[i] : target.LexicalPaths[i - target.RealPaths.Count];
            if (i >= target.RealPaths.Count && Contains(target.RealPaths, path))
            {
                continue; // a spelling that is also a real path (no link on the way) was just checked
            }

            if (pattern.IsMatch(path, onTimeout: true) || literal?.IsMatch(path, onTimeout: true) == true || anywhere?.IsMatch(path, onTimeout: true) == true)
            {
                return true;
            }
        }

        // A path computed at run time: its text.
        return target.FullPath is null && Wildcard.IsMatch(specifier, target.Subject, ignoreCase: true);
    }

    private static bool Contains(IReadOnlyList<string> paths, string path)
    {
        for (var i = 0; i < paths.Count; i++)
        {
            if (string.Equals(paths[i], path, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The compiled patterns of a rule's path specifier, compiled once per matcher (on first use, not per path).</summary>
    private SpecifierPatterns Patterns(string specifier) =>
        _patterns.TryGetValue(specifier, out var known) ? known : _patterns.GetOrAdd(specifier, new SpecifierPatterns(specifier, _root, _home));

    /// <summary>
    /// The patterns of one path specifier: for allow rules its reading with the file system's case; for deny and ask
    /// rules its reading without case, its literal reading when it has a <c>[…]</c> class, and its reading anywhere
    /// (outside the root too) when it is a plain name. Each is compiled on first use; thread-safe (two threads may
    /// compile the same pattern, and either copy answers alike).
    /// </summary>
    private sealed class SpecifierPatterns(string specifier, string root, string home)
    {
        private PathPattern? _allow;
        private DenyPatterns? _deny;

        public PathPattern Allow => _allow ??= PathPattern.Compile(specifier, root, home, PathSandbox.FileSystemIgnoresCase, classes: true);

        public DenyPatterns Deny => _deny ??= DenyPatterns.Compile(specifier, root, home);
    }

    /// <summary>A deny or ask specifier without case: as a pattern, literally (brackets as text, when it has a class), and anywhere (a plain name).</summary>
    private sealed record DenyPatterns(PathPattern Pattern, PathPattern? Literal, PathPattern? Anywhere)
    {
        public static DenyPatterns Compile(string specifier, string root, string home)
        {
            var pattern = PathPattern.Compile(specifier, root, home, ignoreCase: true, classes: true);
            return new(
                pattern,
                pattern.HasClasses ? PathPattern.Compile(specifier, root, home, ignoreCase: true, classes: false) : null,
                pattern.MatchesAnywhere ? PathPattern.Compile(specifier, "/", "/", ignoreCase: true, classes: true) : null);
        }
    }

    internal static bool DomainMatches(string pattern, string host)
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
}
