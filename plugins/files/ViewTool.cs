using System.Globalization;
using System.Text;
using AgentHost.Sdk.Tools;

namespace AgentHost.Plugins.Files;

/// <summary>The <c>view</c> tool.</summary>
internal static class ViewTool
{
    private const int MaxLineLength = 2000;
    private const long MaxFileBytes = 5 * 1024 * 1024;

    public static string Run(WorkspacePaths paths, string path, int offset, int limit)
    {
        var full = paths.Resolve(path) ?? throw new ToolFailure($"'{path}' is outside the project root; view files inside {paths.Root}.");
        if (Directory.Exists(full))
        {
            throw new ToolFailure($"'{path}' is a directory; use ls to list it.");
        }

        if (!File.Exists(full))
        {
            throw new ToolFailure($"no file '{path}' in the project.{DidYouMean(full, paths)}");
        }

        var info = new FileInfo(full);
        if (info.Length > MaxFileBytes)
        {
            throw new ToolFailure($"'{path}' is {info.Length} bytes, over the {MaxFileBytes}-byte limit for view.");
        }

        using (var probe = info.OpenRead())
        {
            var head = new byte[Math.Min(8192, info.Length)];
            probe.ReadExactly(head);
            if (Array.IndexOf(head, (byte)0) >= 0)
            {
                return $"'{path}' is a binary file ({info.Length} bytes); it cannot be shown as text.";
            }
        }

        var lines = File.ReadAllLines(full);
        var first = Math.Max(1, offset);
        var count = Math.Clamp(limit, 1, 2000);
        var builder = new StringBuilder();
        for (var i = first; i <= Math.Min(lines.Length, first + count - 1); i++)
        {
            var line = lines[i - 1];
            builder.Append(CultureInfo.InvariantCulture, $"{i,6}\t")
                .Append(line.Length > MaxLineLength ? line[..MaxLineLength] + " [… line cut …]" : line)
                .Append('\n');
        }

        var last = Math.Min(lines.Length, first + count - 1);
        if (last < lines.Length)
        {
            builder.Append(CultureInfo.InvariantCulture, $"[lines {first}-{last} of {lines.Length}; continue with offset {last + 1}]\n");
        }
        else if (first > lines.Length)
        {
            builder.Append(CultureInfo.InvariantCulture, $"[the file has {lines.Length} lines]\n");
        }

        return builder.ToString().TrimEnd();
    }

    private static string DidYouMean(string full, WorkspacePaths paths)
    {
        var directory = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(directory))
        {
            return string.Empty;
        }

        var name = Path.GetFileName(full);
        var close = Directory.EnumerateFiles(directory)
            .Select(f => Path.GetFileName(f))
            .Where(f => f.Contains(Path.GetFileNameWithoutExtension(name), StringComparison.OrdinalIgnoreCase) || f.Equals(name, StringComparison.OrdinalIgnoreCase))
            .Take(3)
            .Select(f => paths.Relative(Path.Combine(directory, f)))
            .ToList();
        return close.Count == 0 ? string.Empty : $" Did you mean: {string.Join(", ", close)}?";
    }
}
