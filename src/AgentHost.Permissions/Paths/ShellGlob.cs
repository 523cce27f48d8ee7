namespace AgentHost.Permissions.Paths;

/// <summary>Glob expansion as the shell does it for the path sandbox: a redirection target or a command argument with unquoted glob characters.</summary>
internal static class ShellGlob
{
    private const int MaxMatches = 64;

    private static readonly char[] Separators = [Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar];

    /// <summary>Expands a glob against the file system, as the shell would (at most 64 matches; hidden names included).</summary>
    public static List<string> Expand(string expanded, string baseDirectory)
    {
        var full = Path.GetFullPath(expanded.Replace('\\', '/'), baseDirectory);
        var root = Path.GetPathRoot(full)!;
        List<string> current = [root];
        foreach (var part in full[root.Length..].Split(Separators, StringSplitOptions.RemoveEmptyEntries))
        {
            if (!PathPattern.HasGlob(part))
            {
                current = [.. current.Select(folder => Path.Combine(folder, part))];
                continue;
            }

            var regex = PathPattern.NameGlob(part, PathSandbox.FileSystemIgnoresCase);
            var next = new List<string>();
            foreach (var folder in current)
            {
                try
                {
                    next.AddRange(Directory.EnumerateFileSystemEntries(folder).Where(entry => regex.IsMatch(Path.GetFileName(entry))).Take(MaxMatches - next.Count));
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or System.Text.RegularExpressions.RegexMatchTimeoutException)
                {
                    // Unreadable or missing folders match nothing.
                }
            }

            current = next;
        }

        return current;
    }
}
