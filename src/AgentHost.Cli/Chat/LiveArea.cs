using System.Text;
using AgentHost.Cli.Interaction;
using AgentHost.Cli.Rendering;
using AgentHost.Cli.Terminal;

namespace AgentHost.Cli.Chat;

/// <summary>
/// The bottom of the chat's screen: a status line (the spinner of a running tool) and the line editor, kept below
/// everything else the chat writes. Every write of the chat goes through here, under one lock: the bottom lines are
/// cleared, the text is written where they were, and they are drawn again under it. So a turn's output scrolls above
/// the prompt being typed without corrupting it.
/// </summary>
/// <remarks>
/// A line of output that is not finished yet (a streamed answer's last words) is held as the tail: it is drawn above
/// the bottom lines and written again, with what follows, at the next write. The bottom lines are cut to the width
/// (one terminal row each), so they can be cleared by moving up a known number of rows. Everything it draws comes as
/// <see cref="TerminalText"/> (neutralised, with our styling only), so it writes the terminal's writer underneath.
/// </remarks>
internal sealed class LiveArea
{
    private readonly Lock _sync = new();
    private readonly TextWriter _terminal;
    private readonly Func<int> _width;
    private string _tail = string.Empty;
    private string? _status;
    private IReadOnlyList<string> _preview = [];
    private IReadOnlyList<string> _editor = [];
    private int _editorRow;
    private int _editorColumn;
    private int _rowsAbove;

    /// <summary>
    /// What was drawn from the first row of the tail down, for a redraw after a resize: the visible length of each
    /// line, the line and column of the cursor (-1: the end of its line), and the width it was drawn at.
    /// </summary>
    private (int[] Lengths, int CursorLine, int CursorColumn, int Width) _drawn = ([], 0, 0, 0);

    /// <param name="terminal">Standard output, a terminal.</param>
    /// <param name="width">The terminal's width in columns.</param>
    public LiveArea(TerminalWriter terminal, Func<int> width)
    {
        _terminal = terminal.Raw;
        _width = width;
        Out = new TerminalWriter(new Writer(this, _terminal));
    }

    /// <summary>Standard output, through the live area.</summary>
    public TerminalWriter Out { get; }

    /// <summary>The number of columns a bottom line may use.</summary>
    public int Width => Math.Max(20, _width() - 1);

    /// <summary>Wraps another writer (standard error) so its writes also go through the live area.</summary>
    public TerminalWriter Wrap(TerminalWriter target) => ReferenceEquals(target.Raw, _terminal) ? Out : new TerminalWriter(new Writer(this, target.Raw));

    /// <summary>Shows <paramref name="line"/> as the status line (above the editor); <see langword="null"/> removes it.</summary>
    public void SetStatus(TerminalText? line)
    {
        lock (_sync)
        {
            var fitted = line is { } text ? Fit(text.Value) : null;
            if (_status == fitted)
            {
                return;
            }

            Clear();
            _status = fitted;
            Draw();
        }
    }

    /// <summary>
    /// Shows <paramref name="rows"/> (streamed text not drawn for good yet: <see cref="StreamPreview"/>) above the status
    /// line; an empty list removes them. Each row is one terminal row (cut to the width).
    /// </summary>
    public void SetPreview(IReadOnlyList<TerminalText> rows)
    {
        lock (_sync)
        {
            if (rows.Count == 0 && _preview.Count == 0)
            {
                return;
            }

            Clear();
            _preview = [.. rows.Select(row => Fit(row.Value))];
            Draw();
        }
    }

    /// <summary>Shows the editor's lines at the bottom, the cursor in line <paramref name="row"/> at <paramref name="column"/>.</summary>
    public void SetEditor(IReadOnlyList<TerminalText> lines, int row, int column)
    {
        lock (_sync)
        {
            Clear();
            _editor = [.. lines.Select(line => Fit(line.Value))];
            _editorRow = Math.Clamp(row, 0, Math.Max(0, lines.Count - 1));
            _editorColumn = column;
            Draw();
        }
    }

    /// <summary>Removes the editor's lines and writes <paramref name="text"/> (what was typed, as it stays on the screen) in their place.</summary>
    public void CommitEditor(TerminalText text)
    {
        lock (_sync)
        {
            Clear();
            _editor = [];
            if (text.Length > 0 && _tail.Length > 0)
            {
                WriteText(_terminal, "\n"); // the editor was drawn below the unfinished line: it stays below it
            }

            WriteText(_terminal, text.Value);
            Draw();
        }
    }

    /// <summary>Writes <paramref name="text"/> to <paramref name="target"/> (standard output or error) above the bottom lines.</summary>
    public void Write(TerminalWriter target, TerminalText text) => Write(target.Raw, text.Value);

    /// <summary>Writes terminal text (<see cref="TerminalText.Value"/>) to <paramref name="target"/> above the bottom lines.</summary>
    private void Write(TextWriter target, string text)
    {
        if (text.Length == 0)
        {
            return;
        }

        lock (_sync)
        {
            if (_status is null && _editor.Count == 0 && _preview.Count == 0 && _tail.Length == 0)
            {
                // Nothing at the bottom: straight through (the tail is only remembered).
                target.Write(text);
                target.Flush();
                var end = text.LastIndexOf('\n');
                _tail = end < 0 ? text : text[(end + 1)..];
                _rowsAbove = Rows(_tail) - 1;
                _drawn = ([VisibleLength(_tail)], 0, -1, _width());
                return;
            }

            Clear();
            WriteText(target, text);
            Draw();
        }
    }

    /// <summary>Ends the live area: removes the bottom lines and ends the tail's line, so what follows writes normally.</summary>
    public void Close()
    {
        lock (_sync)
        {
            Clear();
            _status = null;
            _preview = [];
            _editor = [];
            if (_tail.Length > 0)
            {
                _terminal.Write(_tail + "\n");
                _tail = string.Empty;
            }

            _rowsAbove = 0;
            _terminal.Flush();
        }
    }

    /// <summary>The visible width of <paramref name="text"/> (escape sequences take none).</summary>
    internal static int VisibleLength(string text)
    {
        var length = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == TerminalControl.Escape && i + 1 < text.Length)
            {
                if (text[i + 1] == '[')
                {
                    i += 2;
                    while (i < text.Length && (text[i] < '@' || text[i] > '~'))
                    {
                        i++;
                    }
                }
                else if (text[i + 1] == ']')
                {
                    // OSC (a hyperlink): up to BEL or ESC \
                    i += 2;
                    while (i < text.Length && text[i] != '\a' && !(text[i] == TerminalControl.Escape && i + 1 < text.Length && text[i + 1] == '\\'))
                    {
                        i++;
                    }

                    if (i < text.Length && text[i] == TerminalControl.Escape)
                    {
                        i++;
                    }
                }
                else
                {
                    i++;
                }
            }
            else if (!char.IsLowSurrogate(text[i]) && text[i] >= ' ')
            {
                length++;
            }
        }

        return length;
    }

    /// <summary>Cuts <paramref name="line"/> to <see cref="Width"/> visible columns (it has no escape sequences of its own).</summary>
    private string Fit(string line)
    {
        var width = Width;
        if (VisibleLength(line) <= width)
        {
            return line;
        }

        // A styled line (a preview row) is cut with its style ended, so the style does not run on into the rows below.
        return line.Contains(TerminalControl.Escape, StringComparison.Ordinal)
            ? line[..Math.Min(line.Length, width - 1)] + TerminalControl.ResetStyle.Value + "…"
            : line[..Math.Min(line.Length, width - 1)] + "…";
    }

    private int Rows(string text)
    {
        var length = VisibleLength(text);
        return length == 0 ? 1 : ((length - 1) / Math.Max(1, _width())) + 1;
    }

    private void WriteText(TextWriter target, string text)
    {
        var all = _tail + text;
        var end = all.LastIndexOf('\n');
        if (end >= 0)
        {
            target.Write(all[..(end + 1)]);
            target.Flush();
            _tail = all[(end + 1)..];
        }
        else
        {
            _tail = all;
        }
    }

    /// <summary>
    /// Erases from the first row of the tail (or of the bottom lines) to the end of the screen. After a resize the
    /// terminal has re-flowed those lines to its new width (tmux, VTE, kitty and iTerm2 do), so the rows to go up are
    /// counted again at the new width.
    /// </summary>
    private void Clear()
    {
        var width = _width();
        if (width != _drawn.Width && _drawn.Lengths.Length > 0 && width > 0)
        {
            var rows = 0;
            for (var i = 0; i < _drawn.CursorLine && i < _drawn.Lengths.Length; i++)
            {
                rows += RowsAt(_drawn.Lengths[i], width);
            }

            var column = _drawn.CursorColumn < 0 ? Math.Max(0, _drawn.Lengths[Math.Min(_drawn.CursorLine, _drawn.Lengths.Length - 1)] - 1) : _drawn.CursorColumn;
            _rowsAbove = rows + (column / width);
        }

        _terminal.Write((TerminalControl.LineStart + TerminalControl.CursorUp(_rowsAbove) + TerminalControl.EraseBelow).Value);
        _rowsAbove = 0;
        _drawn = ([], 0, 0, width);
    }

    private static int RowsAt(int length, int width) => length == 0 ? 1 : ((length - 1) / width) + 1;

    private void Draw()
    {
        var lines = new List<string>(_preview.Count + _editor.Count + 1);
        lines.AddRange(_preview);
        if (_status is not null)
        {
            lines.Add(_status);
        }

        lines.AddRange(_editor);
        var builder = new StringBuilder(_tail);
        var tailRows = _tail.Length > 0 ? Rows(_tail) : 0;
        if (lines.Count == 0)
        {
            _rowsAbove = Math.Max(0, tailRows - 1);
        }
        else
        {
            builder.Append(_tail.Length > 0 ? (TerminalControl.ResetStyle + TerminalControl.NewLine).Value : string.Empty).Append(string.Join(TerminalControl.NewLine.Value, lines));
            _rowsAbove = tailRows + lines.Count - 1;
            if (_editor.Count > 0)
            {
                // The cursor goes to the editor's cursor: up from the last line, then across.
                var up = _editor.Count - 1 - _editorRow;
                builder.Append(TerminalControl.LineStart.Value).Append(TerminalControl.CursorUp(up).Value);
                _rowsAbove -= Math.Max(0, up);
                builder.Append(TerminalControl.CursorRight(Math.Min(_editorColumn, Width)).Value);
            }
        }

        var lengths = new List<int>(lines.Count + 1);
        if (_tail.Length > 0)
        {
            lengths.Add(VisibleLength(_tail));
        }

        lengths.AddRange(lines.Select(VisibleLength));
        _drawn = _editor.Count > 0
            ? ([.. lengths], lengths.Count - _editor.Count + _editorRow, Math.Min(_editorColumn, Width), _width())
            : ([.. lengths], Math.Max(0, lengths.Count - 1), -1, _width());
        _terminal.Write(builder.ToString());
        _terminal.Flush();
    }

    /// <summary>A writer whose every write goes through the live area.</summary>
    private sealed class Writer(LiveArea area, TextWriter target) : TextWriter
    {
        public override Encoding Encoding => target.Encoding;

        public override void Write(char value) => area.Write(target, value.ToString());

        public override void Write(string? value) => area.Write(target, value ?? string.Empty);

        public override void Write(char[] buffer, int index, int count) => area.Write(target, new string(buffer, index, count));

        public override void WriteLine(string? value) => area.Write(target, (value ?? string.Empty) + "\n");

        public override void WriteLine() => area.Write(target, "\n");

        public override void Flush() => target.Flush();
    }
}
