namespace AgentHost.Kernel.Permissions;

// Protected paths (see docs/permissions.md, "Protected paths"): a write to the agent's configuration, a skill folder or
// a git hook folder asks a person whatever the mode, allow rules or session grants say (and is denied where nobody can
// be asked). Only a deny (rule or safety floor) comes first; only an explicit allow rule from the user's own global
// configuration file pre-approves it.
public sealed partial class PermissionEngine
{
    private const int MaxGitConfigBytes = 1024 * 1024;

    /// <summary>Folder names that mark a project skill root when followed by <c>skills</c> (or written themselves).</summary>
    private static readonly string[] SkillParents = [".agents", ".claude"];

    private readonly ProtectedPaths _protected;
    private readonly string? _hooksPath;

    /// <summary>Why a write to the target is protected, and the protected place, or <see langword="null"/>.</summary>
    private (string Reason, string Area)? Protection(Target target)
    {
        if (target.Kind != TargetKind.Write)
        {
            return null;
        }

        foreach (var path in target.RealPaths.Concat(target.LexicalPaths))
        {
            if (Protection(path) is { } found)
            {
                return found;
            }
        }

        if (target.FullPath is null)
        {
            // Computed at run time ('$D/.agent/config.yaml'): the names that can be read in it.
            var text = Expand(target.Subject).Replace('\\', '/');
            return SegmentProtection(text.Split('/', StringSplitOptions.RemoveEmptyEntries), Root);
        }

        return null;
    }

    private (string Reason, string Area)? Protection(string fullPath)
    {
        var path = Path.TrimEndingDirectorySeparator(fullPath);
        if (string.Equals(path, Root, FileSystemIgnoresCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal))
        {
            return ("agent configuration (the folder holds the project's .agent/ configuration)", Path.Combine(Root, ".agent"));
        }

        var inside = IsInside(path, Root);
        var relative = inside ? path[Root.Length..] : path[(Path.GetPathRoot(path)?.Length ?? 0)..];
        var start = inside ? Root : Path.GetPathRoot(path) ?? string.Empty;
        if (SegmentProtection(relative.Split(Separators, StringSplitOptions.RemoveEmptyEntries), start) is { } bySegment)
        {
            return bySegment;
        }

        if (_hooksPath is { } hooks && (IsInside(path, hooks) || IsInside(hooks, path)))
        {
            return ($"git hooks (the folder core.hooksPath names in .git/config: {hooks})", hooks);
        }

        foreach (var area in _protected.Areas)
        {
            // A folder above a protected place counts too (moving a folder there could create it), up to the home directory.
            if (IsInside(path, area.Path) || (IsInside(area.Path, path) && IsInside(path, Home) && !IsInside(Home, path)))
            {
                return (area.Reason, area.Path);
            }
        }

        return null;
    }

    /// <summary><c>.agent/…</c>, <c>.agents/skills/…</c>, <c>.claude/skills/…</c>, <c>.husky/…</c> anywhere below <paramref name="start"/>.</summary>
    private static (string Reason, string Area)? SegmentProtection(string[] segments, string start)
    {
        var area = start;
        for (var i = 0; i < segments.Length; i++)
        {
            var segment = segments[i];
            area = Path.Combine(area, segment);
            if (segment.Equals(".agent", StringComparison.OrdinalIgnoreCase))
            {
                return ("agent configuration (.agent/)", area);
            }

            if (SkillParents.Any(name => segment.Equals(name, StringComparison.OrdinalIgnoreCase))
                && (i == segments.Length - 1 || segments[i + 1].Equals("skills", StringComparison.OrdinalIgnoreCase)))
            {
                return ("skills (a project skill folder)", i == segments.Length - 1 ? area : Path.Combine(area, segments[i + 1]));
            }

            if (segment.Equals(".husky", StringComparison.OrdinalIgnoreCase))
            {
                return ("git hooks (.husky/)", area);
            }
        }

        return null;
    }

    /// <summary>The decision for a write to a protected place, or <see langword="null"/> when the target is not one.</summary>
    private PermissionDecision? DecideProtected(PermissionCall call, Target target, PermissionMode mode)
    {
        if (Protection(target) is not { } found)
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
        if (_protected.GlobalConfigDirectory is not { } global)
        {
            return null;
        }

        var folder = Path.TrimEndingDirectorySeparator(Path.GetFullPath(global));
        foreach (var rule in Policy.Rules)
        {
            if (rule is not { List: RuleList.Allow, Target: RuleTarget.Write, Specifier: { } specifier, File: { } file }
                || !IsInside(Path.GetFullPath(file), folder)
                || !Applies(rule, call, target))
            {
                continue;
            }

            var wildcard = specifier.IndexOfAny(['*', '?', '[', '{']);
            var literal = (wildcard < 0 ? specifier : specifier[..wildcard]).Replace('\\', '/');
            if (literal.Trim('/').Length == 0)
            {
                continue;
            }

            var named = Path.TrimEndingDirectorySeparator(Path.GetFullPath(Expand(literal.StartsWith("//", StringComparison.Ordinal) ? literal[1..] : literal), Root));
            if (IsInside(named, area) || IsInside(named, WorkspacePathsRealPath(area)))
            {
                return rule;
            }
        }

        return null;
    }

    private static string WorkspacePathsRealPath(string path)
    {
        try
        {
            return RealPath(path, lexicalLinks: true);
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or UnauthorizedAccessException)
        {
            return path;
        }
    }

    /// <summary>
    /// The folder <c>core.hooksPath</c> names in the repository's <c>.git/config</c> (read as text; git is not run),
    /// or <see langword="null"/>. Relative values are relative to the working tree; <c>~/</c> is the home directory.
    /// </summary>
    internal static string? ReadHooksPath(string root, string home)
    {
        try
        {
            for (var directory = root; directory is not null; directory = Path.GetDirectoryName(directory))
            {
                var dotGit = Path.Combine(directory, ".git");
                var gitDirectory = Directory.Exists(dotGit) ? dotGit : File.Exists(dotGit) ? LinkedGitDirectory(dotGit, directory) : null;
                if (gitDirectory is null)
                {
                    continue;
                }

                var commonFile = Path.Combine(gitDirectory, "commondir");
                var common = File.Exists(commonFile) ? Path.GetFullPath(File.ReadAllText(commonFile).Trim(), gitDirectory) : gitDirectory;
                var value = HooksPathValue(Path.Combine(common, "config"));
                if (value is null)
                {
                    return null;
                }

                var expanded = value == "~" ? home : value.StartsWith("~/", StringComparison.Ordinal) ? Path.Combine(home, value[2..]) : value;
                var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(expanded, directory));
                return WorkspacePathsRealPath(full);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            // An unreadable repository has no hooks folder we can name; .git/hooks stays under the safety floor.
        }

        return null;
    }

    private static string? LinkedGitDirectory(string dotGitFile, string directory)
    {
        var text = File.ReadAllText(dotGitFile).Trim();
        return text.StartsWith("gitdir:", StringComparison.OrdinalIgnoreCase) ? Path.GetFullPath(text["gitdir:".Length..].Trim(), directory) : null;
    }

    /// <summary>The last <c>hooksPath</c> of the <c>[core]</c> section (git's "last one wins"), unquoted.</summary>
    private static string? HooksPathValue(string configFile)
    {
        var info = new FileInfo(configFile);
        if (!info.Exists || info.Length > MaxGitConfigBytes)
        {
            return null;
        }

        string? value = null;
        var inCore = false;
        foreach (var raw in File.ReadLines(configFile))
        {
            var line = raw.Trim();
            if (line.StartsWith('['))
            {
                var end = line.IndexOf(']', StringComparison.Ordinal);
                var section = end < 0 ? line[1..] : line[1..end];
                inCore = section.Trim().Equals("core", StringComparison.OrdinalIgnoreCase);
                line = end < 0 ? string.Empty : line[(end + 1)..].Trim();
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (!inCore || equals < 0 || !line[..equals].Trim().Equals("hooksPath", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            value = ConfigValue(line[(equals + 1)..]);
        }

        return value is { Length: > 0 } ? value : null;
    }

    private static string ConfigValue(string text)
    {
        var result = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (!quoted && c is '#' or ';')
            {
                break;
            }
            else if (c == '\\' && i + 1 < text.Length)
            {
                result.Append(text[++i] switch { 'n' => '\n', 't' => '\t', var other => other });
            }
            else
            {
                result.Append(c);
            }
        }

        return result.ToString().Trim();
    }
}
