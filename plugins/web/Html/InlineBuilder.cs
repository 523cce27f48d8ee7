using System.Text;

namespace AgentHost.Plugins.Web.Html;

/// <summary>
/// Collects the inline content of one block: whitespace runs collapse to one space as HTML renders them, spaces at
/// the ends are dropped (but remembered, so <c>a&lt;b&gt; bold &lt;/b&gt;c</c> keeps its spaces outside the markers),
/// and <c>&lt;br&gt;</c> becomes a line break.
/// </summary>
internal sealed class InlineBuilder
{
    private readonly StringBuilder _text = new();
    private bool _pendingSpace;

    /// <summary>Whether whitespace came before the first visible character.</summary>
    public bool LeadingSpace { get; private set; }

    /// <summary>Whether whitespace came after the last visible character.</summary>
    public bool TrailingSpace => _pendingSpace;

    public bool IsEmpty => _text.Length == 0;

    /// <summary>Appends text from the page, collapsing whitespace.</summary>
    public void Text(string raw)
    {
        foreach (var c in raw)
        {
            if (char.IsWhiteSpace(c))
            {
                Space();
            }
            else
            {
                Flush();
                _text.Append(c);
            }
        }
    }

    /// <summary>Appends generated markup (markers, links, code) as it is.</summary>
    public void Markup(string markup)
    {
        if (markup.Length == 0)
        {
            return;
        }

        Flush();
        _text.Append(markup);
    }

    /// <summary>Marks a space at this point (kept only between visible characters).</summary>
    public void Space()
    {
        if (_text.Length == 0)
        {
            LeadingSpace = true;
        }
        else
        {
            _pendingSpace = true;
        }
    }

    /// <summary>A hard line break.</summary>
    public void LineBreak()
    {
        if (_text.Length > 0 && _text[^1] != '\n')
        {
            _text.Append('\n');
        }

        _pendingSpace = false;
    }

    /// <summary>Appends another builder's content, wrapped in <paramref name="open"/> and <paramref name="close"/>, with its outer spaces outside.</summary>
    public void Wrapped(InlineBuilder inner, string open, string close)
    {
        var text = inner.ToString();
        if (inner.LeadingSpace)
        {
            Space();
        }

        if (text.Length > 0)
        {
            Markup(open + text + close);
        }

        if (inner.TrailingSpace)
        {
            Space();
        }
    }

    /// <summary>The collected text, without trailing line breaks.</summary>
    public override string ToString() => _text.ToString().TrimEnd('\n');

    private void Flush()
    {
        if (_pendingSpace && _text.Length > 0 && _text[^1] != '\n')
        {
            _text.Append(' ');
        }

        _pendingSpace = false;
    }
}
