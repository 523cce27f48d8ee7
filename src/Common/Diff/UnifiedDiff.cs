using System.Globalization;
using System.Text;

namespace AgentHost.Plugins.Files;

/// <summary>A line diff rendered as a unified diff, with the number of added and removed lines.</summary>
/// <param name="Text">The unified diff (possibly cut, with a note saying how much was left out); empty when nothing changed.</param>
/// <param name="Added">Lines added.</param>
/// <param name="Removed">Lines removed.</param>
internal sealed record TextDiff(string Text, int Added, int Removed)
{
    /// <summary>Whether the texts have the same lines.</summary>
    public bool IsEmpty => Added == 0 && Removed == 0;

    /// <summary>The change counts for a summary, such as <c>+3 -1 lines</c>.</summary>
    public string Counts => string.Create(CultureInfo.InvariantCulture, $"+{Added} -{Removed} lines");
}

/// <summary>Line diffs (Myers' O(ND) algorithm) rendered as bounded unified diffs with three lines of context.</summary>
internal static class UnifiedDiff
{
    /// <summary>The most diff lines shown.</summary>
    public const int MaxLines = 200;

    /// <summary>The most diff characters shown.</summary>
    public const int MaxChars = 20_000;

    private const int Context = 3;
    private const int MaxLineLength = 1000;

    /// <summary>Diffs two texts with <c>\n</c> line endings.</summary>
    /// <param name="oldText">The current text, or <see langword="null"/> when the file does not exist yet.</param>
    /// <param name="newText">The new text, or <see langword="null"/> when the file is deleted.</param>
    /// <param name="path">The path shown in the <c>---</c>/<c>+++</c> header (relative, with <c>/</c> separators).</param>
    /// <param name="maxLines">The most diff lines shown.</param>
    /// <param name="maxChars">The most characters shown.</param>
    /// <returns>The diff.</returns>
    public static TextDiff Create(string? oldText, string? newText, string path, int maxLines = MaxLines, int maxChars = MaxChars)
    {
        var ids = new Dictionary<(string, bool), int>();
        var (oldLines, a) = Split(oldText ?? string.Empty, ids);
        var (newLines, b) = Split(newText ?? string.Empty, ids);
        var ops = Diff(a, b);
        var added = ops.Count(o => o.Kind == '+');
        var removed = ops.Count(o => o.Kind == '-');
        if (added == 0 && removed == 0)
        {
            return new TextDiff(string.Empty, 0, 0);
        }

        var lines = new List<string> { oldText is null ? "--- /dev/null" : $"--- a/{path}", newText is null ? "+++ /dev/null" : $"+++ b/{path}" };
        int position = 0, oldBefore = 0, newBefore = 0;
        foreach (var (start, end) in Hunks(ops))
        {
            for (; position < start; position++)
            {
                oldBefore += ops[position].Kind == '+' ? 0 : 1;
                newBefore += ops[position].Kind == '-' ? 0 : 1;
            }

            AppendHunk(lines, ops, start, end, oldBefore, newBefore, oldLines, newLines);
        }

        return new TextDiff(Bound(lines, maxLines, maxChars), added, removed);
    }

    private static (Line[] Lines, int[] Ids) Split(string text, Dictionary<(string, bool), int> ids)
    {
        if (text.Length == 0)
        {
            return ([], []);
        }

        var parts = text.Split('\n');
        var count = text.EndsWith('\n') ? parts.Length - 1 : parts.Length;
        var lines = new Line[count];
        var keys = new int[count];
        for (var i = 0; i < count; i++)
        {
            var key = (parts[i], i < parts.Length - 1);
            if (!ids.TryGetValue(key, out var id))
            {
                id = ids.Count;
                ids.Add(key, id);
            }

            lines[i] = new Line(key.Item1, key.Item2);
            keys[i] = id;
        }

        return (lines, keys);
    }

    /// <summary>The edit script: equal lines (<c>' '</c>), deletions (<c>'-'</c>) and insertions (<c>'+'</c>) in order.</summary>
    private static List<Op> Diff(int[] a, int[] b)
    {
        var prefix = 0;
        while (prefix < a.Length && prefix < b.Length && a[prefix] == b[prefix])
        {
            prefix++;
        }

        var suffix = 0;
        while (suffix < a.Length - prefix && suffix < b.Length - prefix && a[a.Length - 1 - suffix] == b[b.Length - 1 - suffix])
        {
            suffix++;
        }

        var ops = new List<Op>(a.Length + b.Length);
        for (var i = 0; i < prefix; i++)
        {
            ops.Add(new Op(' ', i, i));
        }

        Middle(a, prefix, a.Length - suffix, b, prefix, b.Length - suffix, ops);
        for (var i = 0; i < suffix; i++)
        {
            ops.Add(new Op(' ', a.Length - suffix + i, b.Length - suffix + i));
        }

        return ops;
    }

    private static void Middle(int[] a, int a0, int a1, int[] b, int b0, int b1, List<Op> ops)
    {
        int n = a1 - a0, m = b1 - b0, max = n + m;
        if (n == 0 || m == 0)
        {
            AddReplacement(a0, a1, b0, b1, ops);
            return;
        }

        // Bound the work: past this many differences, show the region as replaced instead of finding the shortest script.
        var limit = Math.Min(max, Math.Clamp(10_000_000 / max, 200, 2000));
        var offset = max + 1;
        var v = new int[(2 * max) + 3];
        var trace = new List<int[]>();
        var found = -1;
        for (var d = 0; d <= limit && found < 0; d++)
        {
            trace.Add(v.AsSpan(offset - d, (2 * d) + 1).ToArray());
            for (var k = -d; k <= d; k += 2)
            {
                var x = k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1]) ? v[offset + k + 1] : v[offset + k - 1] + 1;
                var y = x - k;
                while (x < n && y < m && a[a0 + x] == b[b0 + y])
                {
                    x++;
                    y++;
                }

                v[offset + k] = x;
                if (x >= n && y >= m)
                {
                    found = d;
                    break;
                }
            }
        }

        if (found < 0)
        {
            AddReplacement(a0, a1, b0, b1, ops);
            return;
        }

        var reversed = new List<Op>();
        int cx = n, cy = m;
        for (var d = found; d >= 0; d--)
        {
            int prevX, prevY;
            if (d == 0)
            {
                prevX = 0;
                prevY = 0;
            }
            else
            {
                var snapshot = trace[d];
                var k = cx - cy;
                var down = k == -d || (k != d && snapshot[k - 1 + d] < snapshot[k + 1 + d]);
                var prevK = down ? k + 1 : k - 1;
                prevX = snapshot[prevK + d];
                prevY = prevX - prevK;
            }

            while (cx > prevX && cy > prevY)
            {
                cx--;
                cy--;
                reversed.Add(new Op(' ', a0 + cx, b0 + cy));
            }

            if (d > 0)
            {
                reversed.Add(cx == prevX ? new Op('+', -1, b0 + prevY) : new Op('-', a0 + prevX, -1));
            }

            cx = prevX;
            cy = prevY;
        }

        reversed.Reverse();
        ops.AddRange(reversed);
    }

    private static void AddReplacement(int a0, int a1, int b0, int b1, List<Op> ops)
    {
        for (var i = a0; i < a1; i++)
        {
            ops.Add(new Op('-', i, -1));
        }

        for (var j = b0; j < b1; j++)
        {
            ops.Add(new Op('+', -1, j));
        }
    }

    /// <summary>Ranges of the edit script (inclusive op indexes) to show as hunks: changes with context, merged when close.</summary>
    private static List<(int Start, int End)> Hunks(List<Op> ops)
    {
        var hunks = new List<(int Start, int End)>();
        for (var i = 0; i < ops.Count; i++)
        {
            if (ops[i].Kind == ' ')
            {
                continue;
            }

            var start = Math.Max(0, i - Context);
            var end = Math.Min(ops.Count - 1, i + Context);
            if (hunks.Count > 0 && start <= hunks[^1].End + 1)
            {
                hunks[^1] = (hunks[^1].Start, end);
            }
            else
            {
                hunks.Add((start, end));
            }
        }

        return hunks;
    }

    /// <summary>Appends one hunk; <paramref name="oldBefore"/> and <paramref name="newBefore"/> count the lines above it on each side.</summary>
    private static void AppendHunk(List<string> lines, List<Op> ops, int start, int end, int oldBefore, int newBefore, Line[] oldLines, Line[] newLines)
    {
        int oldCount = 0, newCount = 0;
        for (var i = start; i <= end; i++)
        {
            oldCount += ops[i].Kind == '+' ? 0 : 1;
            newCount += ops[i].Kind == '-' ? 0 : 1;
        }

        lines.Add(string.Create(
            CultureInfo.InvariantCulture,
            $"@@ -{(oldCount == 0 ? oldBefore : oldBefore + 1)},{oldCount} +{(newCount == 0 ? newBefore : newBefore + 1)},{newCount} @@"));
        for (var i = start; i <= end; i++)
        {
            var op = ops[i];
            var line = op.Kind == '+' ? newLines[op.NewIndex] : oldLines[op.OldIndex];
            var text = line.Text.Length > MaxLineLength ? line.Text[..MaxLineLength] + " [… line cut …]" : line.Text;
            lines.Add(op.Kind + text);
            if (!line.HasNewLine)
            {
                lines.Add("\\ No newline at end of file");
            }
        }
    }

    private static string Bound(List<string> lines, int maxLines, int maxChars)
    {
        var builder = new StringBuilder();
        for (var i = 0; i < lines.Count; i++)
        {
            if (i >= maxLines || builder.Length + lines[i].Length + 1 > maxChars)
            {
                builder.Append(CultureInfo.InvariantCulture, $"… {lines.Count - i} more lines of the diff not shown\n");
                break;
            }

            builder.Append(lines[i]).Append('\n');
        }

        return builder.ToString().TrimEnd('\n');
    }

    private readonly record struct Line(string Text, bool HasNewLine);

    private readonly record struct Op(char Kind, int OldIndex, int NewIndex);
}
