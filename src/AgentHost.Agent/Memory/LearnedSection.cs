namespace AgentHost.Agent.Memory;

/// <summary>
/// Edits the section of a project memory file the agent owns: the lines between <see cref="StartMarker"/> and
/// <see cref="EndMarker"/> (each a line of its own). Everything outside them stays byte for byte as it was; a file
/// without the section gets it appended at its end. Inside, new notes are added as list items (<c>- note</c>) before
/// the end marker, a note already there is not added again, and past <see cref="LearnedEdit.MaxNotes"/> items the
/// oldest are removed. Other lines inside (the heading, a person's edits) are kept.
/// </summary>
/// <remarks>Pure and thread-safe: text in, text out.</remarks>
internal static class LearnedSection
{
    /// <summary>The line that opens the section.</summary>
    public const string StartMarker = "<!-- agent:learned:start -->";

    /// <summary>The line that closes the section.</summary>
    public const string EndMarker = "<!-- agent:learned:end -->";

    /// <summary>The section's heading.</summary>
    public const string Heading = "## Learned by the agent";

    /// <summary>The line under the heading.</summary>
    public const string Intro = "Notes the agent recorded while working here (memory.auto_update), oldest first. Edit or delete them as you like; keep the two marker comments.";

    /// <summary>The file made when the memory file is missing and <c>memory.create_if_missing</c> is on (before the section).</summary>
    public const string Template = "# AGENTS.md\n\nInstructions and notes for agents working in this project: how to build and test, conventions, pitfalls.\nWrite yours above the section below; the agent keeps that section.\n";

    /// <summary>The most notes the section keeps by default.</summary>
    public const int DefaultMaxNotes = 50;

    /// <summary>Adds notes to the section of <paramref name="existing"/> (a new file from <see cref="Template"/> when <see langword="null"/>).</summary>
    /// <param name="existing">The file's text (byte order mark removed), or <see langword="null"/> when the file is missing.</param>
    /// <param name="notes">The notes to add, in order.</param>
    /// <param name="maxNotes">The most list items the section keeps.</param>
    /// <returns>The edit: the new text (unchanged when nothing is added), what was added, skipped and dropped, or the problem.</returns>
    public static LearnedEdit Apply(string? existing, IReadOnlyList<LearnedNote> notes, int maxNotes = DefaultMaxNotes)
    {
        ArgumentNullException.ThrowIfNull(notes);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxNotes, 1);
        var text = existing ?? Template;
        var newline = text.Contains("\r\n", StringComparison.Ordinal) ? "\r\n" : "\n";
        var lines = Lines(text);
        var starts = lines.Where(l => l.Content.Trim() == StartMarker).ToList();
        var ends = lines.Where(l => l.Content.Trim() == EndMarker).ToList();
        if (starts.Count > 1 || ends.Count > 1 || starts.Count != ends.Count || (starts.Count == 1 && ends[0].Index < starts[0].Index))
        {
            return LearnedEdit.Broken(
                $"its learned section is not one {StartMarker} line followed by one {EndMarker} line ({starts.Count} start and {ends.Count} end markers); mend or remove the markers by hand, and the next notes will be saved",
                maxNotes);
        }

        List<string> body;
        string prefix, suffix;
        if (starts.Count == 0)
        {
            // Appended after everything the file has: its own bytes stay a prefix of the new text.
            prefix = text.Length == 0 ? string.Empty
                : text.EndsWith(newline + newline, StringComparison.Ordinal) ? text
                : text.EndsWith('\n') ? text + newline
                : text + newline + newline;
            prefix += StartMarker + newline;
            suffix = EndMarker + newline;
            body = [Heading, string.Empty, Intro, string.Empty];
        }
        else
        {
            var start = starts[0];
            var end = ends[0];
            prefix = text[..start.Next];
            suffix = text[end.Offset..];
            body = [.. lines.Where(l => l.Index > start.Index && l.Index < end.Index).Select(l => l.Content)];
        }

        var known = body.Where(IsItem).Select(l => LearnedNote.KeyOf(l.TrimStart()[2..])).ToHashSet(StringComparer.Ordinal);
        var added = new List<string>();
        var duplicates = new List<string>();
        foreach (var note in notes)
        {
            if (known.Add(LearnedNote.KeyOf(note.Line)))
            {
                added.Add(note.Line);
            }
            else
            {
                duplicates.Add(note.Line);
            }
        }

        if (added.Count == 0)
        {
            return new LearnedEdit(existing, existing, [], duplicates, [], maxNotes);
        }

        // New items go after the last item (else at the end), so a person's lines after the list stay after it.
        var at = body.FindLastIndex(IsItem) is var last and >= 0 ? last + 1 : body.Count;
        body.InsertRange(at, added.Select(n => "- " + n));
        var dropped = new List<string>();
        while (body.Count(IsItem) > maxNotes)
        {
            var oldest = body.FindIndex(IsItem);
            dropped.Add(body[oldest].TrimStart()[2..]);
            body.RemoveAt(oldest);
        }

        var section = string.Concat(body.Select(l => l + newline));
        return new LearnedEdit(existing, prefix + section + suffix, added, duplicates, dropped, maxNotes);
    }

    /// <summary>Whether a line inside the section is a note: a list item <c>- …</c>.</summary>
    private static bool IsItem(string line) => line.TrimStart().StartsWith("- ", StringComparison.Ordinal) && line.TrimStart().Length > 2;

    /// <summary>The lines of a text: where each starts, where the next starts, and its content without the line break.</summary>
    private static List<Line> Lines(string text)
    {
        var lines = new List<Line>();
        var offset = 0;
        while (offset < text.Length)
        {
            var newline = text.IndexOf('\n', offset);
            var next = newline < 0 ? text.Length : newline + 1;
            var content = text[offset..(newline < 0 ? text.Length : newline)].TrimEnd('\r');
            lines.Add(new Line(lines.Count, offset, next, content));
            offset = next;
        }

        return lines;
    }

    private sealed record Line(int Index, int Offset, int Next, string Content);
}

/// <summary>What <see cref="LearnedSection.Apply"/> made of the file.</summary>
/// <param name="Before">The file's text before (<see langword="null"/>: missing).</param>
/// <param name="After">The file's text after; equal to <paramref name="Before"/> when nothing is added; <see langword="null"/> when the section is broken.</param>
/// <param name="Added">The notes added, as their lines.</param>
/// <param name="Duplicates">The notes already in the section (not added again).</param>
/// <param name="Dropped">The oldest notes removed to keep the section at <paramref name="MaxNotes"/>.</param>
/// <param name="MaxNotes">The most notes the section keeps.</param>
internal sealed record LearnedEdit(string? Before, string? After, IReadOnlyList<string> Added, IReadOnlyList<string> Duplicates, IReadOnlyList<string> Dropped, int MaxNotes)
{
    /// <summary>Why the section cannot be edited, when it cannot.</summary>
    public string? Problem { get; init; }

    /// <summary>Whether the file changes.</summary>
    public bool Changes => Problem is null && Added.Count > 0;

    /// <summary>The added and removed lines: <c>+2 -1</c> (a new file counts all its lines).</summary>
    public string DiffSummary => string.Create(
        System.Globalization.CultureInfo.InvariantCulture,
        $"+{(Before is null ? CountLines(After) : Added.Count)} -{Dropped.Count}");

    /// <summary>What the change does, for a permission prompt: the notes added (<c>+ - …</c>) and removed (<c>- - …</c>).</summary>
    public string Preview => string.Join('\n', [
        .. Before is null ? ["(a new file)"] : Array.Empty<string>(),
        .. Added.Select(n => "+ - " + n),
        .. Dropped.Select(n => "- - " + n)]);

    public static LearnedEdit Broken(string problem, int maxNotes) => new(null, null, [], [], [], maxNotes) { Problem = problem };

    private static int CountLines(string? text) => text is null ? 0 : text.Count(c => c == '\n') + (text.EndsWith('\n') ? 0 : 1);
}
