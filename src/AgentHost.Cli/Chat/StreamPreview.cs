using System.Diagnostics;
using System.Text;
using AgentHost.Cli.Rendering;
using AgentHost.Cli.Terminal;

namespace AgentHost.Cli.Chat;

/// <summary>
/// Streamed text shown in the <see cref="LiveArea"/> as it comes: wrapped at spaces to the terminal's width, the last
/// <c>maxRows</c> rows (a first row cut off is marked <c>…</c>). The answer's unfinished Markdown block is shown here
/// as plain text until it completes and is drawn as Markdown; the reasoning's last rows are shown here, dimmed.
/// </summary>
/// <remarks>
/// Each piece costs a pass over its own characters (the rows are wrapped as they grow; nothing is re-read), and the
/// live area is redrawn at most every <see cref="RedrawInterval"/>: a piece that arrives sooner is drawn by the next
/// piece, by <see cref="Refresh"/> (the spinner's tick), or when the preview is cleared. Control characters of the
/// model are shown as text (<see cref="TerminalText.Neutralize"/>). Called by the renderer (one event subscriber) and
/// the spinner's tick: its state is under a lock.
/// </remarks>
internal sealed class StreamPreview : ILivePreview
{
    /// <summary>The least time between two redraws for new text.</summary>
    public static readonly TimeSpan RedrawInterval = TimeSpan.FromMilliseconds(30);

    private readonly Lock _sync = new();
    private readonly LiveArea _live;
    private readonly int _maxRows;
    private readonly string _indent;
    private readonly TextStyle? _style;
    private readonly List<string> _rows = [];
    private readonly StringBuilder _row = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TimeSpan _drawnAt = -RedrawInterval;
    private int _lastSpace = -1;
    private int _width;
    private bool _dropped;
    private bool _dirty;
    private bool _shown;
    private bool _wrapped;

    /// <param name="live">The live area to draw in.</param>
    /// <param name="maxRows">How many rows are shown at most (the last ones).</param>
    /// <param name="indent">What each row starts with (the chat's own text: <c>thinking │ </c>).</param>
    /// <param name="style">The rows' style; <see langword="null"/>: none.</param>
    public StreamPreview(LiveArea live, int maxRows, string indent = "", TextStyle? style = null)
    {
        _live = live;
        _maxRows = Math.Max(1, maxRows);
        _indent = indent;
        _style = style;
    }

    /// <inheritdoc />
    public IReadOnlyList<string> Rows
    {
        get
        {
            lock (_sync)
            {
                var rows = new List<string>(_rows);
                if (_row.Length > 0)
                {
                    rows.Add(_row.ToString());
                }

                if (rows.Count > _maxRows)
                {
                    rows.RemoveAt(0);
                }

                return rows;
            }
        }
    }

    /// <inheritdoc />
    public bool Dropped
    {
        get
        {
            lock (_sync)
            {
                return _dropped || (_row.Length > 0 && _rows.Count >= _maxRows);
            }
        }
    }

    /// <inheritdoc />
    public void Append(string text)
    {
        lock (_sync)
        {
            if (_rows.Count == 0 && _row.Length == 0)
            {
                _width = Math.Max(10, _live.Width - _indent.Length);
            }

            foreach (var c in text)
            {
                Add(c);
            }

            _dirty = true;
            if (_clock.Elapsed - _drawnAt >= RedrawInterval)
            {
                Draw();
            }
        }
    }

    /// <summary>Draws text that came since the last redraw (the spinner's tick calls it).</summary>
    public void Refresh()
    {
        lock (_sync)
        {
            if (_dirty)
            {
                Draw();
            }
        }
    }

    /// <inheritdoc />
    public void Clear()
    {
        lock (_sync)
        {
            _rows.Clear();
            _row.Clear();
            _wrapped = false;
            _lastSpace = -1;
            _dropped = false;
            _dirty = false;
            if (_shown)
            {
                _shown = false;
                _live.SetPreview([]);
            }
        }
    }

    private void Add(char c)
    {
        switch (c)
        {
            case '\r':
                return;
            case '\n':
                EndRow(_row.Length, wrapped: false);
                return;
            case '\t':
                c = ' ';
                break;
        }

        if (c == ' ')
        {
            if (_row.Length == 0 && _wrapped)
            {
                return; // a wrapped row does not start with the space it was broken at (a line's indent stays)
            }

            _lastSpace = _row.Length;
        }

        if (TerminalText.IsNeutralized(c))
        {
            _row.Append(TerminalText.Neutralize(c.ToString()));
        }
        else
        {
            _row.Append(c);
        }

        if (_row.Length > _width)
        {
            EndRow(_lastSpace > 0 ? _lastSpace : _width, wrapped: true);
        }
    }

    /// <summary>Ends the current row after <paramref name="length"/> characters; the rest starts the next row.</summary>
    private void EndRow(int length, bool wrapped)
    {
        _wrapped = wrapped;
        _rows.Add(_row.ToString(0, length));
        var rest = length < _row.Length && _row[length] == ' ' ? length + 1 : length;
        _row.Remove(0, Math.Min(rest, _row.Length));
        _lastSpace = -1;
        for (var i = _row.Length - 1; i > 0; i--)
        {
            if (_row[i] == ' ')
            {
                _lastSpace = i;
                break;
            }
        }

        if (_rows.Count > _maxRows)
        {
            _rows.RemoveAt(0);
            _dropped = true;
        }
    }

    private void Draw()
    {
        _drawnAt = _clock.Elapsed;
        _dirty = false;
        var rows = new List<string>(_rows);
        if (_row.Length > 0)
        {
            rows.Add(_row.ToString());
        }

        var dropped = _dropped;
        if (rows.Count > _maxRows)
        {
            rows.RemoveAt(0);
            dropped = true;
        }

        var drawn = new List<TerminalText>(rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            var row = (i == 0 && dropped ? "… " : string.Empty) + rows[i];
            drawn.Add(TerminalText.Plain(_indent) + (_style is { } style ? TerminalControl.Styled(style, row) : TerminalText.Plain(row)));
        }

        _shown = drawn.Count > 0 || _shown;
        _live.SetPreview(drawn);
    }
}
