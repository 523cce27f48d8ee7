using System.Text;
using AgentHost.Hosting;
using AgentHost.Sdk.Tools;

namespace AgentHost.Agent.Context;

/// <summary>
/// Lists a directory for the model: files git would track (respecting .gitignore), or a plain walk outside a repository;
/// either way without what the project's agent ignore files exclude (<see cref="AgentIgnoreFiles"/>).
/// </summary>
internal static class DirectoryContext
{
    private static readonly HashSet<string> AlwaysSkipped = new(StringComparer.Ordinal) { ".git", "node_modules", "bin", "obj" };

    public static async Task<ContextReference> ListAsync(WorkspacePaths paths, string reference, string fullPath, ContextLimits limits, CancellationToken cancellationToken)
    {
        var relative = paths.Relative(fullPath);
        var files = await GitListAsync(fullPath, paths.Root, cancellationToken).ConfigureAwait(false) ?? WalkFiles(fullPath);
        var prefix = relative == "." ? string.Empty : relative + "/";
        var ignore = new AgentIgnoreFiles(paths.Root);
        var entries = files.Select(f => prefix + f.Replace('\\', '/')).Where(entry => !ignore.IsExcluded(entry, isDirectory: false)).Order(StringComparer.Ordinal).ToList();
        var builder = new StringBuilder();
        builder.Append(relative == "." ? "./" : prefix).Append(" (").Append(entries.Count).Append(" files)\n");
        foreach (var entry in entries.Take(limits.MaxEntries))
        {
            builder.Append(entry).Append('\n');
        }

        if (entries.Count > limits.MaxEntries)
        {
            builder.Append("[… ").Append(entries.Count - limits.MaxEntries).Append(" more files not listed …]\n");
        }

        return new ContextReference(reference, ContextReferenceKind.Directory, relative + "/", builder.ToString().TrimEnd()) { Truncated = entries.Count > limits.MaxEntries };
    }

    /// <summary>Tracked and untracked-but-not-ignored files below <paramref name="directory"/>, or null outside git.</summary>
    private static async Task<List<string>?> GitListAsync(string directory, string projectRoot, CancellationToken cancellationToken)
    {
        var output = await GitProcess.TryReadAsync("git", directory, ["ls-files", "--cached", "--others", "--exclude-standard", "-z", "--", "."], projectRoot, cancellationToken)
            .ConfigureAwait(false);

        // null: git is not installed or this is not a repository: fall back to a plain walk.
        return output?.Split('\0', StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).ToList();
    }

    private static List<string> WalkFiles(string directory)
    {
        var result = new List<string>();
        var pending = new Stack<string>([directory]);
        while (pending.TryPop(out var current))
        {
            foreach (var entry in new DirectoryInfo(current).EnumerateFileSystemInfos())
            {
                if (entry is DirectoryInfo dir && entry.LinkTarget is null && !AlwaysSkipped.Contains(dir.Name))
                {
                    pending.Push(dir.FullName);
                }
                else if (entry is FileInfo)
                {
                    result.Add(Path.GetRelativePath(directory, entry.FullName));
                }
            }
        }

        return result;
    }
}
