using System.Text;
using AgentHost.Cli.Terminal;
using Markdig;
using Markdig.Extensions.Tables;
using Markdig.Extensions.TaskLists;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;
using AgentHost.Cli.Interaction;
using Spectre.Console;
using Spectre.Console.Rendering;
using MarkdownTable = Markdig.Extensions.Tables.Table;
using TableCell = Markdig.Extensions.Tables.TableCell;
using TableRow = Markdig.Extensions.Tables.TableRow;
using TerminalTable = Spectre.Console.Table;

namespace AgentHost.Cli.Rendering;

/// <summary>
/// Renders a streamed Markdown answer at a terminal (Markdig parses, Spectre.Console draws): headings, emphasis,
/// inline code, lists, quotes, code blocks, tables and rules. Text arrives in deltas; each block is drawn once it is
/// complete (a blank line outside a code fence), the rest when the message ends.
/// </summary>
/// <remarks>
/// Made only when stdout is a terminal, so a piped run never loads Markdig or Spectre.Console. <c>NO_COLOR</c> and a
/// dumb terminal keep the layout (bullets, tables, code bars) with no escape sequences at all: no colours, no bold.
/// A fenced code block whose info string names a language is highlighted (<see cref="CodeHighlighter"/>: TextMate
/// grammars, loaded at the first such block); a plain terminal never loads them.
/// The model's text is untrusted: every piece of it is neutralised (<see cref="TerminalText.Neutralize"/>, also what an
/// HTML entity such as <c>&amp;#27;</c> decodes to) and markup-escaped before Spectre.Console sees it, so the only
/// styles and sequences drawn are ours. If drawing fails, the text is written neutralised as it came: an answer is
/// never lost to rendering. Each delta costs a scan
/// of its own characters only (<see cref="BlockScanner"/> keeps its place), so a long block is not re-read per delta.
/// </remarks>
internal sealed class MarkdownAnswerWriter : IAnswerWriter
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().UsePipeTables().UseEmphasisExtras().UseTaskLists().UseAutoLinks().Build();

    private readonly IAnsiConsole _console;
    private readonly TerminalWriter _output;
    private readonly StringBuilder _pending = new();
    private readonly StringBuilder _drawn = new();
    private readonly CodeHighlighter? _highlighter;
    private BlockScanner _scanner;
    private bool _wroteBlock;

    /// <summary>Creates a writer onto a terminal's output.</summary>
    /// <param name="output">The terminal (stdout).</param>
    /// <param name="environment">The environment variables (<c>NO_COLOR</c>, <c>TERM</c>).</param>
    /// <param name="width">The terminal's width in columns.</param>
    public MarkdownAnswerWriter(TerminalWriter output, IReadOnlyDictionary<string, string> environment, int width)
    {
        _output = output;
        var plain = TerminalStyle.IsPlain(environment);
        _highlighter = plain ? null : new CodeHighlighter();
        _console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = plain ? AnsiSupport.No : AnsiSupport.Yes,
            // The 16 colours, whatever the terminal says it has: every style here (CodeTheme's too) is one of them, so the
            // user's palette decides the shades, and what is drawn does not depend on TERM or COLORTERM.
            ColorSystem = plain ? ColorSystemSupport.NoColors : ColorSystemSupport.Standard,
            Interactive = InteractionSupport.No,
#pragma warning disable CA2000 // the writer only wraps _drawn (a StringBuilder): nothing to dispose
            Out = new AnsiConsoleOutput(new StringWriter(_drawn, System.Globalization.CultureInfo.InvariantCulture)), // Spectre draws our markup, in which all text was neutralised (Escape); written out once per block
#pragma warning restore CA2000
        });
        _console.Profile.Width = Math.Max(20, width);
    }

    /// <summary>
    /// Where the unfinished block is shown as it streams (the chat's live area), until it completes and is drawn as
    /// Markdown; <see langword="null"/>: it is not shown before then (<c>agent run</c>).
    /// </summary>
    public ILivePreview? Preview { get; init; }

    /// <summary>The terminal's width now, read at each block (the chat: a resized terminal gets blocks laid out for its new width); <see langword="null"/>: the width given at the start.</summary>
    public Func<int>? CurrentWidth { get; init; }

    /// <summary>Whether code blocks are highlighted (when colours are on); <see langword="false"/>: drawn plain (the benchmarks' reference).</summary>
    internal bool HighlightCode { get; init; } = true;

    /// <summary>Whether a code block has loaded the grammars (<see cref="CodeHighlighter"/>) so far.</summary>
    internal bool GrammarsLoaded => _highlighter?.Loaded == true;

    /// <inheritdoc />
    public void Append(string text)
    {
        _pending.Append(text);
        PrepareHighlighting(text.Length);
        var complete = _scanner.Scan(_pending);
        if (complete > 0)
        {
            var blocks = _pending.ToString(0, complete);
            _pending.Remove(0, complete);
            _scanner.Consumed(complete);
            Preview?.Clear();
            Draw(blocks);
            if (_pending.Length > 0)
            {
                Preview?.Append(_pending.ToString());
            }
        }
        else
        {
            Preview?.Append(text);
        }
    }

    /// <summary>
    /// Until the grammars are loading: whether a line that ended in the last <paramref name="appended"/> characters is a
    /// code block's opening fence with a language, and if so starts their load (<see cref="CodeHighlighter.Prepare"/>).
    /// Each line is read once, when its line break arrives.
    /// </summary>
    private void PrepareHighlighting(int appended)
    {
        if (_highlighter is not { Loaded: false } highlighter || !HighlightCode)
        {
            return;
        }

        for (var i = _pending.Length - appended; i < _pending.Length; i++)
        {
            if (_pending[i] != '\n')
            {
                continue;
            }

            var start = i;
            while (start > 0 && _pending[start - 1] != '\n')
            {
                start--;
            }

            var line = _pending.ToString(start, i - start).Trim();
            if (line.Length > 3 && (line.StartsWith("```", StringComparison.Ordinal) || line.StartsWith("~~~", StringComparison.Ordinal)))
            {
                highlighter.Prepare(line.TrimStart('`', '~'));
                return;
            }
        }
    }

    /// <inheritdoc />
    public void Flush()
    {
        Preview?.Clear();
        if (_pending.Length > 0)
        {
            var rest = _pending.ToString();
            _pending.Clear();
            Draw(rest);
        }

        _scanner = default;
        _wroteBlock = false;
    }

    /// <inheritdoc />
    public void Discard()
    {
        Preview?.Clear();
        _pending.Clear();
        _scanner = default;
        _wroteBlock = false;
    }

    /// <summary>
    /// How much of the text is whole blocks: up to the start of a line that follows a blank line outside a code fence
    /// and is not indented (an indented one may continue a list item); 0 when there is none yet.
    /// </summary>
    internal static int CompleteBlocksLength(StringBuilder text)
    {
        var scanner = default(BlockScanner);
        return scanner.Scan(text);
    }

    /// <summary>
    /// Finds where whole blocks end in text that grows at its end, reading each character once: it keeps its place,
    /// whether it is inside a code fence, and whether the last line was blank.
    /// </summary>
    internal struct BlockScanner
    {
        private int _position;
        private int _lineStart;
        private bool _inFence;
        private bool _afterBlank;

        /// <summary>Reads what was appended since the last call; returns the end of the last whole block in it, or 0.</summary>
        public int Scan(StringBuilder text)
        {
            var end = 0;
            for (; _position < text.Length; _position++)
            {
                var c = text[_position];
                if (_afterBlank && _position == _lineStart && c is not (' ' or '\t' or '\n' or '\r'))
                {
                    end = _position;
                    _afterBlank = false;
                }

                if (c != '\n')
                {
                    continue;
                }

                var first = _lineStart;
                while (first < _position && char.IsWhiteSpace(text[first]))
                {
                    first++;
                }

                if (first + 3 <= _position && ((text[first] == '`' && text[first + 1] == '`' && text[first + 2] == '`') || (text[first] == '~' && text[first + 1] == '~' && text[first + 2] == '~')))
                {
                    _inFence = !_inFence;
                }

                _afterBlank = first == _position && !_inFence && _lineStart > 0;
                _lineStart = _position + 1;
            }

            return end;
        }

        /// <summary>The first <paramref name="length"/> characters were taken from the text.</summary>
        public void Consumed(int length)
        {
            _position -= length;
            _lineStart -= length;
        }
    }

    private void Draw(string markdown)
    {
        if (markdown.Trim().Length == 0)
        {
            return;
        }

        if (CurrentWidth is { } width)
        {
            _console.Profile.Width = Math.Max(20, width());
        }

        try
        {
            foreach (var block in Markdown.Parse(markdown, Pipeline))
            {
                if (_wroteBlock)
                {
                    _console.WriteLine();
                }

                _console.Write(Render(block, _console.Profile.Width));
                _wroteBlock = true;
            }

            // One write for what Spectre drew (in many pieces): the chat's live area redraws once, not per piece.
            _output.Raw.Write(_drawn.ToString());
            _output.Raw.Flush();
        }
#pragma warning disable CA1031 // Rendering is cosmetic: whatever goes wrong, the answer is written as it came.
        catch (Exception)
#pragma warning restore CA1031
        {
            _wroteBlock = true;
            _output.Write(markdown);
        }
        finally
        {
            _drawn.Clear();
        }
    }

    private IRenderable Render(Block block, int width) => block switch
    {
        MarkdownTable table => RenderTable(table),
        ThematicBreakBlock => new Rule { Style = Style.Parse("dim") },
        _ => new Markup(Wrap(string.Join('\n', Lines(block)), width) + "\n"),
    };

    /// <summary>
    /// Breaks the lines of Spectre markup at spaces so that none is wider than <paramref name="width"/>, continuing a
    /// list item under its text. Spectre.Console wraps an overlong line itself, but at a cost that grows with the
    /// line's length (12× slower for paragraphs of 100 words, 33036a48:docs/benchmarks.md, "Chat rendering per token"); what this misjudges (wide
    /// characters) Spectre still wraps.
    /// </summary>
    internal static string Wrap(string markup, int width)
    {
        var wrapped = false;
        var prefix = new StringBuilder();
        var column = 0;
        var lineStart = 0;
        var indent = -1; // the hanging indent of the current line, once its leading bullet has been read
        var lastSpace = -1; // where in the output the last visible space of this line is
        var columnAfterSpace = 0;
        var output = new StringBuilder(markup.Length + 16);
        for (var i = 0; i < markup.Length; i++)
        {
            var c = markup[i];
            if (c == '[' && i + 1 < markup.Length && markup[i + 1] != '[')
            {
                var close = markup.IndexOf(']', i);
                if (close < 0)
                {
                    output.Append(markup, i, markup.Length - i);
                    break;
                }

                output.Append(markup, i, close - i + 1); // a style tag takes no columns
                i = close;
                continue;
            }

            if ((c == '[' || c == ']') && i + 1 < markup.Length && markup[i + 1] == c)
            {
                output.Append(c).Append(c); // an escaped bracket takes one column
                i++;
            }
            else if (c == '\n')
            {
                output.Append(c);
                column = 0;
                lineStart = output.Length;
                indent = -1;
                lastSpace = -1;
                prefix.Clear();
                continue;
            }
            else
            {
                if (c == ' ' && indent >= 0)
                {
                    lastSpace = output.Length;
                    columnAfterSpace = column + 1;
                }

                output.Append(c);
            }

            column++;
            if (indent < 0)
            {
                if (c is ' ' or '•' or '│' or '.' || char.IsAsciiDigit(c))
                {
                    prefix.Append(c);
                }
                else
                {
                    indent = HangingIndent(prefix); // the text starts here
                    prefix.Clear();
                }
            }

            if (column > width && lastSpace > lineStart)
            {
                var hang = indent > 0 && indent < width / 2 ? indent : 0;
                output[lastSpace] = '\n';
                output.Insert(lastSpace + 1, " ", hang);
                lineStart = lastSpace + 1;
                column = hang + (column - columnAfterSpace);
                lastSpace = -1;
                wrapped = true;
            }
        }

        return wrapped ? output.ToString() : markup;
    }

    /// <summary>Where a wrapped line continues: under the text of a list item or quote (<c>• </c>, <c>12. </c>, <c>│ </c>), else under the line's first character.</summary>
    private static int HangingIndent(StringBuilder prefix)
    {
        var text = prefix.ToString();
        var bullet = text.EndsWith(' ') && (text.Contains('•', StringComparison.Ordinal) || text.Contains('│', StringComparison.Ordinal) || text.Contains(". ", StringComparison.Ordinal));
        return bullet ? text.Length : text.Length - text.TrimStart(' ').Length;
    }

    /// <summary>A block as lines of Spectre markup (lists and quotes nest by prefixing their children's lines).</summary>
    private IEnumerable<string> Lines(Block block)
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
                    yield return $"[dim]{Escape(language)}[/]";
                }

                // Neutralised before the grammar reads it: the spans are pieces of the text the terminal shows.
                var lines = code.Lines.Lines.Take(code.Lines.Count).Select(line => TerminalText.Neutralize(line.ToString())).ToList();
                var highlighted = HighlightCode ? _highlighter?.Highlight(language, lines) : null;
                for (var i = 0; i < lines.Count; i++)
                {
                    yield return "[dim]│[/] " + (highlighted is null ? Markup.Escape(lines[i]) : Spans(highlighted[i]));
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
                    yield return Escape(line.ToString());
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

    private TerminalTable RenderTable(MarkdownTable table)
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

    /// <summary>A highlighted line of code as Spectre markup: each span markup-escaped (its text was neutralised before it was tokenised), in its colour.</summary>
    private static string Spans(IReadOnlyList<CodeSpan> spans)
    {
        var markup = new StringBuilder();
        foreach (var span in spans)
        {
            if (span.Colour is { } colour)
            {
                markup.Append('[').Append(colour).Append(']').Append(Markup.Escape(span.Text)).Append("[/]");
            }
            else
            {
                markup.Append(Markup.Escape(span.Text));
            }
        }

        return markup.ToString();
    }

    /// <summary>Untrusted text as Spectre markup that shows it: neutralised, then markup-escaped.</summary>
    private static string Escape(string text) => Markup.Escape(TerminalText.Neutralize(text));

    private string Cell(TableCell cell) => string.Join(' ', cell.SelectMany(Lines));

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
                    text.Append(Escape(literal.Content.ToString()));
                    break;
                case CodeInline code:
                    text.Append("[cyan]").Append(Escape(code.Content)).Append("[/]");
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
                    text.Append("[underline]").Append(label.Length > 0 ? label : Escape(link.Url ?? string.Empty)).Append("[/]");
                    if (label.Length > 0 && link.Url is { Length: > 0 } url && !string.Equals(label, Escape(url), StringComparison.Ordinal))
                    {
                        text.Append(" [dim](").Append(Escape(url)).Append(")[/]");
                    }

                    break;
                case AutolinkInline autolink:
                    text.Append("[underline]").Append(Escape(autolink.Url)).Append("[/]");
                    break;
                case TaskList task:
                    text.Append(task.Checked ? "☑" : "☐");
                    break;
                case LineBreakInline lineBreak:
                    text.Append(lineBreak.IsHard ? "\n" : " ");
                    break;
                case HtmlEntityInline entity:
                    text.Append(Escape(entity.Transcoded.ToString()));
                    break;
                case HtmlInline html:
                    text.Append(Escape(html.Tag));
                    break;
                case ContainerInline nested:
                    text.Append(Inlines(nested));
                    break;
            }
        }

        return text.ToString();
    }
}
