using System.Globalization;

namespace AgentHost.Hosting.Logging;

/// <summary>The names of the log file and its rotated predecessors: <c>agent.log</c>, <c>agent.1.log</c>, <c>agent.2.log</c>, ….</summary>
public static class LogFiles
{
    /// <summary>The base name of the log files.</summary>
    public const string BaseName = "agent";

    /// <summary>The path of the current log file (<paramref name="index"/> 0) or of a rotated one (1 is the newest).</summary>
    /// <param name="directory">The logs folder.</param>
    /// <param name="index">0 for the current file; n for <c>agent.n.log</c>.</param>
    /// <returns>The path.</returns>
    public static string PathOf(string directory, int index) =>
        Path.Combine(directory, index == 0 ? BaseName + ".log" : string.Create(CultureInfo.InvariantCulture, $"{BaseName}.{index}.log"));

    /// <summary>The log files present in <paramref name="directory"/>, newest first (the current file, then agent.1.log, …).</summary>
    /// <param name="directory">The logs folder.</param>
    /// <returns>The paths; empty when the folder does not exist.</returns>
    public static IReadOnlyList<string> Existing(string directory)
    {
        if (!Directory.Exists(directory))
        {
            return [];
        }

        var found = new List<(int Index, string Path)>();
        foreach (var path in Directory.EnumerateFiles(directory, BaseName + "*.log"))
        {
            var name = Path.GetFileName(path);
            if (name == BaseName + ".log")
            {
                found.Add((0, path));
            }
            else if (name.Length > BaseName.Length + 5
                && int.TryParse(name.AsSpan(BaseName.Length + 1, name.Length - BaseName.Length - 5), NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                && index > 0
                && name[BaseName.Length] == '.')
            {
                found.Add((index, path));
            }
        }

        return [.. found.OrderBy(f => f.Index).Select(f => f.Path)];
    }
}
