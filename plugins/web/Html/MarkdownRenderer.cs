using System.Text;
using System.Text.RegularExpressions;
using AngleSharp.Dom;

namespace AgentHost.Plugins.Web.Html;

/// <summary>
/// Converts an element's content to Markdown (headings, paragraphs, links and images with absolute URLs, lists,
/// fenced code, blockquotes, basic tables, emphasis) — or, in plain mode, to readable text without markup.
/// </summary>
internal sealed partial class MarkdownRenderer
{
    private static readonly HashSet<string> BlockTags = new(StringComparer.OrdinalIgnoreCase)
    {
        "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details", "dir", "div", "dl", "dt",
        "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr",
        "html", "legend", "li", "main", "menu", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot",
        "th", "thead", "tr", "ul",
    };

    /// <summary>Deeper content is written as plain text: recursion must stay far from the thread's stack limit.</summary>
    private const int MaxDepth = 200;

    private readonly Uri _base;
    private readonly bool _plain;
    private int _depth;

    private MarkdownRenderer(Uri baseUrl, bool plain)
    {
        _base = baseUrl;
        _plain = plain;
    }

    /// <summary>The page as Markdown: <c># Title</c>, then the content.</summary>
    public static string ToMarkdown(ExtractedPage page) => Compose(page, new MarkdownRenderer(page.BaseUrl, plain: false), "# ");

    /// <summary>The page as plain text: the title line, then the content.</summary>
    public static string ToText(ExtractedPage page) => Compose(page, new MarkdownRenderer(page.BaseUrl, plain: true), string.Empty);

    private static string Compose(ExtractedPage page, MarkdownRenderer renderer, string titlePrefix)
    {
        var body = Join(renderer.Blocks(page.Content));
        var text = page.Title is { Length: > 0 } title ? $"{titlePrefix}{title}\n\n{body}" : body;
        return Tidy(text);
    }

    private List<string> Blocks(INode parent)
    {
        var blocks = new List<string>();
        var inline = new InlineBuilder();
        if (_depth >= MaxDepth)
        {
            inline.Text(TextStats.FlatText(parent));
            Paragraph(inline, blocks);
            return blocks;
        }

        _depth++;
        try
        {
            BlockChildren(parent, blocks, inline);
        }
        finally
        {
            _depth--;
        }

        return blocks;
    }

    private void BlockChildren(INode parent, List<string> blocks, InlineBuilder inline)
    {
        foreach (var child in parent.ChildNodes)
        {
            switch (child)
            {
                case IText text:
                    inline.Text(text.Data);
                    break;
                case IElement element when BlockTags.Contains(element.LocalName):
                    Paragraph(inline, blocks);
                    inline = new InlineBuilder();
                    blocks.AddRange(Block(element));
                    break;
                case IElement element:
                    Inline(element, inline);
                    break;
            }
        }

        Paragraph(inline, blocks);
    }

    private List<string> Block(IElement element)
    {
        switch (element.LocalName)
        {
            case "h1" or "h2" or "h3" or "h4" or "h5" or "h6":
                var heading = InlineText(element).Replace('\n', ' ');
                return heading.Length == 0 ? [] : [_plain ? heading : new string('#', element.LocalName[1] - '0') + " " + heading];
            case "p":
                return InlineText(element) is { Length: > 0 } paragraph ? [EscapeLineStart(paragraph)] : [];
            case "pre":
                return [CodeBlock(element)];
            case "blockquote":
                var quote = Join(Blocks(element));
                return quote.Length == 0 ? [] : [Prefix(quote, _plain ? "  " : "> ")];
            case "ul" or "ol" or "menu" or "dir":
                return List(element) is { Length: > 0 } list ? [list] : [];
            case "li":
                return Join(Blocks(element)) is { Length: > 0 } item ? ["- " + Indent(item, 2)] : [];
            case "dt":
                return InlineText(element) is { Length: > 0 } term ? [_plain ? term : $"**{term}**"] : [];
            case "table":
                return Table(element);
            case "hr":
                return _plain ? [] : ["---"];
            case "figcaption" or "caption" or "summary":
                return InlineText(element) is { Length: > 0 } caption ? [_plain ? caption : element.LocalName == "summary" ? $"**{caption}**" : $"*{caption}*"] : [];
            default:
                return Blocks(element);
        }
    }

    private void Paragraph(InlineBuilder inline, List<string> blocks)
    {
        var text = inline.ToString().Trim();
        if (text.Length > 0)
        {
            blocks.Add(EscapeLineStart(text));
        }
    }

    private string InlineText(IElement element)
    {
        var inline = new InlineBuilder();
        InlineChildren(element, inline);
        return inline.ToString().Trim();
    }

    private void InlineChildren(INode parent, InlineBuilder into)
    {
        if (_depth >= MaxDepth)
        {
            into.Text(TextStats.FlatText(parent));
            return;
        }

        _depth++;
        try
        {
            foreach (var child in parent.ChildNodes)
            {
                if (child is IText text)
                {
                    into.Text(text.Data);
                }
                else if (child is IElement element)
                {
                    Inline(element, into);
                }
            }
        }
        finally
        {
            _depth--;
        }
    }

    private void Inline(IElement element, InlineBuilder into)
    {
        switch (element.LocalName)
        {
            case "br":
                into.LineBreak();
                break;
            case "img":
                into.Markup(Image(element));
                break;
            case "a":
                Link(element, into);
                break;
            case "strong" or "b":
                Wrap(element, into, "**");
                break;
            case "em" or "i" or "cite" or "dfn" or "var":
                Wrap(element, into, "*");
                break;
            case "del" or "s" or "strike":
                Wrap(element, into, "~~");
                break;
            case "code" or "kbd" or "samp" or "tt":
                into.Markup(InlineCode(element));
                break;
            case "q":
                var quoted = new InlineBuilder();
                InlineChildren(element, quoted);
                into.Wrapped(quoted, "\"", "\"");
                break;
            default:
                if (BlockTags.Contains(element.LocalName))
                {
                    // A block inside inline content (a card link around a div): keep its words apart.
                    into.Space();
                    InlineChildren(element, into);
                    into.Space();
                }
                else
                {
                    InlineChildren(element, into);
                }

                break;
        }
    }

    private void Wrap(IElement element, InlineBuilder into, string marker)
    {
        var inner = new InlineBuilder();
        InlineChildren(element, inner);
        into.Wrapped(inner, _plain ? string.Empty : marker, _plain ? string.Empty : marker);
    }

    private string InlineCode(IElement element)
    {
        var code = TextStats.Normalise(element.TextContent);
        if (_plain || code.Length == 0)
        {
            return code;
        }

        var fence = new string('`', LongestRun(code, '`') + 1);
        var pad = code.StartsWith('`') || code.EndsWith('`') ? " " : string.Empty;
        return fence + pad + code + pad + fence;
    }

    private void Link(IElement element, InlineBuilder into)
    {
        var inner = new InlineBuilder();
        InlineChildren(element, inner);
        var href = element.GetAttribute("href")?.Trim();
        var url = _plain || href is null || href.StartsWith('#') ? null : Resolve(href, allowMail: true);
        if (url is null || inner.IsEmpty)
        {
            into.Wrapped(inner, string.Empty, string.Empty);
            return;
        }

        into.Wrapped(inner, "[", "](" + url + ")");
    }

    private string Image(IElement element)
    {
        if (_plain)
        {
            return string.Empty;
        }

        var source = new[] { element.GetAttribute("src"), element.GetAttribute("data-src"), element.GetAttribute("data-original"), element.GetAttribute("data-lazy-src"), FirstSrcset(element) }
            .Select(s => s?.Trim())
            .FirstOrDefault(s => !string.IsNullOrEmpty(s) && !s.StartsWith("data:", StringComparison.OrdinalIgnoreCase));
        if (source is null || Resolve(source, allowMail: false) is not { } url)
        {
            return string.Empty;
        }

        var alt = TextStats.Normalise(element.GetAttribute("alt") ?? element.GetAttribute("title") ?? string.Empty).Replace("]", "\\]", StringComparison.Ordinal);
        return $"![{alt}]({url})";
    }

    private static string? FirstSrcset(IElement element) =>
        element.GetAttribute("srcset")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault()?.Split(' ')[0];

    /// <summary>An absolute http(s) (or mailto) URL, with parentheses and spaces encoded so the Markdown link stays intact.</summary>
    private string? Resolve(string href, bool allowMail)
    {
        if (!Uri.TryCreate(_base, href, out var url) || !(url.Scheme is "http" or "https" || (allowMail && url.Scheme == "mailto")))
        {
            return null;
        }

        return url.AbsoluteUri.Replace("(", "%28", StringComparison.Ordinal).Replace(")", "%29", StringComparison.Ordinal).Replace(" ", "%20", StringComparison.Ordinal);
    }

    private string CodeBlock(IElement pre)
    {
        var code = TextStats.FlatText(pre).Replace("\r\n", "\n", StringComparison.Ordinal).TrimStart('\n').TrimEnd();
        if (_plain)
        {
            return code;
        }

        var language = Language(pre) ?? (pre.QuerySelector("code") is { } inner ? Language(inner) : null) ?? string.Empty;
        var fence = new string('`', Math.Max(3, LongestRun(code, '`') + 1));
        return $"{fence}{language}\n{code}\n{fence}";
    }

    private static string? Language(IElement element)
    {
        foreach (var name in element.ClassList)
        {
            foreach (var prefix in new[] { "language-", "lang-", "highlight-source-", "highlight-" })
            {
                if (name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && name.Length > prefix.Length)
                {
                    return name[prefix.Length..].ToLowerInvariant();
                }
            }
        }

        return element.GetAttribute("data-lang") is { Length: > 0 } lang && lang.All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '#' or '-')
            ? lang.ToLowerInvariant()
            : null;
    }

    private string List(IElement list)
    {
        var ordered = list.LocalName == "ol";
        var number = ordered && int.TryParse(list.GetAttribute("start"), out var start) ? start : 1;
        var items = new List<string>();
        foreach (var child in list.Children)
        {
            if (child.LocalName is "ul" or "ol" && items.Count > 0)
            {
                // A list directly inside a list (invalid but common): it belongs to the item before it.
                items[^1] += "\n" + Indent(List(child), 2, first: true);
                continue;
            }

            var blocks = child.LocalName == "li" ? Blocks(child) : Block(child);
            var marker = ordered ? $"{number++}. " : "- ";
            var content = JoinItem(blocks);
            if (content.Length > 0)
            {
                items.Add(marker + Indent(content, marker.Length));
            }
        }

        return string.Join('\n', items);
    }

    /// <summary>An item's blocks: a nested list follows its line directly; other blocks are separated by a blank line.</summary>
    private static string JoinItem(List<string> blocks)
    {
        var text = new StringBuilder();
        foreach (var block in blocks.Where(b => b.Length > 0))
        {
            if (text.Length > 0)
            {
                text.Append(ListStart().IsMatch(block) ? "\n" : "\n\n");
            }

            text.Append(block);
        }

        return text.ToString();
    }

    private static string Join(IEnumerable<string> blocks) => string.Join("\n\n", blocks.Where(b => b.Length > 0));

    private string EscapeLineStart(string text) =>
        _plain ? text : BlockMarker().Replace(text, m => char.IsAsciiDigit(m.Value[0])
            ? m.Value[..^2] + "\\" + m.Value[^2..]
            : "\\" + m.Value);

    private static string Prefix(string text, string prefix) =>
        string.Join('\n', text.Split('\n').Select(line => line.Length == 0 ? prefix.TrimEnd() : prefix + line));

    private static string Indent(string text, int width, bool first = false)
    {
        var pad = new string(' ', width);
        var lines = text.Split('\n');
        return string.Join('\n', lines.Select((line, i) => (i == 0 && !first) || line.Length == 0 ? line : pad + line));
    }

    private static int LongestRun(string text, char c)
    {
        int longest = 0, run = 0;
        foreach (var ch in text)
        {
            run = ch == c ? run + 1 : 0;
            longest = Math.Max(longest, run);
        }

        return longest;
    }

    /// <summary>Trailing spaces go; runs of blank lines become one.</summary>
    private static string Tidy(string text)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').Select(l => l.TrimEnd());
        return BlankRuns().Replace(string.Join('\n', lines), "\n\n").Trim('\n');
    }

    [GeneratedRegex(@"^(?:#|>|[-+*] |\d+[.)] |=+\s*$)", RegexOptions.Multiline | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex BlockMarker();

    [GeneratedRegex(@"^(?:- |\d+\. )", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex ListStart();

    [GeneratedRegex(@"\n{3,}", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex BlankRuns();
}
