using AngleSharp.Dom;

namespace AgentHost.Plugins.Web.Html;

internal sealed partial class MarkdownRenderer
{
    /// <summary>
    /// A data table as a GFM table (the first row is the header; <c>colspan</c> repeats empty cells); a layout table
    /// (nested tables, or one column) as the blocks of its cells. Plain mode writes one line per row.
    /// </summary>
    private List<string> Table(IElement table)
    {
        var rows = table.QuerySelectorAll("tr").Where(tr => tr.Closest("table") == table).ToList();
        var cells = rows.Select(row => row.Children.Where(c => c.LocalName is "td" or "th").ToList()).Where(r => r.Count > 0).ToList();
        if (cells.Count == 0 || table.QuerySelector("table") is not null || cells.Max(r => Width(r)) <= 1)
        {
            return cells.Count == 0 ? Blocks(table) : cells.SelectMany(r => r).SelectMany(Blocks).ToList();
        }

        var width = cells.Max(Width);
        var lines = cells.Select(row => Row(row, width)).ToList();
        var blocks = new List<string>();
        if (table.QuerySelector("caption") is { } caption && InlineText(caption) is { Length: > 0 } text)
        {
            blocks.Add(_plain ? text : $"*{text}*");
        }

        if (_plain)
        {
            blocks.Add(string.Join('\n', lines.Select(cells => string.Join(" | ", cells).TrimEnd())));
            return blocks;
        }

        var rendered = new List<string> { Line(lines[0]), Line(Enumerable.Repeat("---", width).ToList()) };
        rendered.AddRange(lines.Skip(1).Select(Line));
        blocks.Add(string.Join('\n', rendered));
        return blocks;
    }

    private static int Width(List<IElement> row) => row.Sum(Span);

    private static int Span(IElement cell) => int.TryParse(cell.GetAttribute("colspan"), out var span) && span is > 1 and <= 100 ? span : 1;

    private List<string> Row(List<IElement> row, int width)
    {
        var cells = new List<string>();
        foreach (var cell in row)
        {
            var inline = new InlineBuilder();
            InlineChildren(cell, inline);
            cells.Add(inline.ToString().Trim().Replace('\n', ' ').Replace("|", _plain ? "|" : "\\|", StringComparison.Ordinal));
            cells.AddRange(Enumerable.Repeat(string.Empty, Span(cell) - 1));
        }

        cells.AddRange(Enumerable.Repeat(string.Empty, Math.Max(0, width - cells.Count)));
        return cells;
    }

    private static string Line(List<string> cells) => "| " + string.Join(" | ", cells) + " |";
}
