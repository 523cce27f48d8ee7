using System.Globalization;
using System.Text;
using DiffPlex;
using DiffPlex.Chunkers;

namespace AgentHost.Common.Diff;

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

/// <summary>
/// Line diffs (DiffPlex's, the one diff of the host and its files plugin) rendered as bounded unified diffs with three lines
/// of context and git's hunk headers: a side with no lines is <c>-0,0</c> / <c>+0,0</c>.
/// </summary>
internal static class UnifiedDiff
{
    /// <summary>The most diff lines shown.</summary>
    public const int MaxLines = 200;

    /// <summary>The most diff characters shown.</summary>
    public const int MaxChars = 20_000;

    /// <summary>Splits <see cref="Pieces"/> back into the ids (an empty text is no line).</summary>
    private static readonly CustomFunctionChunker IdChunker = new(text => text.Length == 0 ? [] : text.Split('\n'));

    private const int Context = 3;
    /// <summary>The most characters of one diff line shown; longer lines are cut with a note.</summary>
    public const int MaxLineLength = 1000;

    /// <summary>Diffs two texts with <c>\n</c> line endings.</summary>
    /// <param name="oldText">The current text, or <see langword="null"/> when the file does not exist yet.</param>
    /// <param name="newText">The new text, or <see langword="null"/> when the file is deleted.</param>
    /// <param name="path">The path shown in the <c>---</c>/<c>+++</c> header (relative, with <c>/</c> separators).</param>
    /// <param name="maxLines">The most diff lines shown.</param>
    /// <param name="maxChars">The most characters shown.</param>
    /// <param name="maxLineLength">The most characters of one line shown.</param>
    /// <returns>The diff.</returns>
    public static TextDiff Create(string? oldText, string? newText, string path, int maxLines = MaxLines, int maxChars = MaxChars, int maxLineLength = MaxLineLength)
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

            AppendHunk(lines, ops, start, end, oldBefore, newBefore, oldLines, newLines, maxLineLength);
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

    /// <summary>
    /// Past this many lines on both sides of the changed middle together, the middle is shown as replaced: the line diff's
    /// work grows with the lines times the differences, and a whole rewrite of a large file needs no finer script.
    /// </summary>
    private const int MaxMiddleLines = 40_000;

    /// <summary>
    /// The edit script — equal lines (<c>' '</c>), deletions (<c>'-'</c>) and insertions (<c>'+'</c>) in order: the common
    /// prefix and suffix, and between them DiffPlex's line diff. Each line is compared by an id that includes its line
    /// end, so a last line without one differs from the same text with one.
    /// </summary>
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

        Middle(a.AsSpan(prefix, a.Length - suffix - prefix), prefix, b.AsSpan(prefix, b.Length - suffix - prefix), prefix, ops);
        for (var i = 0; i < suffix; i++)
        {
            ops.Add(new Op(' ', a.Length - suffix + i, b.Length - suffix + i));
        }

        return ops;
    }

    /// <summary>The script of the changed middle (<paramref name="a"/> from line <paramref name="a0"/>, <paramref name="b"/> from <paramref name="b0"/>).</summary>
    private static void Middle(ReadOnlySpan<int> a, int a0, ReadOnlySpan<int> b, int b0, List<Op> ops)
    {
        if (a.Length == 0 || b.Length == 0 || a.Length + b.Length > MaxMiddleLines)
        {
            for (var i = 0; i < a.Length; i++)
            {
                ops.Add(new Op('-', a0 + i, -1));
            }

            for (var j = 0; j < b.Length; j++)
            {
                ops.Add(new Op('+', -1, b0 + j));
            }

            return;
        }

        var result = Differ.Instance.CreateDiffs(Pieces(a), Pieces(b), ignoreWhiteSpace: false, ignoreCase: false, IdChunker);
        int x = 0, y = 0;
        foreach (var block in result.DiffBlocks)
        {
            for (; x < block.DeleteStartA; x++, y++)
            {
                ops.Add(new Op(' ', a0 + x, b0 + y));
            }

            for (var k = 0; k < block.DeleteCountA; k++, x++)
            {
                ops.Add(new Op('-', a0 + x, -1));
            }

            for (var k = 0; k < block.InsertCountB; k++, y++)
            {
                ops.Add(new Op('+', -1, b0 + y));
            }
        }

        for (; x < a.Length; x++, y++)
        {
            ops.Add(new Op(' ', a0 + x, b0 + y));
        }
    }

    /// <summary>The line ids as DiffPlex's input: one id per line, each followed by a line end.</summary>
    private static string Pieces(ReadOnlySpan<int> ids)
    {
        var text = new StringBuilder(ids.Length * 4);
        foreach (var id in ids)
        {
            text.Append(text.Length == 0 ? string.Empty : "\n").Append(id.ToString(CultureInfo.InvariantCulture));
        }

        return text.ToString();
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
    private static void AppendHunk(List<string> lines, List<Op> ops, int start, int end, int oldBefore, int newBefore, Line[] oldLines, Line[] newLines, int maxLineLength)
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
            var text = line.Text.Length > maxLineLength ? line.Text[..maxLineLength] + " [… line cut …]" : line.Text;
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
