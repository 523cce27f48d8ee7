using System.Globalization;
using System.Text;
using AgentHost.Plugins.Files.Search;
using AgentHost.Sdk.Tools;

namespace AgentHost.Plugins.Files;

/// <summary>
/// The <c>ls</c> tool: a tree of a folder. Skips <c>.git</c>, <c>node_modules</c>, <c>bin</c> and <c>obj</c>, what the
/// project's <c>.gitignore</c>/<c>.ignore</c> files exclude (the same engine as glob and grep) and the call's
/// <c>ignore</c> patterns (gitignore syntax, relative to the listed folder). Hidden files are listed.
/// </summary>
internal static class ListTool
{
    public const int DefaultLimit = 500;
    public const int MaxLimit = 2000;
    private static readonly HashSet<string> Skipped = new(StringComparer.Ordinal) { ".git", "node_modules", "bin", "obj" };

    public static string Run(WorkspacePaths paths, string path, int depth, IReadOnlyList<string>? ignore = null, int? limit = null)
    {
        var max = limit ?? DefaultLimit;
        if (max < 1 || max > MaxLimit)
        {
            throw new ToolException($"limit must be between 1 and {MaxLimit} (got {max}); list a subdirectory to see less.");
        }

        var full = paths.Resolve(path) ?? throw new ToolException($"'{path}' is outside the project root; list paths inside {paths.Root}.");
        if (!Directory.Exists(full))
        {
            throw new ToolException(File.Exists(full) ? $"'{path}' is a file; use view to read it." : $"no directory '{path}' in the project.");
        }

        AgentIgnore.Check(paths, full, path, "list");
        var relative = paths.Relative(full);
        var baseRelative = relative == "." ? string.Empty : relative;
        var extra = ignore is { Count: > 0 } ? IgnoreList.Parse(baseRelative, string.Join('\n', ignore)) : null;
        var walk = new Walk(new StringBuilder().Append(relative).Append("/\n"), Math.Clamp(depth, 1, 10), max, extra, new WalkOptions().IgnoreCase);
        walk.Append(full, baseRelative, IgnoreStack.ForFolder(paths.Root, baseRelative), 1);
        if (walk.Count > max)
        {
            walk.Builder.Append(CultureInfo.InvariantCulture, $"[… {walk.Count - max} more entries not shown; list a subdirectory or raise limit …]\n");
        }

        return walk.Builder.ToString().TrimEnd();
    }

    private sealed class Walk(StringBuilder builder, int depth, int max, IgnoreList? extra, bool ignoreCase)
    {
        public StringBuilder Builder { get; } = builder;

        public int Count { get; private set; }

        public void Append(string directory, string relative, IgnoreStack ignores, int level)
        {
            var prefix = relative.Length == 0 ? string.Empty : relative + "/";
            var entries = new DirectoryInfo(directory).EnumerateFileSystemInfos()
                .Where(e => !Skipped.Contains(e.Name) && !Ignored(ignores, prefix, e))
                .OrderBy(e => e is FileInfo)
                .ThenBy(e => e.Name, StringComparer.Ordinal);
            foreach (var entry in entries)
            {
                if (++Count > max)
                {
                    continue;
                }

                var indent = new string(' ', level * 2);
                if (entry is DirectoryInfo sub)
                {
                    Builder.Append(indent).Append(sub.Name).Append("/\n");
                    if (level < depth && sub.LinkTarget is null)
                    {
                        var subRelative = prefix + sub.Name;
                        var subIgnores = ignores.Enter(
                            sub.FullName,
                            subRelative,
                            File.Exists(Path.Combine(sub.FullName, ".gitignore")),
                            File.Exists(Path.Combine(sub.FullName, ".ignore")) || IgnoreStack.AgentFiles.Any(name => File.Exists(Path.Combine(sub.FullName, name))),
                            Directory.Exists(Path.Combine(sub.FullName, ".git")));
                        Append(sub.FullName, subRelative, subIgnores, level + 1);
                    }
                }
                else
                {
                    Builder.Append(indent).Append(entry.Name).Append(CultureInfo.InvariantCulture, $" ({((FileInfo)entry).Length} B)\n");
                }
            }
        }

        private bool Ignored(IgnoreStack ignores, string prefix, FileSystemInfo entry)
        {
            var path = prefix + entry.Name;
            var isDirectory = entry is DirectoryInfo;
            return (extra?.Decide(path, prefix.Length, isDirectory, ignoreCase) ?? false)
                || ignores.IsIgnored(path, prefix.Length, isDirectory, ignoreCase);
        }
    }
}
