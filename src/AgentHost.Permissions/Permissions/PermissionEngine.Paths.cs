namespace AgentHost.Kernel.Permissions;

// How the engine turns a path as written into the real paths a call may touch. Every spelling a tool or the kernel
// could act on is resolved, and a call is inside the sandbox (or allowed by a rule) only if all of them are:
// * '\' is a separator on every OS (a model may send Windows paths); on Linux and macOS the literal reading
// (a name containing '\') is checked as well.
// * '..' is resolved both as file tools do ('..' first, then symbolic links, like 'WorkspacePaths')
// and as the kernel does for shell redirections (symbolic links first: 'link/../x' is next to the link's target).
// * Names with trailing dots or spaces ('secrets. '), which Windows trims, are also checked trimmed.
// At most 40 symbolic links are followed per path (as the kernel does); loops and deeper chains make the path unknown.
public sealed partial class PermissionEngine
{
    private const int MaxLinks = 40;

    private static readonly char[] Separators = [Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar];

    private Target PathTarget(TargetKind kind, string path, bool dynamic, string? baseDirectory)
    {
        var target = new Target(kind, path) { Dynamic = dynamic, BaseDirectory = baseDirectory };
        if (path.Contains('\0', StringComparison.Ordinal))
        {
            return target with { Dynamic = true, Outside = true, Invalid = "the path contains a NUL character" };
        }

        var expanded = Expand(path);
        if (dynamic || HasExpansion(expanded) || IsOtherUsersHome(path) || (baseDirectory is null && !IsRooted(expanded)))
        {
            // $VAR, $(…), ~user, ~+ and ~-, or relative to a directory only known at run time.
            return target with { Dynamic = true, Outside = true };
        }

        try
        {
            var (lexical, real) = Resolve(path, baseDirectory!);
            return target with
            {
                FullPath = real[0],
                LexicalPath = lexical[0],
                RealPaths = real,
                LexicalPaths = lexical,
                Outside = real.Any(candidate => !InSandbox(candidate)),
            };
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or NotSupportedException or UnauthorizedAccessException)
        {
            return target with { Dynamic = true, Outside = true, Unparsed = ex.Message };
        }
    }

    /// <summary>A redirection target with unquoted glob characters: the shell picks an existing file that matches.</summary>
    private Target GlobTarget(TargetKind kind, string path, string? baseDirectory)
    {
        var target = new Target(kind, path) { Dynamic = true, Outside = true, BaseDirectory = baseDirectory };
        var expanded = Expand(path);
        if (path.Contains('\0', StringComparison.Ordinal) || HasExpansion(expanded) || IsOtherUsersHome(path) || (baseDirectory is null && !IsRooted(expanded)))
        {
            return target;
        }

        try
        {
            var real = new List<string>();
            foreach (var match in ExpandGlob(expanded, baseDirectory!).Append(expanded))
            {
                foreach (var candidate in Resolve(match, baseDirectory!).Real)
                {
                    AddDistinct(real, candidate);
                }
            }

            return target with { RealPaths = real };
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or NotSupportedException or UnauthorizedAccessException)
        {
            return target with { Unparsed = ex.Message };
        }
    }

    /// <summary>The full paths a path as written may mean (lexical, <c>..</c> normalised) and their real paths (symbolic links resolved).</summary>
    private (List<string> Lexical, List<string> Real) Resolve(string path, string baseDirectory)
    {
        List<string> spellings = [path.Replace('\\', '/')];
        if (!OperatingSystem.IsWindows() && path.Contains('\\', StringComparison.Ordinal))
        {
            spellings.Add(path);
        }

        foreach (var spelling in spellings.ToList())
        {
            AddDistinct(spellings, TrimNameEnds(spelling));
        }

        var lexical = new List<string>();
        var real = new List<string>();
        foreach (var spelling in spellings)
        {
            var expanded = Expand(spelling);
            var full = Path.GetFullPath(expanded, baseDirectory);
            AddDistinct(lexical, full);
            AddDistinct(real, RealPath(full, lexicalLinks: true));
            AddDistinct(real, RealPath(Path.Combine(baseDirectory, expanded), lexicalLinks: false));
        }

        return (lexical, real);
    }

    /// <summary>
    /// Resolves symbolic links in every component. With <paramref name="lexicalLinks"/> link targets are normalised
    /// before they are followed (as <c>WorkspacePaths</c> does); without it <c>..</c> always means the parent of the
    /// real folder reached so far (as the kernel does).
    /// </summary>
    /// <exception cref="IOException">More than 40 links (a loop, or a chain too long for the kernel).</exception>
    internal static string RealPath(string path, bool lexicalLinks)
    {
        var budget = MaxLinks;
        return RealPath(path, lexicalLinks, ref budget);
    }

    private static string RealPath(string path, bool lexicalLinks, ref int budget)
    {
        var root = Path.GetPathRoot(path);
        if (string.IsNullOrEmpty(root))
        {
            throw new ArgumentException($"'{path}' is not an absolute path", nameof(path));
        }

        var current = root;
        var exists = true;
        foreach (var part in path[root.Length..].Split(Separators, StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                current = Path.GetDirectoryName(current) ?? current;
                exists = Directory.Exists(current);
                continue;
            }

            var next = Path.Combine(current, part);
            if (exists)
            {
                var info = new FileInfo(next);
                if (info.LinkTarget is { } link)
                {
                    if (--budget < 0)
                    {
                        throw new IOException($"too many levels of symbolic links resolving {path}");
                    }

                    var linked = Path.Combine(current, link);
                    next = RealPath(lexicalLinks ? Path.GetFullPath(linked) : linked, lexicalLinks, ref budget);
                }
                else if (!info.Exists && !Directory.Exists(next))
                {
                    exists = false;
                }
            }

            current = next;
        }

        return current;
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

    /// <summary><c>~user/x</c>, <c>~+</c>, <c>~-</c>: the shell expands them to places the engine cannot know.</summary>
    private static bool IsOtherUsersHome(string path) =>
        path.StartsWith('~') && path.Length > 1 && path[1] is not ('/' or '\\');

    /// <summary>Windows drops trailing dots and spaces from names (<c>secrets. /x</c> is <c>secrets/x</c>).</summary>
    private static string TrimNameEnds(string path)
    {
        var parts = path.Split('/');
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i];
            if (part.Length == 0 || part is "." or ".." || !(part.EndsWith('.') || part.EndsWith(' ')))
            {
                continue;
            }

            var trimmed = part.TrimEnd('.', ' ');
            parts[i] = trimmed.Length > 0 ? trimmed : part.Count(c => c == '.') >= 2 ? ".." : ".";
        }

        return string.Join('/', parts);
    }

    private static void AddDistinct(List<string> list, string item)
    {
        if (!list.Contains(item, StringComparer.Ordinal))
        {
            list.Add(item);
        }
    }

    private static bool HasExpansion(string text) => text.Contains('$', StringComparison.Ordinal) || text.Contains('`', StringComparison.Ordinal);

    private static bool IsNullDevice(string target) => target is "/dev/null" or "NUL" or "nul" or "/dev/stdout" or "/dev/stderr";

    private static bool IsPathLike(string? subject) =>
        subject is { Length: > 0 } && subject[0] is not ('{' or '[') && !subject.Contains('\n', StringComparison.Ordinal);

    private bool InSandbox(string real) => _sandbox.Any(root => IsInside(real, root));

    private static bool IsInside(string real, string root)
    {
        var comparison = FileSystemIgnoresCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        return real.Equals(root, comparison)
            || (real.StartsWith(root, comparison) && (real[root.Length] == Path.DirectorySeparatorChar || root.EndsWith(Path.DirectorySeparatorChar)));
    }
}
