using System.Globalization;
using System.Text;
using AgentHost.Cli.Interaction;
using AgentHost.Cli.Terminal;

namespace AgentHost.Cli.Rendering;

/// <summary>
/// Shows a model's reasoning at a terminal as it streams: dimmed (grey, italic), at most <see cref="ShownRows"/> rows;
/// when the answer or a tool call starts, one line closes it: <c>✻ thought for 4 s (1,234 words) · /expand shows it</c>.
/// The full text of the run's reasoning is kept for <c>/expand</c>.
/// </summary>
/// <remarks>
/// A scrolling terminal cannot take back what it printed without redrawing (and a redraw that miscounts wrapped rows
/// eats the lines above), so the shown rows stay and the summary line marks where the reasoning ended. Plain output
/// (<see cref="TerminalStyle.IsPlain"/>) writes no escape sequences: each shown row starts with <c>thinking │</c>
/// instead. Control characters from the model are dropped, and what is drawn is neutralised (<see cref="TerminalText"/>):
/// reasoning never styles itself. Not thread-safe: the renderer calls it from one
/// subscriber.
/// </remarks>
internal sealed class ReasoningWriter
{
    /// <summary>How many rows of a reasoning block are drawn before it is cut off (the rest only counts).</summary>
    public const int ShownRows = 6;

    private readonly TerminalWriter _terminal;
    private readonly bool _plain;
    private readonly int _width;
    private readonly TimeProvider _time;
    private readonly StringBuilder _run = new();
    private readonly string _indent;
    private bool _open;
    private bool _cut;
    private int _rows;
    private int _column;
    private int _words;
    private bool _inWord;
    private DateTimeOffset _startedAt;
    private int _closedStep = -1;

    /// <summary>Creates a writer onto a terminal.</summary>
    /// <param name="terminal">The terminal (stdout).</param>
    /// <param name="plain">No escape sequences (<c>NO_COLOR</c>, <c>TERM=dumb</c>).</param>
    /// <param name="width">The terminal's width in columns.</param>
    /// <param name="time">The clock for "thought for 4 s".</param>
    public ReasoningWriter(TerminalWriter terminal, bool plain, int width, TimeProvider time)
    {
        _terminal = terminal;
        _plain = plain;
        _time = time;
        _indent = Indent(plain);
        _width = Math.Max(_indent.Length + 20, width);
    }

    /// <summary>
    /// Where the reasoning is shown while it streams (the chat's live area: its last <see cref="ShownRows"/> rows,
    /// dimmed); when it ends, the rows last shown stay in the transcript above the summary line. <see langword="null"/>:
    /// the first rows are written as they come and the rest is only counted.
    /// </summary>
    public ILivePreview? Live { get; init; }

    /// <summary>What each row of reasoning starts with: <c>thinking │ </c> without styles (it marks the rows instead of dimming them), else an indent.</summary>
    public static string Indent(bool plain) => plain ? "thinking │ " : "  ";

    /// <summary>The reasoning of the current (or last) run, all of it, blocks separated by a blank line.</summary>
    public string Text => _run.ToString();

    /// <summary>Whether a block is being drawn (its summary line is still to come).</summary>
    public bool IsOpen => _open;

    /// <summary>A run starts: forgets the last run's reasoning.</summary>
    public void Reset()
    {
        Close();
        _run.Clear();
        _closedStep = -1;
    }

    /// <summary>Takes a reasoning delta of step <paramref name="step"/>.</summary>
    /// <returns>Whether it draws (the caller ends the answer's line first); a late piece of a step whose answer already began is only kept.</returns>
    public bool WillDraw(int step) => _open || step != _closedStep;

    /// <summary>Takes a reasoning delta of step <paramref name="step"/>: kept, and drawn while the block is open and has rows left.</summary>
    public void Append(int step, string text)
    {
        if (!WillDraw(step))
        {
            _run.Append(text); // held back by the secret scrubber until the step's end: kept for /expand, not drawn
            return;
        }

        if (!_open)
        {
            if (_run.Length > 0)
            {
                _run.Append("\n\n");
            }

            _open = true;
            _cut = false;
            _rows = 0;
            _column = 0;
            _words = 0;
            _inWord = false;
            _startedAt = _time.GetUtcNow();
            if (Live is null)
            {
                _terminal.Write(_indent);
            }
        }

        _run.Append(text);
        if (Live is { } live)
        {
            CountWords(text);
            live.Append(text);
            return;
        }

        var drawn = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            var space = char.IsWhiteSpace(c);
            if (!space && !_inWord)
            {
                _words++;
            }

            _inWord = !space;
            if (!_cut)
            {
                Draw(c, drawn);
            }
        }

        if (drawn.Length > 0)
        {
            // Each piece closes its style: a permission question drawn in between is never dimmed.
            _terminal.Write(_plain ? drawn.ToString() : TerminalControl.Styled(TextStyle.DimItalic, drawn.ToString()));
        }
    }

    /// <summary>The answer or a tool call starts (or the turn ends): ends the block with its summary line.</summary>
    /// <param name="step">The step whose later reasoning pieces are only kept, not drawn (-1: none).</param>
    public void Close(int step = -1)
    {
        if (!_open)
        {
            return;
        }

        _open = false;
        _closedStep = step;
        if (Live is { } live)
        {
            // What the live view showed last stays: the reasoning's last rows, then the summary.
            var rows = live.Rows;
            _cut = live.Dropped;
            live.Clear();
            var shown = TerminalText.Empty;
            for (var i = 0; i < rows.Count; i++)
            {
                var row = (i == 0 && _cut ? "… " : string.Empty) + rows[i];
                shown += TerminalText.Plain(_indent) + (_plain ? TerminalText.Plain(row) : TerminalControl.Styled(TextStyle.DimItalic, row)) + Environment.NewLine;
            }

            _terminal.Write(shown);
            _column = 0;
        }

        var seconds = Math.Max(0, (_time.GetUtcNow() - _startedAt).TotalSeconds);
        var summary = string.Create(CultureInfo.InvariantCulture, $"✻ thought for {(seconds < 10 ? seconds.ToString("0.0", CultureInfo.InvariantCulture) : seconds.ToString("0", CultureInfo.InvariantCulture))} s ({_words:N0} {(_words == 1 ? "word" : "words")}) · /expand shows {(_cut ? "all of it" : "it again")}");
        var end = _column > 0 ? Environment.NewLine : string.Empty;
        _terminal.Write(_plain
            ? $"{end}  {summary}{Environment.NewLine}"
            : end + TerminalControl.Styled(TextStyle.Dim, "  " + summary) + Environment.NewLine);
    }

    /// <summary>A block ended without an answer or tool call after it (the step was retried): the next reasoning of that step draws again.</summary>
    public void Reopen() => _closedStep = -1;

    private void CountWords(string text)
    {
        foreach (var c in text)
        {
            var space = char.IsWhiteSpace(c);
            if (!space && !_inWord)
            {
                _words++;
            }

            _inWord = !space;
        }
    }

    private void Draw(char c, StringBuilder drawn)
    {
        if (c == '\n')
        {
            NextRow(drawn);
            return;
        }

        if (c == '\t')
        {
            c = ' ';
        }

        if (char.IsControl(c) || (c == ' ' && _column == 0))
        {
            return;
        }

        if (_indent.Length + _column >= (_rows == ShownRows - 1 ? _width - 2 : _width)) // the last row keeps room for " …"
        {
            NextRow(drawn);
            if (_cut || c == ' ')
            {
                return;
            }
        }

        drawn.Append(c);
        _column++;
    }

    private void NextRow(StringBuilder drawn)
    {
        if (_column == 0)
        {
            return; // blank lines in reasoning take no rows
        }

        _rows++;
        if (_rows >= ShownRows)
        {
            _cut = true;
            drawn.Append(" …");
            return;
        }

        _column = 0;

        drawn.Append(Environment.NewLine).Append(_indent);
    }
}
