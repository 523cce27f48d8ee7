using System.Text;
using AgentHost.Cli.Interaction;

namespace AgentHost.Cli.Rendering;

/// <summary>Writes left-aligned plain-text tables (stable for scripts and tests; no colours).</summary>
internal static class TextTable
{
    public static void Write(IConsoleInteraction console, IReadOnlyList<string> headers, IReadOnlyList<string[]> rows)
    {
        var widths = headers.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        console.WriteLine(Line(headers, widths));
        foreach (var row in rows)
        {
            console.WriteLine(Line(row, widths));
        }
    }

    private static string Line(IReadOnlyList<string> cells, int[] widths)
    {
        var builder = new StringBuilder();
        for (var i = 0; i < cells.Count; i++)
        {
            builder.Append(i == cells.Count - 1 ? cells[i] : cells[i].PadRight(widths[i] + 2));
        }

        return builder.ToString().TrimEnd();
    }
}
