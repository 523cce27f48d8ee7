using System.Text.RegularExpressions;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;

namespace AgentHost.Plugins.Web.Html;

/// <summary>A page's title and its readable main content.</summary>
/// <param name="Title">The article title, or <see langword="null"/> when the page has none.</param>
/// <param name="Content">The element holding the main content (boilerplate removed).</param>
/// <param name="BaseUrl">The URL relative links resolve against (<c>&lt;base href&gt;</c>, else the page URL).</param>
internal sealed record ExtractedPage(string? Title, IElement Content, Uri BaseUrl);

/// <summary>
/// Finds the readable main content of a page, in the manner of Mozilla's Readability: scripts, hidden elements and
/// page furniture (navigation, headers, footers, asides, forms, cookie banners, ads, share bars, comments) are removed;
/// paragraphs are scored by length and commas and their scores given to their ancestors; the best ancestor, scaled by
/// how little of its text is links, is the content — or the nearest <c>article</c>/<c>main</c> around it; leftover
/// link lists and empty boxes inside it are dropped. Changes the document.
/// </summary>
internal static partial class ContentExtractor
{
    private const int MinParagraphLength = 25;

    public static ExtractedPage Extract(IHtmlDocument document, Uri url)
    {
        var baseUrl = BaseUrl(document, url);
        var title = Title(document);
        var body = (IElement?)document.Body ?? document.DocumentElement;
        RemoveNeverContent(document);
        RemoveFurniture(body, new TextStats().TextLength(body));
        var content = SelectContent(document, body, new TextStats());
        Clean(content, new TextStats());
        RemoveTitleHeading(content, title);
        return new ExtractedPage(title, content, baseUrl);
    }

    /// <summary>An <c>h1</c> that the <c>&lt;title&gt;</c> contains (the title without the site name), else og:title, else the title, else the only h1.</summary>
    private static string? Title(IHtmlDocument document)
    {
        var title = TextStats.Normalise(document.Title ?? string.Empty);
        var headings = document.QuerySelectorAll("h1").Select(h => TextStats.Normalise(h.TextContent)).Where(t => t.Length > 0).ToList();
        if (headings.FirstOrDefault(h => title.Contains(h, StringComparison.OrdinalIgnoreCase)) is { } heading)
        {
            return heading;
        }

        var og = TextStats.Normalise(document.QuerySelector("meta[property='og:title'], meta[name='og:title']")?.GetAttribute("content") ?? string.Empty);
        return og.Length > 0 ? og : title.Length > 0 ? title : headings.Count == 1 ? headings[0] : null;
    }

    private static Uri BaseUrl(IHtmlDocument document, Uri url) =>
        document.QuerySelector("base[href]")?.GetAttribute("href") is { Length: > 0 } href
        && Uri.TryCreate(url, href.Trim(), out var resolved) && resolved.Scheme is "http" or "https"
            ? resolved
            : url;

    private static void RemoveNeverContent(IHtmlDocument document)
    {
        foreach (var element in document.All.ToList())
        {
            if (Boilerplate.NeverContent.Contains(element.LocalName) || IsHidden(element))
            {
                element.Remove();
            }
        }
    }

    private static bool IsHidden(IElement element) =>
        element.LocalName is not ("html" or "body")
        && (element.HasAttribute("hidden")
            || string.Equals(element.GetAttribute("aria-hidden"), "true", StringComparison.OrdinalIgnoreCase)
            || (element.GetAttribute("style") is { Length: > 0 } style && HiddenStyle().IsMatch(style)));

    /// <summary>Removes navigation, headers, footers, asides, forms, furniture roles, and elements whose class or id marks them as boilerplate.</summary>
    private static void RemoveFurniture(IElement body, int bodyLength)
    {
        var stats = new TextStats();
        foreach (var element in body.QuerySelectorAll("*").ToList())
        {
            if (IsSemanticMain(element) || element.LocalName is "html" or "body" || !IsAttached(element, body))
            {
                continue;
            }

            var remove = element.LocalName switch
            {
                _ when Boilerplate.FurnitureTags.Contains(element.LocalName) => !HoldsMain(element),
                "header" => !HoldsMain(element) && element.Closest("article, main, [role=main]") is null,
                "form" => stats.TextLength(element) < bodyLength / 2,
                _ when element.GetAttribute("role") is { } role && Boilerplate.FurnitureRoles.Contains(role.Trim()) => !HoldsMain(element),
                _ => Boilerplate.Classify(element) switch
                {
                    Signal.Strong => !HoldsMain(element) && element.QuerySelector("h1") is null,
                    Signal.Weak => !HoldsMain(element) && element.QuerySelector("h1") is null && stats.TextLength(element) < bodyLength / 2,
                    _ => false,
                },
            };
            if (remove)
            {
                element.Remove();
            }
        }
    }

    private static IElement SelectContent(IHtmlDocument document, IElement body, TextStats stats)
    {
        var scores = Score(body, stats);
        if (scores.Count == 0)
        {
            return body;
        }

        var best = scores.MaxBy(p => p.Value * (1 - stats.LinkDensity(p.Key))).Key;

        // The nearest article/main around the best block is the author's own statement of where the content is.
        for (var element = best; element is not null && element != body; element = element.ParentElement)
        {
            if (IsSemanticMain(element))
            {
                return element;
            }
        }

        // A wrapper whose text is mostly one article: take the article.
        var inner = best.QuerySelectorAll("article, main, [role=main], [itemprop=articleBody]").ToList();
        if (inner.Count == 1 && stats.TextLength(inner[0]) >= 0.6 * stats.TextLength(best))
        {
            return inner[0];
        }

        return WithSiblings(document, best, scores, stats);
    }

    /// <summary>Readability's paragraph scoring: each paragraph gives 1 + commas + length/100 (at most 3) to its ancestors, less with distance.</summary>
    private static Dictionary<IElement, double> Score(IElement body, TextStats stats)
    {
        var scores = new Dictionary<IElement, double>();
        foreach (var element in body.QuerySelectorAll("p, pre, td, blockquote, div, section"))
        {
            if (element.LocalName is "div" or "section" && !HasOwnText(element))
            {
                continue;
            }

            var length = stats.TextLength(element);
            if (length < MinParagraphLength)
            {
                continue;
            }

            var text = element.TextContent;
            var score = 1 + text.Count(c => c is ',' or '\uFF0C' or '\u3001') + Math.Min(length / 100, 3);
            var level = 0;
            for (var ancestor = element.ParentElement; ancestor is not null && level < 5; ancestor = ancestor.ParentElement, level++)
            {
                if (!scores.ContainsKey(ancestor))
                {
                    scores[ancestor] = InitialScore(ancestor);
                }

                scores[ancestor] += score / (level switch { 0 => 1.0, 1 => 2.0, _ => level * 3.0 });
                if (ancestor == body)
                {
                    break;
                }
            }
        }

        return scores;
    }

    private static double InitialScore(IElement element) => Boilerplate.Weight(element) + element.LocalName switch
    {
        "article" or "main" => 10,
        "div" => 5,
        "pre" or "td" or "blockquote" => 3,
        "address" or "ol" or "ul" or "dl" or "dd" or "dt" or "li" or "form" => -3,
        "h1" or "h2" or "h3" or "h4" or "h5" or "h6" or "th" => -5,
        _ => 0,
    };

    /// <summary>The best block plus its siblings that look like content too (a story split over several divs).</summary>
    private static IElement WithSiblings(IHtmlDocument document, IElement best, Dictionary<IElement, double> scores, TextStats stats)
    {
        if (best.ParentElement is not { } parent || best.LocalName is "body")
        {
            return best;
        }

        var threshold = Math.Max(10, scores[best] * 0.2);
        var chosen = parent.Children.Where(sibling => sibling == best || IsContentSibling(sibling, threshold, scores, stats)).ToList();
        if (chosen.Count == 1)
        {
            return best;
        }

        var container = document.CreateElement("div");
        foreach (var sibling in chosen)
        {
            container.AppendChild(sibling);
        }

        return container;
    }

    private static bool IsContentSibling(IElement sibling, double threshold, Dictionary<IElement, double> scores, TextStats stats)
    {
        if (scores.TryGetValue(sibling, out var score) && score * (1 - stats.LinkDensity(sibling)) >= threshold)
        {
            return true;
        }

        if (sibling.LocalName != "p")
        {
            return false;
        }

        var length = stats.TextLength(sibling);
        var density = stats.LinkDensity(sibling);
        return (length > 80 && density < 0.25) || (length > 0 && density == 0 && TextStats.Normalise(sibling.TextContent).EndsWith('.'));
    }

    /// <summary>Drops what is left of the furniture inside the content: link lists, link boxes and empty boxes (never code).</summary>
    private static void Clean(IElement content, TextStats stats)
    {
        foreach (var element in content.QuerySelectorAll("div, section, ul, ol, dl, table, figure, span").Reverse().ToList())
        {
            if (element.QuerySelector("pre, code") is not null || element.LocalName is "table" && element.QuerySelector("th") is not null)
            {
                continue;
            }

            var length = stats.TextLength(element);
            var density = stats.LinkDensity(element);
            var media = element.QuerySelector("img, table") is not null;
            var remove = element.LocalName switch
            {
                "ul" or "ol" => density > 0.8 && element.Children.Length > 0 && length / element.Children.Length < 60,
                "span" => false,
                _ => (length == 0 && !media) || (density > 0.5 && length < 500 && !media) || Boilerplate.Weight(element) < 0,
            };
            if (remove)
            {
                element.Remove();
            }
        }
    }

    private static void RemoveTitleHeading(IElement content, string? title)
    {
        if (title is null || content.QuerySelector("h1, h2") is not { } heading)
        {
            return;
        }

        if (string.Equals(TextStats.Normalise(heading.TextContent), title, StringComparison.OrdinalIgnoreCase))
        {
            heading.Remove();
        }
    }

    private static bool IsSemanticMain(IElement element) =>
        element.LocalName is "article" or "main"
        || string.Equals(element.GetAttribute("role"), "main", StringComparison.OrdinalIgnoreCase)
        || string.Equals(element.GetAttribute("itemprop"), "articleBody", StringComparison.OrdinalIgnoreCase);

    private static bool HoldsMain(IElement element) => element.QuerySelector("article, main, [role=main], [itemprop=articleBody]") is not null;

    private static bool HasOwnText(IElement element) =>
        element.ChildNodes.OfType<IText>().Any(t => TextStats.Normalise(t.Data).Length >= MinParagraphLength);

    private static bool IsAttached(IElement element, IElement body)
    {
        for (var node = element.ParentElement; node is not null; node = node.ParentElement)
        {
            if (node == body)
            {
                return true;
            }
        }

        return false;
    }

    [GeneratedRegex(@"display\s*:\s*none|visibility\s*:\s*hidden", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex HiddenStyle();
}
