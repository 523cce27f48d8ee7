using System.Text;
using Markdig;
using Markdig.Extensions.Tables;
using Markdig.Extensions.TaskLists;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;
using Spectre.Console;
using Spectre.Console.Rendering;
using MarkdownTable = Markdig.Extensions.Tables.Table;
using TableCell = Markdig.Extensions.Tables.TableCell;
using TableRow = Markdig.Extensions.Tables.TableRow;
using TerminalTable = Spectre.Console.Table;

using AgentHost.Cli.Rendering;

namespace AgentHost.Benchmarks;

/// <summary>
/// The MarkdownAnswerWriter of commit dee06c9 (before the chat rendering work), kept as the "before" of MarkdownRenderingBenchmarks.
/// Renders a streamed Markdown answer at a terminal (Markdig parses, Spectre.Console draws): headings, emphasis,
/// inline code, lists, quotes, code blocks, tables and rules. Text arrives in deltas; each block is drawn once it is
/// complete (a blank line outside a code fence), the rest when the message ends.
/// </summary>
/// <remarks>
/// Made only when stdout is a terminal, so a piped run never loads Markdig or Spectre.Console. <c>NO_COLOR</c> keeps
/// the layout without colours; a dumb terminal gets no escape sequences at all. If drawing fails, the text is written
/// as it came: an answer is never lost to rendering.
/// </remarks>
internal sealed class MarkdownAnswerWriterBefore : IAnswerWriter
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().UsePipeTables().UseEmphasisExtras().UseTaskLists().UseAutoLinks().Build();

    private readonly IAnsiConsole _console;
    private readonly TextWriter _output;
    private readonly StringBuilder _pending = new();
    private bool _wroteBlock;

    /// <summary>Creates a writer onto a terminal's output.</summary>
    /// <param name="output">The terminal (stdout).</param>
    /// <param name="environment">The environment variables (<c>NO_COLOR</c>, <c>TERM</c>).</param>
    /// <param name="width">The terminal's width in columns.</param>
    public MarkdownAnswerWriterBefore(TextWriter output, IReadOnlyDictionary<string, string> environment, int width)
    {
        _output = output;
        var dumb = environment.TryGetValue("TERM", out var term) && string.Equals(term, "dumb", StringComparison.Ordinal);
        var noColor = environment.TryGetValue("NO_COLOR", out var value) && value.Length > 0;
        _console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = dumb ? AnsiSupport.No : AnsiSupport.Yes,
            ColorSystem = dumb || noColor ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        _console.Profile.Width = Math.Max(20, width);
    }

    /// <inheritdoc />
    public void Append(string text)
    {
        _pending.Append(text);
        var complete = CompleteBlocksLength(_pending);
        if (complete > 0)
        {
            var blocks = _pending.ToString(0, complete);
            _pending.Remove(0, complete);
            Draw(blocks);
        }
    }

    /// <inheritdoc />
    public void Flush()
    {
        if (_pending.Length > 0)
        {
            var rest = _pending.ToString();
            _pending.Clear();
            Draw(rest);
        }

        _wroteBlock = false;
    }

    /// <inheritdoc />
    public void Discard()
    {
        _pending.Clear();
        _wroteBlock = false;
    }

    /// <summary>
    /// How much of the text is whole blocks: up to the start of a line that follows a blank line outside a code fence
    /// and is not indented (an indented one may continue a list item); 0 when there is none yet.
    /// </summary>
    internal static int CompleteBlocksLength(StringBuilder text)
    {
        var end = 0;
        var inFence = false;
        var afterBlank = false;
        var lineStart = 0;
        for (var i = 0; i <= text.Length; i++)
        {
            if (afterBlank && i == lineStart && i < text.Length && text[i] is not (' ' or '\t' or '\n' or '\r'))
            {
                end = i;
                afterBlank = false;
            }

            if (i == text.Length || text[i] != '\n')
            {
                continue;
            }

            var line = text.ToString(lineStart, i - lineStart).Trim();
            if (line.StartsWith("```", StringComparison.Ordinal) || line.StartsWith("~~~", StringComparison.Ordinal))
            {
                inFence = !inFence;
            }

            afterBlank = line.Length == 0 && !inFence && lineStart > 0;
            lineStart = i + 1;
        }

        return end;
    }

    private void Draw(string markdown)
    {
        if (markdown.Trim().Length == 0)
        {
            return;
        }

        try
        {
            foreach (var block in Markdown.Parse(markdown, Pipeline))
            {
                if (_wroteBlock)
                {
                    _console.WriteLine();
                }

                _console.Write(Render(block));
                _wroteBlock = true;
            }
        }
#pragma warning disable CA1031 // Rendering is cosmetic: whatever goes wrong, the answer is written as it came.
        catch (Exception)
#pragma warning restore CA1031
        {
            _output.Write(markdown);
            _output.Flush();
        }
    }

    private static IRenderable Render(Block block) => block switch
    {
        MarkdownTable table => RenderTable(table),
        ThematicBreakBlock => new Rule { Style = Style.Parse("dim") },
        _ => new Markup(string.Join('\n', Lines(block)) + "\n"),
    };

    /// <summary>A block as lines of Spectre markup (lists and quotes nest by prefixing their children's lines).</summary>
    private static IEnumerable<string> Lines(Block block)
    {
        switch (block)
        {
            case HeadingBlock heading:
                yield return heading.Level <= 1 ? $"[bold underline]{Inlines(heading.Inline)}[/]" : $"[bold]{Inlines(heading.Inline)}[/]";
                break;
            case ParagraphBlock paragraph:
                yield return Inlines(paragraph.Inline);
                break;
            case CodeBlock code:
                var language = (code as FencedCodeBlock)?.Info;
                if (language is { Length: > 0 })
                {
                    yield return $"[dim]{Markup.Escape(language)}[/]";
                }

                foreach (var line in code.Lines.Lines.Take(code.Lines.Count))
                {
                    yield return "[dim]│[/] " + Markup.Escape(line.ToString());
                }

                break;
            case ListBlock list:
                var number = int.TryParse(list.OrderedStart, out var start) ? start : 1;
                foreach (var item in list.OfType<ListItemBlock>())
                {
                    var bullet = list.IsOrdered ? $"{number++}." : "•";
                    var first = true;
                    foreach (var line in item.SelectMany(Lines))
                    {
                        yield return first ? $"{bullet} {line}" : new string(' ', bullet.Length + 1) + line;
                        first = false;
                    }
                }

                break;
            case QuoteBlock quote:
                foreach (var line in quote.SelectMany(Lines))
                {
                    yield return $"[dim]│[/] [italic]{line}[/]";
                }

                break;
            case MarkdownTable table:
                // A table inside a list or quote: its rows as text.
                foreach (var row in table.OfType<TableRow>())
                {
                    yield return string.Join(" [dim]│[/] ", row.OfType<TableCell>().Select(Cell));
                }

                break;
            case ThematicBreakBlock:
                yield return "[dim]───[/]";
                break;
            case LeafBlock leaf:
                foreach (var line in leaf.Lines.Lines.Take(leaf.Lines.Count))
                {
                    yield return Markup.Escape(line.ToString());
                }

                break;
            case ContainerBlock container:
                foreach (var line in container.SelectMany(Lines))
                {
                    yield return line;
                }

                break;
        }
    }

    private static TerminalTable RenderTable(MarkdownTable table)
    {
        var rows = table.OfType<TableRow>().ToList();
        var rendered = new TerminalTable { Border = TableBorder.Rounded };
        var header = rows.FirstOrDefault(row => row.IsHeader) ?? rows.FirstOrDefault();
        if (header is null)
        {
            return rendered;
        }

        foreach (var cell in header.OfType<TableCell>())
        {
            rendered.AddColumn(new TableColumn(new Markup($"[bold]{Cell(cell)}[/]")));
        }

        foreach (var row in rows.Where(row => !ReferenceEquals(row, header)))
        {
            var cells = row.OfType<TableCell>().Select(cell => (IRenderable)new Markup(Cell(cell))).ToList();
            while (cells.Count < rendered.Columns.Count)
            {
                cells.Add(new Text(string.Empty));
            }

            rendered.AddRow(cells.Take(rendered.Columns.Count));
        }

        return rendered;
    }

    private static string Cell(TableCell cell) => string.Join(' ', cell.SelectMany(Lines));

    private static string Inlines(ContainerInline? container)
    {
        var text = new StringBuilder();
        if (container is null)
        {
            return string.Empty;
        }

        foreach (var inline in container)
        {
            switch (inline)
            {
                case LiteralInline literal:
                    text.Append(Markup.Escape(literal.Content.ToString()));
                    break;
                case CodeInline code:
                    text.Append("[cyan]").Append(Markup.Escape(code.Content)).Append("[/]");
                    break;
                case EmphasisInline emphasis:
                    var style = emphasis.DelimiterChar == '~' ? "strikethrough" : emphasis.DelimiterCount >= 2 ? "bold" : "italic";
                    text.Append('[').Append(style).Append(']').Append(Inlines(emphasis)).Append("[/]");
                    break;
                case LinkInline { IsImage: true } image:
                    text.Append("[dim]\\[image: ").Append(Inlines(image)).Append("][/]");
                    break;
                case LinkInline link:
                    var label = Inlines(link);
                    text.Append("[underline]").Append(label.Length > 0 ? label : Markup.Escape(link.Url ?? string.Empty)).Append("[/]");
                    if (label.Length > 0 && link.Url is { Length: > 0 } url && !string.Equals(label, Markup.Escape(url), StringComparison.Ordinal))
                    {
                        text.Append(" [dim](").Append(Markup.Escape(url)).Append(")[/]");
                    }

                    break;
                case AutolinkInline autolink:
                    text.Append("[underline]").Append(Markup.Escape(autolink.Url)).Append("[/]");
                    break;
                case TaskList task:
                    text.Append(task.Checked ? "☑" : "☐");
                    break;
                case LineBreakInline lineBreak:
                    text.Append(lineBreak.IsHard ? "\n" : " ");
                    break;
                case HtmlEntityInline entity:
                    text.Append(Markup.Escape(entity.Transcoded.ToString()));
                    break;
                case HtmlInline html:
                    text.Append(Markup.Escape(html.Tag));
                    break;
                case ContainerInline nested:
                    text.Append(Inlines(nested));
                    break;
            }
        }

        return text.ToString();
    }
}
