using AgentHost.Sdk.Tools;

namespace AgentHost.Plugins.Files;

/// <summary>
/// "Did you mean" for a path that does not exist: similar names in the same folder, then entries with the same or a
/// nearly equal name anywhere in the workspace (a bounded breadth-first walk that skips dependency folders).
/// </summary>
internal static class NearbyNames
{
    /// <summary>The most entries the walk of the workspace looks at.</summary>
    public const int MaxVisited = 20_000;

    private const int MaxShown = 5;
    private const int MaxInSameFolder = 3;
    private static readonly HashSet<string> Skipped = new(StringComparer.Ordinal) { ".git", "node_modules", "bin", "obj" };
    private static readonly EnumerationOptions Options = new() { IgnoreInaccessible = true, AttributesToSkip = 0, ReturnSpecialDirectories = false };

    /// <summary>A sentence suggesting close names (starting with a space), or an empty string.</summary>
    /// <param name="paths">The workspace.</param>
    /// <param name="fullPath">The missing path, resolved.</param>
    /// <param name="cancellationToken">Stops the walk.</param>
    /// <returns>The sentence.</returns>
    public static string DidYouMean(WorkspacePaths paths, string fullPath, CancellationToken cancellationToken = default)
    {
        var names = Find(paths, fullPath, cancellationToken);
        return names.Count == 0 ? string.Empty : $" Did you mean: {string.Join(", ", names)}?";
    }

    /// <summary>Up to five existing paths (relative, folders ending in <c>/</c>) close to <paramref name="fullPath"/>, best first.</summary>
    /// <param name="paths">The workspace.</param>
    /// <param name="fullPath">The missing path, resolved.</param>
    /// <param name="cancellationToken">Stops the walk.</param>
    /// <returns>The paths.</returns>
    public static IReadOnlyList<string> Find(WorkspacePaths paths, string fullPath, CancellationToken cancellationToken = default)
    {
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(fullPath));
        if (name.Length == 0)
        {
            return [];
        }

        var folder = Path.GetDirectoryName(fullPath);
        var near = new List<(int Score, string Path)>();
        if (folder is not null && Directory.Exists(folder))
        {
            foreach (var entry in Entries(new DirectoryInfo(folder)))
            {
                if (Score(name, entry.Name, loose: true) is { } score)
                {
                    near.Add((score, Show(paths, entry)));
                }
            }
        }

        var result = near.OrderBy(n => n.Score).ThenBy(n => n.Path, StringComparer.Ordinal).Take(MaxInSameFolder).Select(n => n.Path).ToList();
        var elsewhere = new List<(int Score, int Depth, string Path)>();
        var queue = new Queue<(DirectoryInfo Directory, int Depth)>([(new DirectoryInfo(paths.Root), 0)]);
        var visited = 0;
        while (queue.Count > 0 && visited < MaxVisited)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (directory, depth) = queue.Dequeue();
            foreach (var entry in Entries(directory))
            {
                if (++visited > MaxVisited)
                {
                    break;
                }

                if (entry is DirectoryInfo sub && sub.LinkTarget is null && !Skipped.Contains(sub.Name))
                {
                    queue.Enqueue((sub, depth + 1));
                }

                if (Score(name, entry.Name, loose: false) is { } score
                    && !string.Equals(Path.GetDirectoryName(entry.FullName), folder, StringComparison.Ordinal))
                {
                    elsewhere.Add((score, depth, Show(paths, entry)));
                }
            }
        }

        result.AddRange(elsewhere.OrderBy(e => e.Score).ThenBy(e => e.Depth).ThenBy(e => e.Path, StringComparer.Ordinal)
            .Select(e => e.Path).Where(p => !result.Contains(p)).Take(MaxShown - result.Count));
        return result;
    }

    /// <summary>How close <paramref name="candidate"/> is to the wanted name (lower is closer), or <see langword="null"/> when not close.</summary>
    private static int? Score(string wanted, string candidate, bool loose)
    {
        var a = wanted.ToLowerInvariant();
        var b = candidate.ToLowerInvariant();
        if (a == b)
        {
            return 0;
        }

        var stem = Path.GetFileNameWithoutExtension(a);
        if (stem.Length > 0 && stem == Path.GetFileNameWithoutExtension(b))
        {
            return 1;
        }

        var distance = Distance(a, b, loose ? Math.Max(2, a.Length / 3) : Math.Max(1, a.Length / 5));
        if (distance is { } d)
        {
            return 1 + d;
        }

        return loose && stem.Length >= 3 && b.Contains(stem, StringComparison.Ordinal) ? 20 : null;
    }

    /// <summary>The edit distance of two names when it is at most <paramref name="limit"/>, else <see langword="null"/>.</summary>
    private static int? Distance(string a, string b, int limit)
    {
        if (Math.Abs(a.Length - b.Length) > limit || a.Length > 256 || b.Length > 256)
        {
            return null;
        }

        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            var best = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
                best = Math.Min(best, current[j]);
            }

            if (best > limit)
            {
                return null;
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length] <= limit ? previous[b.Length] : null;
    }

    private static List<FileSystemInfo> Entries(DirectoryInfo directory)
    {
        try
        {
            return directory.EnumerateFileSystemInfos("*", Options).ToList();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    private static string Show(WorkspacePaths paths, FileSystemInfo entry) =>
        paths.Relative(entry.FullName) + (entry is DirectoryInfo ? "/" : string.Empty);
}
