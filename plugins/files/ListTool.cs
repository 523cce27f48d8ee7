using System.Globalization;
using System.Text;
using AgentHost.Sdk.Tools;

namespace AgentHost.Plugins.Files;

/// <summary>The <c>ls</c> tool.</summary>
internal static class ListTool
{
    private const int MaxEntries = 500;
    private static readonly HashSet<string> Skipped = new(StringComparer.Ordinal) { ".git", "node_modules", "bin", "obj" };

    public static string Run(WorkspacePaths paths, string path, int depth)
    {
        var full = paths.Resolve(path) ?? throw new ToolFailure($"'{path}' is outside the project root; list paths inside {paths.Root}.");
        if (!Directory.Exists(full))
        {
            throw new ToolFailure(File.Exists(full) ? $"'{path}' is a file; use view to read it." : $"no directory '{path}' in the project.");
        }

        var builder = new StringBuilder().Append(paths.Relative(full)).Append("/\n");
        var count = 0;
        Append(builder, new DirectoryInfo(full), 1, Math.Clamp(depth, 1, 10), ref count);
        if (count > MaxEntries)
        {
            builder.Append(CultureInfo.InvariantCulture, $"[… {count - MaxEntries} more entries not shown; list a subdirectory …]\n");
        }

        return builder.ToString().TrimEnd();
    }

    private static void Append(StringBuilder builder, DirectoryInfo directory, int level, int depth, ref int count)
    {
        var entries = directory.EnumerateFileSystemInfos()
            .Where(e => !Skipped.Contains(e.Name))
            .OrderBy(e => e is FileInfo)
            .ThenBy(e => e.Name, StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            if (++count > MaxEntries)
            {
                continue;
            }

            var indent = new string(' ', level * 2);
            if (entry is DirectoryInfo sub)
            {
                builder.Append(indent).Append(sub.Name).Append("/\n");
                if (level < depth && sub.LinkTarget is null)
                {
                    Append(builder, sub, level + 1, depth, ref count);
                }
            }
            else
            {
                builder.Append(indent).Append(entry.Name).Append(CultureInfo.InvariantCulture, $" ({((FileInfo)entry).Length} B)\n");
            }
        }
    }
}
