using AngleSharp.Dom;

namespace AgentHost.Plugins.Web.Html;

/// <summary>
/// Text lengths of elements (whitespace runs counted as one character) and how much of that text is inside links,
/// memoised per element: scoring asks for the same subtrees many times. Valid until the tree changes.
/// </summary>
internal sealed class TextStats
{
    private readonly Dictionary<INode, (int Text, int Links)> _cache = [];

    /// <summary>The element's visible text length.</summary>
    public int TextLength(INode node) => Measure(node).Text;

    /// <summary>The share of the element's text inside links, 0 to 1.</summary>
    public double LinkDensity(INode node)
    {
        var (text, links) = Measure(node);
        return text == 0 ? 0 : (double)links / text;
    }

    /// <summary>Normalises whitespace: runs become one space, ends are trimmed.</summary>
    public static string Normalise(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    private (int Text, int Links) Measure(INode node)
    {
        if (_cache.TryGetValue(node, out var known))
        {
            return known;
        }

        (int Text, int Links) result;
        if (node is IText text)
        {
            var length = CountCollapsed(text.Data);
            result = (length, 0);
        }
        else
        {
            var total = 0;
            var links = 0;
            foreach (var child in node.ChildNodes)
            {
                var (t, l) = Measure(child);
                total += t;
                links += l;
            }

            result = node is IElement { LocalName: "a" } ? (total, total) : (total, links);
        }

        _cache[node] = result;
        return result;
    }

    private static int CountCollapsed(string text)
    {
        var count = 0;
        var space = true;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                if (!space)
                {
                    count++;
                    space = true;
                }
            }
            else
            {
                count++;
                space = false;
            }
        }

        return count;
    }
}
