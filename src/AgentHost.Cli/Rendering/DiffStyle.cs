using System.Text;

namespace AgentHost.Cli.Rendering;

/// <summary>
/// Unified diffs as a terminal shows them: added lines green, removed lines red, hunk headers cyan, file headers bold.
/// Without colour (piped, <c>NO_COLOR</c>, <c>TERM=dumb</c>) the text is left exactly as it is: the + and - say it all.
/// </summary>
internal static class DiffStyle
{
    private const string Reset = "\u001b[0m";

    /// <summary>One diff line, coloured when <paramref name="colour"/>.</summary>
    public static string Line(string line, bool colour)
    {
        if (!colour || line.Length == 0)
        {
            return line;
        }

        var style = line switch
        {
            _ when line.StartsWith("+++", StringComparison.Ordinal) || line.StartsWith("---", StringComparison.Ordinal) => "\u001b[1m",
            _ when line.StartsWith("@@", StringComparison.Ordinal) => "\u001b[36m",
            _ when line[0] == '+' => "\u001b[32m",
            _ when line[0] == '-' => "\u001b[31m",
            _ => null,
        };
        return style is null ? line : style + line + Reset;
    }

    /// <summary>A whole diff, line by line; line ends are kept.</summary>
    public static string Text(string diff, bool colour)
    {
        if (!colour)
        {
            return diff;
        }

        var text = new StringBuilder(diff.Length + 64);
        foreach (var line in diff.Split('\n'))
        {
            if (text.Length > 0)
            {
                text.Append('\n');
            }

            text.Append(Line(line.TrimEnd('\r'), colour));
        }

        return text.ToString();
    }

    /// <summary>The unified diff in a file tool's result (after its summary line), or null when it has none.</summary>
    public static string? InResult(string result)
    {
        var start = result.IndexOf("\n--- ", StringComparison.Ordinal);
        return start < 0 || result.IndexOf("\n+++ ", start + 1, StringComparison.Ordinal) < 0 ? null : result[(start + 1)..].TrimEnd();
    }
}
