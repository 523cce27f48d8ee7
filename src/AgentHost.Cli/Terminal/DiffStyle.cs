namespace AgentHost.Cli.Terminal;

/// <summary>
/// Unified diffs as a terminal shows them: added lines green, removed lines red, hunk headers cyan, file headers bold.
/// Without colour (piped, <c>NO_COLOR</c>, <c>TERM=dumb</c>) the text is left as it is: the + and - say it all. The
/// diff's text is neutralised either way (<see cref="TerminalText"/>): a file's content never styles itself.
/// </summary>
internal static class DiffStyle
{
    /// <summary>One diff line, coloured when <paramref name="colour"/>.</summary>
    public static TerminalText Line(string line, bool colour)
    {
        if (!colour || line.Length == 0)
        {
            return line;
        }

        TextStyle? style = line switch
        {
            _ when line.StartsWith("+++", StringComparison.Ordinal) || line.StartsWith("---", StringComparison.Ordinal) => TextStyle.Bold,
            _ when line.StartsWith("@@", StringComparison.Ordinal) => TextStyle.Cyan,
            _ when line[0] == '+' => TextStyle.Green,
            _ when line[0] == '-' => TextStyle.Red,
            _ => null,
        };
        return style is { } chosen ? TerminalControl.Styled(chosen, line) : line;
    }

    /// <summary>A whole diff, line by line; line ends are kept.</summary>
    public static TerminalText Text(string diff, bool colour)
    {
        if (!colour)
        {
            return diff;
        }

        return TerminalText.Join("\n", diff.Split('\n').Select(line => Line(line.TrimEnd('\r'), colour)));
    }

    /// <summary>The unified diff in a file tool's result (after its summary line), or null when it has none.</summary>
    public static string? InResult(string result)
    {
        var start = result.IndexOf("\n--- ", StringComparison.Ordinal);
        return start < 0 || result.IndexOf("\n+++ ", start + 1, StringComparison.Ordinal) < 0 ? null : result[(start + 1)..].TrimEnd();
    }
}
