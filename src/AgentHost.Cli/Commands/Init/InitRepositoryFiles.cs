using AgentHost.Hosting;
namespace AgentHost.Cli.Commands.Init;

/// <summary>
/// The files of a repository for <c>agent init</c>, relative to its root with <c>/</c> separators, sorted: from
/// <c>git ls-files --cached --others --exclude-standard</c> when the root is in a git work tree (ignored files left
/// out), otherwise from a walk that skips dot-folders (except <c>.github</c>) and dependency/output folders.
/// </summary>
internal static class InitRepositoryFiles
{
    /// <summary>The most files inspected.</summary>
    public const int MaxFiles = 100_000;

    private static readonly HashSet<string> SkippedFolders = new(StringComparer.OrdinalIgnoreCase)
    {
        "node_modules", "bin", "obj", "target", "dist", "build", "out", "__pycache__", "venv",
    };

    /// <summary>Lists the files.</summary>
    /// <param name="root">The repository root.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The relative paths and whether git listed them.</returns>
    public static async Task<(IReadOnlyList<string> Files, bool FromGit)> ListAsync(string root, CancellationToken cancellationToken)
    {
        var fromGit = await GitListAsync(root, cancellationToken).ConfigureAwait(false);
        if (fromGit is not null)
        {
            return (fromGit, true);
        }

        return (Walk(root), false);
    }

    private static async Task<List<string>?> GitListAsync(string root, CancellationToken cancellationToken)
    {
        if (await GitProcess.TryReadAsync("git", root, ["-c", "core.quotepath=off", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cancellationToken: cancellationToken)
                .ConfigureAwait(false) is not { } output)
        {
            return null;
        }

        // ls-files lists paths relative to the working directory; a root below the work tree's top stays scoped to it.
        return [.. output.Split('\0', StringSplitOptions.RemoveEmptyEntries)
            .Where(path => File.Exists(Path.Combine(root, path)))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .Take(MaxFiles)];
    }

    private static List<string> Walk(string root)
    {
        var files = new List<string>();
        var pending = new Stack<string>();
        pending.Push(root);
        while (pending.Count > 0 && files.Count < MaxFiles)
        {
            var folder = pending.Pop();
            try
            {
                foreach (var file in Directory.EnumerateFiles(folder))
                {
                    files.Add(Path.GetRelativePath(root, file).Replace(Path.DirectorySeparatorChar, '/'));
                }

                foreach (var child in Directory.EnumerateDirectories(folder))
                {
                    var name = Path.GetFileName(child);
                    if ((name.StartsWith('.') && name != ".github" && name != ".ci") || SkippedFolders.Contains(name)
                        || (File.GetAttributes(child) & FileAttributes.ReparsePoint) != 0)
                    {
                        continue;
                    }

                    pending.Push(child);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // An unreadable folder adds nothing.
            }
        }

        return [.. files.Order(StringComparer.Ordinal).Take(MaxFiles)];
    }
}
