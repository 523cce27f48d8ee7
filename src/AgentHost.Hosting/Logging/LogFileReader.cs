using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace AgentHost.Hosting.Logging;

/// <summary>Reads entries back from the log files (the current one and, when needed, the rotated ones).</summary>
/// <remarks>Stateless and thread-safe; tolerates files being written or rotated meanwhile (half-written lines are skipped).</remarks>
public static class LogFileReader
{
    /// <summary>The last <paramref name="count"/> entries at <paramref name="minimumLevel"/> or above, oldest first.</summary>
    /// <param name="directory">The logs folder.</param>
    /// <param name="count">How many entries at most.</param>
    /// <param name="minimumLevel">The least severe level wanted.</param>
    /// <returns>The entries; empty when there are no logs.</returns>
    public static IReadOnlyList<LogEntry> ReadTail(string directory, int count, LogLevel minimumLevel = LogLevel.Trace)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var result = new List<LogEntry>();
        foreach (var file in LogFiles.Existing(directory))
        {
            if (result.Count >= count)
            {
                break;
            }

            // Parse from the end: only as many lines as are needed.
            var lines = ReadLines(file);
            var newest = new List<LogEntry>();
            for (var i = lines.Count - 1; i >= 0 && result.Count + newest.Count < count; i--)
            {
                if (Parse(lines[i]) is { } entry && entry.Level >= minimumLevel)
                {
                    newest.Add(entry);
                }
            }

            newest.Reverse();
            result.InsertRange(0, newest);
        }

        return result;
    }

    /// <summary>Parses one JSON line; <see langword="null"/> when it is not a log entry.</summary>
    /// <param name="line">The line.</param>
    /// <returns>The entry.</returns>
    public static LogEntry? Parse(string line)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("timestamp", out var timestamp)
                || !DateTimeOffset.TryParse(timestamp.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
                || !root.TryGetProperty("level", out var level)
                || !LogLevels.TryParse(level.GetString(), out var parsedLevel))
            {
                return null;
            }

            var state = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            if (root.TryGetProperty("state", out var values) && values.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in values.EnumerateObject())
                {
                    state[property.Name] = property.Value.Clone();
                }
            }

            return new LogEntry(time, parsedLevel, Text(root, "category") ?? string.Empty, Text(root, "message") ?? string.Empty, line)
            {
                EventId = root.TryGetProperty("eventId", out var id) && id.TryGetInt32(out var number) ? number : 0,
                EventName = Text(root, "eventName"),
                Exception = Text(root, "exception"),
                State = state,
            };
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static List<string> ReadLines(string path)
    {
        var lines = new List<string>();
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            while (reader.ReadLine() is { } line)
            {
                lines.Add(line);
            }
        }
        catch (FileNotFoundException)
        {
            // Rotated away between listing and reading.
        }

        return lines;
    }

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
