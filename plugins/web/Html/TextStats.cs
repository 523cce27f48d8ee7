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

    /// <summary>Measures bottom-up with an explicit stack: pages can nest deeper than the thread's stack allows recursion.</summary>
    private (int Text, int Links) Measure(INode root)
    {
        if (_cache.TryGetValue(root, out var known))
        {
            return known;
        }

        var pending = new Stack<(INode Node, bool ChildrenDone)>();
        pending.Push((root, false));
        while (pending.Count > 0)
        {
            var (node, childrenDone) = pending.Pop();
            if (_cache.ContainsKey(node))
            {
                continue;
            }

            if (node is IText text)
            {
                _cache[node] = (CountCollapsed(text.Data), 0);
                continue;
            }

            if (!childrenDone)
            {
                pending.Push((node, true));
                foreach (var child in node.ChildNodes)
                {
                    if (!_cache.ContainsKey(child))
                    {
                        pending.Push((child, false));
                    }
                }

                continue;
            }

            var total = 0;
            var links = 0;
            foreach (var child in node.ChildNodes)
            {
                var (t, l) = _cache.GetValueOrDefault(child);
                total += t;
                links += l;
            }

            _cache[node] = node is IElement { LocalName: "a" } ? (total, total) : (total, links);
        }

        return _cache[root];
    }

    /// <summary>All text under a node, in document order, without recursion.</summary>
    public static string FlatText(INode root)
    {
        var text = new System.Text.StringBuilder();
        var pending = new Stack<INode>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            var node = pending.Pop();
            if (node is IText t)
            {
                text.Append(t.Data);
                continue;
            }

            if (node is IElement { LocalName: "br" })
            {
                text.Append('\n');
            }

            for (var i = node.ChildNodes.Length - 1; i >= 0; i--)
            {
                pending.Push(node.ChildNodes[i]);
            }
        }

        return text.ToString();
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
