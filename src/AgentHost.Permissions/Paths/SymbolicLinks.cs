namespace AgentHost.Permissions.Paths;

/// <summary>
/// How the path sandbox follows symbolic links: at most 40 per path (as the kernel does), a loop or a deeper chain makes
/// the path unknown; <c>..</c> read either lexically (as file tools do) or as the kernel does (the parent of the real
/// folder reached so far).
/// </summary>
internal static class SymbolicLinks
{
    private const int MaxLinks = 40;

    private static readonly char[] Separators = [Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar];

    /// <summary>
    /// Resolves symbolic links in every component. With <paramref name="lexicalLinks"/> link targets are normalised
    /// before they are followed (as <c>WorkspacePaths</c> does); without it <c>..</c> always means the parent of the
    /// real folder reached so far (as the kernel does).
    /// </summary>
    /// <exception cref="IOException">More than 40 links (a loop, or a chain too long for the kernel).</exception>
    public static string Resolve(string path, bool lexicalLinks)
    {
        var budget = MaxLinks;
        return Resolve(path, lexicalLinks, ref budget);
    }

    /// <summary>The real path (links followed lexically), or the path itself when it cannot be resolved.</summary>
    public static string ResolveOrSelf(string path)
    {
        try
        {
            return Resolve(path, lexicalLinks: true);
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or UnauthorizedAccessException)
        {
            return path;
        }
    }

    private static string Resolve(string path, bool lexicalLinks, ref int budget)
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
                    next = Resolve(lexicalLinks ? Path.GetFullPath(linked) : linked, lexicalLinks, ref budget);
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
}
