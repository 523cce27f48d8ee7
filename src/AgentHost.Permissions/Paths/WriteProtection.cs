using AgentHost.Hosting;

namespace AgentHost.Permissions.Paths;

/// <summary>
/// The protected places of the path sandbox (see docs/permissions.md, "Protected paths"): the agent's configuration
/// (<c>.agent/</c>), skill folders (<see cref="ProjectSkillFolders"/>), git hooks (<c>.husky/</c>, the folder
/// <c>core.hooksPath</c> names) anywhere, and the user's <see cref="ProtectedPaths"/>. Immutable.
/// </summary>
/// <param name="root">The real path of the sandbox root.</param>
/// <param name="home">The real path of the home directory.</param>
/// <param name="protectedPaths">The user's protected places.</param>
/// <param name="hooksPath">The folder <c>core.hooksPath</c> names, or <see langword="null"/>.</param>
/// <param name="expand">Expands <c>~</c> and <c>$HOME</c> in a path as written (<see cref="PathSandbox.Expand"/>).</param>
internal sealed class WriteProtection(string root, string home, ProtectedPaths protectedPaths, string? hooksPath, Func<string, string> expand)
{
    private static readonly char[] Separators = [Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar];

    private readonly string _root = root;
    private readonly string _home = home;
    private readonly ProtectedPaths _protectedPaths = protectedPaths;
    private readonly string? _hooksPath = hooksPath;
    private readonly Func<string, string> _expand = expand;

    /// <summary>The protected places as a word computed at run time may spell them (<see cref="ComputedPath"/>), each with its reason.</summary>
    private readonly (ProtectedPlace Place, string Reason)[] _places = Places(home, protectedPaths, hooksPath);

    /// <summary>Why a write to the target is protected, and the protected place, or <see langword="null"/>.</summary>
    public (string Reason, string Area)? Of(Target target)
    {
        if (target.Kind != TargetKind.Write)
        {
            return null;
        }

        foreach (var path in target.RealPaths.Concat(target.LexicalPaths))
        {
            if (Of(path) is { } found)
            {
                return found;
            }
        }

        if (target.FullPath is null)
        {
            // Computed at run time ('$D/.agent/config.yaml'): the names that can be read in it.
            var text = _expand(target.Subject).Replace('\\', '/');
            if (SegmentProtection(text.Split('/', StringSplitOptions.RemoveEmptyEntries), _root) is { } named)
            {
                return named;
            }
        }

        // '.ag${X}ent/config.yaml', '.claude/sk*/x': a value of the computed parts could spell a protected place.
        // Glob characters count only in shell words (a redirection, a writing command's operand); a file tool writes the name as given.
        return ComputedPath.Parse(target.Subject, _home, target.BaseDirectory, globs: target.ViaRedirect) is { } computed
            && _places.FirstOrDefault(place => computed.CouldSpell(place.Place)) is { Place: not null } spelled
            ? ($"{spelled.Reason}; '{target.Subject}' may name it (it is computed at run time)", Area(spelled.Place))
            : null;
    }

    /// <summary>The place a computed write may reach, as a folder for <c>GlobalExplicitAllow</c>: below the root for a name found anywhere.</summary>
    private string Area(ProtectedPlace place) => Path.IsPathRooted(place.Area) ? place.Area : Path.Combine(_root, place.Area);

    private static (ProtectedPlace Place, string Reason)[] Places(string home, ProtectedPaths protectedPaths, string? hooksPath)
    {
        List<(ProtectedPlace, string)> places =
        [
            (ProtectedPlace.Anywhere(".agent", andBelow: true), "agent configuration (.agent/)"),
            .. ProjectSkillFolders.All.Select(folder => (ProtectedPlace.Anywhere(folder, andBelow: true), "skills (a project skill folder)")),
            .. ProjectSkillFolders.Parents.Distinct(StringComparer.OrdinalIgnoreCase).Select(parent => (ProtectedPlace.Anywhere(parent, andBelow: false), "skills (a project skill folder)")),
            (ProtectedPlace.Anywhere(".husky", andBelow: true), "git hooks (.husky/)"),
        ];
        if (hooksPath is not null)
        {
            places.Add((ProtectedPlace.Folder(hooksPath, home, andBelow: true), $"git hooks (the folder core.hooksPath names in .git/config: {hooksPath})"));
        }

        foreach (var area in protectedPaths.Areas)
        {
            places.Add((ProtectedPlace.Folder(area.Path, home, andBelow: true), area.Reason));
            for (var above = Path.GetDirectoryName(area.Path); above is not null && PathSandbox.IsInside(above, home) && !PathSandbox.IsInside(home, above); above = Path.GetDirectoryName(above))
            {
                places.Add((ProtectedPlace.Folder(above, home, andBelow: false), area.Reason));
            }
        }

        return [.. places];
    }

    private (string Reason, string Area)? Of(string fullPath)
    {
        var path = Path.TrimEndingDirectorySeparator(fullPath);
        if (string.Equals(path, _root, PathSandbox.FileSystemIgnoresCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal))
        {
            return ("agent configuration (the folder holds the project's .agent/ configuration)", Path.Combine(_root, ".agent"));
        }

        var inside = PathSandbox.IsInside(path, _root);
        var relative = inside ? path[_root.Length..] : path[(Path.GetPathRoot(path)?.Length ?? 0)..];
        var start = inside ? _root : Path.GetPathRoot(path) ?? string.Empty;
        if (SegmentProtection(relative.Split(Separators, StringSplitOptions.RemoveEmptyEntries), start) is { } bySegment)
        {
            return bySegment;
        }

        if (_hooksPath is { } hooks && (PathSandbox.IsInside(path, hooks) || PathSandbox.IsInside(hooks, path)))
        {
            return ($"git hooks (the folder core.hooksPath names in .git/config: {hooks})", hooks);
        }

        foreach (var area in _protectedPaths.Areas)
        {
            // A folder above a protected place counts too (moving a folder there could create it), up to the home directory.
            if (PathSandbox.IsInside(path, area.Path) || (PathSandbox.IsInside(area.Path, path) && PathSandbox.IsInside(path, _home) && !PathSandbox.IsInside(_home, path)))
            {
                return (area.Reason, area.Path);
            }
        }

        return null;
    }

    /// <summary><c>.agent/…</c>, every project skill folder (<see cref="ProjectSkillFolders"/>: <c>.agents/skills/…</c>, <c>.claude/skills/…</c>, …), <c>.husky/…</c> anywhere below <paramref name="start"/>.</summary>
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

            if (ProjectSkillFolders.Parents.Any(name => segment.Equals(name, StringComparison.OrdinalIgnoreCase))
                && (i == segments.Length - 1 || ProjectSkillFolders.IsSkillFolder(segment, segments[i + 1])))
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
}
