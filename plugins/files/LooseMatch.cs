using System.Globalization;
using System.Text;
using AgentHost.Sdk.Tools;

namespace AgentHost.Plugins.Files;

/// <summary>
/// The <c>edit</c> fallback when old_string does not occur exactly: whole lines compared with their leading and trailing
/// whitespace ignored, the replacement re-indented to fit; failing that, an error pointing at the closest lines.
/// </summary>
internal static class LooseMatch
{
    private const int MaxShown = 200;

    /// <summary>Replaces the whitespace-insensitive match(es) of <paramref name="oldText"/>.</summary>
    /// <returns>The new text and what was done.</returns>
    /// <exception cref="ToolException">No match, or several and not <paramref name="replaceAll"/>.</exception>
    public static Replacement Replace(string text, string oldText, string newText, bool replaceAll, string path)
    {
        var lines = SplitLines(text);
        var oldLines = SplitLines(oldText);
        var first = oldLines.FindIndex(l => !IsBlank(l));
        if (first < 0)
        {
            throw new ToolException($"old_string (only whitespace) was not found in '{path}'; include some of the text around the place to change.");
        }

        var trimmed = lines.ConvertAll(l => l.Trim());
        var starts = Find(trimmed, oldLines.ConvertAll(l => l.Trim()));
        if (starts.Count == 0)
        {
            throw new ToolException(NotFound(lines, trimmed, oldLines, path));
        }

        var numbers = EditTool.ListLines(starts.ConvertAll(s => s + 1));
        if (starts.Count > 1 && !replaceAll)
        {
            throw new ToolException(
                $"old_string does not occur exactly in '{path}', and ignoring indentation and trailing spaces it matches {starts.Count} places " +
                $"(at lines {numbers}). Copy the exact text with more surrounding lines into old_string, or set replace_all to true.");
        }

        var newLines = SplitLines(newText);
        var result = new List<string>(lines.Count);
        var next = 0;
        foreach (var start in starts)
        {
            result.AddRange(lines[next..start]);
            var from = Indent(oldLines[first]);
            var to = Indent(lines[start + first]);
            result.AddRange(newLines.Select(l => Reindent(l, from, to)));
            next = start + oldLines.Count;
        }

        result.AddRange(lines[next..]);
        var joined = string.Join('\n', result);
        var updated = result.Count > 0 && text.EndsWith('\n') ? joined + "\n" : joined;
        return new Replacement(
            updated,
            $"old_string did not match exactly, so its whitespace-insensitive match at line{(starts.Count > 1 ? "s" : string.Empty)} {numbers} was replaced, with new_string re-indented to fit",
            starts.Count,
            Loose: true);
    }

    /// <summary>Splits text into lines; a final line break does not start another line.</summary>
    private static List<string> SplitLines(string text)
    {
        if (text.Length == 0)
        {
            return [];
        }

        var parts = text.Split('\n');
        return [.. text.EndsWith('\n') ? parts[..^1] : parts];
    }

    private static List<int> Find(List<string> lines, List<string> wanted)
    {
        var starts = new List<int>();
        for (var i = 0; i + wanted.Count <= lines.Count; i++)
        {
            var j = 0;
            while (j < wanted.Count && lines[i + j].Equals(wanted[j], StringComparison.Ordinal))
            {
                j++;
            }

            if (j == wanted.Count)
            {
                starts.Add(i);
                i += wanted.Count - 1;
            }
        }

        return starts;
    }

    private static string Reindent(string line, string from, string to)
    {
        if (IsBlank(line))
        {
            return line;
        }

        if (to.StartsWith(from, StringComparison.Ordinal))
        {
            return to[from.Length..] + line;
        }

        if (from.StartsWith(to, StringComparison.Ordinal))
        {
            var extra = from.Length - to.Length;
            return line[Math.Min(extra, Indent(line).Length)..];
        }

        return line.StartsWith(from, StringComparison.Ordinal) ? to + line[from.Length..] : line;
    }

    private static string Indent(string line) => line[..(line.Length - line.TrimStart().Length)];

    private static bool IsBlank(string line) => line.Trim().Length == 0;

    private static string NotFound(List<string> lines, List<string> trimmed, List<string> oldLines, string path)
    {
        var present = new HashSet<string>(trimmed, StringComparer.Ordinal);
        var missing = oldLines.Find(l => !IsBlank(l) && !present.Contains(l.Trim()));
        if (missing is null)
        {
            var head = oldLines.Find(l => !IsBlank(l))!.Trim();
            var at = Enumerable.Range(0, trimmed.Count).Where(i => trimmed[i] == head).Select(i => i + 1).ToList();
            return $"old_string was not found in '{path}': each of its lines occurs in the file, but not together in this order (its first line is at " +
                   $"line {EditTool.ListLines(at)}). View that part of the file and copy the exact lines into old_string.";
        }

        var message = new StringBuilder().Append(CultureInfo.InvariantCulture, $"old_string was not found in '{path}', not even ignoring indentation: no line of the file is `{Cut(missing.Trim())}`.");
        var closest = Closest(trimmed, missing.Trim());
        if (closest.Count == 0)
        {
            message.Append(" No line of the file is similar; check the path, or view the file first.");
        }
        else
        {
            message.Append(closest.Count == 1 ? " The closest line is:" : " The closest lines are:");
            foreach (var index in closest)
            {
                message.Append(CultureInfo.InvariantCulture, $"\n{index + 1,6}\t{Cut(lines[index])}");
            }

            message.Append("\nView the file around there and retry with old_string copied exactly from it.");
        }

        return message.ToString();
    }

    /// <summary>The indexes of up to three lines most similar to <paramref name="wanted"/> (Dice coefficient of character pairs).</summary>
    private static List<int> Closest(List<string> trimmed, string wanted)
    {
        var target = Bigrams(wanted);
        var total = target.Values.Sum();
        var scores = new List<(int Index, double Score)>();
        for (var i = 0; i < trimmed.Count; i++)
        {
            if (trimmed[i].Length == 0)
            {
                continue;
            }

            var remaining = new Dictionary<int, int>(target);
            int shared = 0, count = 0;
            foreach (var bigram in Pairs(trimmed[i]))
            {
                count++;
                if (remaining.TryGetValue(bigram, out var left) && left > 0)
                {
                    remaining[bigram] = left - 1;
                    shared++;
                }
            }

            var score = total + count == 0 ? 0 : 2.0 * shared / (total + count);
            if (score >= 0.4)
            {
                scores.Add((i, score));
            }
        }

        return [.. scores.OrderByDescending(s => s.Score).ThenBy(s => s.Index).Take(3).Select(s => s.Index)];
    }

    private static Dictionary<int, int> Bigrams(string text)
    {
        var counts = new Dictionary<int, int>();
        foreach (var bigram in Pairs(text))
        {
            counts[bigram] = counts.GetValueOrDefault(bigram) + 1;
        }

        return counts;
    }

    private static IEnumerable<int> Pairs(string text)
    {
        var limit = Math.Min(text.Length, 500);
        for (var i = 0; i + 1 < limit; i++)
        {
            yield return (char.ToLowerInvariant(text[i]) << 16) | char.ToLowerInvariant(text[i + 1]);
        }
    }

    private static string Cut(string line) => line.Length > MaxShown ? line[..MaxShown] + " […]" : line;
}
