using System.Text;

namespace AgentHost.Cli.Terminal;

/// <summary>
/// Breaks the CLI's own lines (the chat's <c>/help</c> and status line, the compare view) at spaces to the terminal's
/// width as it is now, so a narrower terminal does not break them mid-word. The text is plain (no escape sequences);
/// characters count as one column each.
/// </summary>
internal static class WordWrap
{
    /// <summary>
    /// <paramref name="lead"/> and <paramref name="parts"/> joined by <paramref name="separator"/>, a new line (after
    /// <paramref name="indent"/>) started wherever the next part would not fit in <paramref name="width"/> columns. A
    /// part is never broken (one wider than the terminal is left to it).
    /// </summary>
    public static string JoinFitting(string lead, IEnumerable<string> parts, string separator, int width, string indent)
    {
        var output = new StringBuilder(lead);
        var column = lead.Length;
        var first = true;
        foreach (var part in parts)
        {
            if (!first && column + separator.Length + part.Length > width)
            {
                output.Append(separator.TrimEnd()).Append('\n').Append(indent).Append(part);
                column = indent.Length + part.Length;
            }
            else
            {
                output.Append(first ? string.Empty : separator).Append(part);
                column += (first ? 0 : separator.Length) + part.Length;
            }

            first = false;
        }

        return output.ToString();
    }

    /// <summary>
    /// <paramref name="text"/> with each line broken at spaces so that no line is wider than <paramref name="width"/>
    /// columns; a broken line continues after <paramref name="indent"/>. A word wider than the room is cut.
    /// </summary>
    public static string Wrap(string text, int width, string indent)
    {
        width = Math.Max(indent.Length + 10, width);
        if (text.Length <= width && !text.Contains('\n', StringComparison.Ordinal))
        {
            return text;
        }

        var output = new StringBuilder(text.Length + 16);
        var lines = text.Split('\n');
        for (var l = 0; l < lines.Length; l++)
        {
            if (l > 0)
            {
                output.Append('\n');
            }

            var line = lines[l];
            var start = 0;
            var room = width;
            while (line.Length - start > room)
            {
                var cut = line.LastIndexOf(' ', start + room, room);
                var next = cut > start ? cut + 1 : start + room;
                output.Append(line, start, (cut > start ? cut : next) - start).Append('\n').Append(indent);
                start = next;
                while (start < line.Length && line[start] == ' ')
                {
                    start++;
                }

                room = width - indent.Length;
            }

            output.Append(line, start, line.Length - start);
        }

        return output.ToString();
    }
}
