namespace AgentHost.Cli.Rendering;

/// <summary>
/// The short look at a tool's result that text output prints after <c>✓ tool (12 ms)</c>: its first non-blank line
/// (up to 100 characters) and how many more lines there are; with <c>--verbose</c>, up to 8 lines below it.
/// </summary>
/// <remarks>The event carries the first 400 characters of the result (scrubbed of secrets), so the line count is of that part.</remarks>
internal static class ResultPreview
{
    private const int LineCharacters = 100;
    private const int VerboseLines = 8;
    private const int VerboseLineCharacters = 160;

    /// <summary>The text to append to the tool's line: empty for an empty result.</summary>
    public static string Render(string preview, bool verbose)
    {
        var lines = preview.ReplaceLineEndings("\n").Split('\n').Select(line => line.TrimEnd()).ToList();
        while (lines.Count > 0 && lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        var first = lines.FindIndex(line => line.Length > 0);
        if (first < 0)
        {
            return string.Empty;
        }

        if (verbose)
        {
            var shown = lines.Skip(first).Take(VerboseLines).Select(line => "\n    │ " + Shorten(line, VerboseLineCharacters));
            var hidden = lines.Count - first - VerboseLines;
            return string.Concat(shown) + (hidden > 0 ? $"\n    │ … {hidden} more lines" : string.Empty);
        }

        var more = lines.Count - first - 1;
        return $": {Shorten(lines[first].Trim(), LineCharacters)}{(more > 0 ? $" (+{more} lines)" : string.Empty)}";
    }

    private static string Shorten(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
