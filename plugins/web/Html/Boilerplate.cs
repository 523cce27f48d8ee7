using AngleSharp.Dom;

namespace AgentHost.Plugins.Web.Html;

/// <summary>
/// What marks an element as page furniture rather than content: its tag, its ARIA role, and the words of its class
/// and id (<c>ad-slot</c>, <c>cookie-banner</c>, <c>share-buttons</c>, <c>comments</c>). Words are whole tokens split on
/// punctuation, so <c>header</c> or <c>download</c> never match <c>ad</c>.
/// </summary>
internal static class Boilerplate
{
    /// <summary>Elements that never hold readable content.</summary>
    public static readonly HashSet<string> NeverContent = new(StringComparer.OrdinalIgnoreCase)
    {
        "script", "style", "noscript", "template", "iframe", "frame", "frameset", "object", "embed", "applet", "svg", "math",
        "canvas", "link", "meta", "base", "button", "input", "select", "option", "optgroup", "textarea", "datalist", "output",
        "dialog", "map", "area", "audio", "video", "source", "track", "slot", "menu", "title",
    };

    /// <summary>Structural elements that hold navigation or side matter.</summary>
    public static readonly HashSet<string> FurnitureTags = new(StringComparer.OrdinalIgnoreCase) { "nav", "aside", "footer" };

    /// <summary>ARIA landmark and widget roles that are not the main content.</summary>
    public static readonly HashSet<string> FurnitureRoles = new(StringComparer.OrdinalIgnoreCase)
    {
        "navigation", "banner", "contentinfo", "complementary", "search", "dialog", "alertdialog", "menu", "menubar", "toolbar",
        "tooltip", "status", "alert", "marquee",
    };

    /// <summary>Words that mark an element as boilerplate whatever else its class says (a comment body is still a comment).</summary>
    private static readonly HashSet<string> StrongWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "ad", "ads", "adv", "advert", "adverts", "advertisement", "advertisements", "advertising", "adsense", "adslot", "adunit",
        "adbox", "adblock", "adcontainer", "dfp", "gpt", "sponsor", "sponsors", "sponsored", "promo", "promos", "promoted",
        "promotion", "promotions", "cookie", "cookies", "consent", "gdpr", "share", "shares", "sharing", "sharebar", "social",
        "comment", "comments", "commentlist", "disqus", "newsletter", "subscribe", "subscription", "signup", "popup", "modal",
        "overlay", "outbrain", "taboola", "related", "recommended", "recommendations", "breadcrumb", "breadcrumbs", "paywall",
        "skip", "skiplink", "banner", "donate", "donation",
    };

    /// <summary>Words that suggest boilerplate unless the element also looks like content or holds most of the page.</summary>
    private static readonly HashSet<string> WeakWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "sidebar", "sidebars", "widget", "widgets", "footer", "header", "masthead", "nav", "navbar", "navigation", "menu", "menus",
        "pagination", "pager", "toolbar", "hidden", "print", "utility", "tags", "tagcloud", "meta",
    };

    /// <summary>Words that suggest the main content.</summary>
    private static readonly HashSet<string> ContentWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "article", "articlebody", "body", "content", "entry", "hentry", "main", "post", "text", "blog", "story", "prose",
        "markdown", "instapaper",
    };

    private static readonly char[] Separators = [' ', '-', '_', ':', '.', '/', '\t', '\n', '\r', '(', ')', '[', ']'];

    /// <summary>How an element's class and id words classify it.</summary>
    /// <param name="element">The element.</param>
    /// <returns><see cref="Signal.Strong"/>, <see cref="Signal.Weak"/>, <see cref="Signal.Content"/> or <see cref="Signal.None"/>.</returns>
    public static Signal Classify(IElement element)
    {
        var words = Words(element);
        if (words.Count == 0)
        {
            return Signal.None;
        }

        if (words.Any(StrongWords.Contains) || words.Any(w => w.StartsWith("advert", StringComparison.OrdinalIgnoreCase) || w.StartsWith("sponsor", StringComparison.OrdinalIgnoreCase)
                                                            || w.StartsWith("cookie", StringComparison.OrdinalIgnoreCase) || w.StartsWith("social", StringComparison.OrdinalIgnoreCase)))
        {
            return Signal.Strong;
        }

        var content = words.Any(ContentWords.Contains);
        return words.Any(WeakWords.Contains) && !content ? Signal.Weak : content ? Signal.Content : Signal.None;
    }

    /// <summary>The class-and-id weight Readability-style scoring adds: +25 for content words, -25 for boilerplate words.</summary>
    /// <param name="element">The element.</param>
    /// <returns>The weight.</returns>
    public static int Weight(IElement element) => Classify(element) switch
    {
        Signal.Strong or Signal.Weak => -25,
        Signal.Content => 25,
        _ => 0,
    };

    private static List<string> Words(IElement element)
    {
        var words = new List<string>();
        foreach (var value in new[] { element.GetAttribute("class"), element.Id, element.GetAttribute("itemprop") })
        {
            if (!string.IsNullOrEmpty(value))
            {
                words.AddRange(value.Split(Separators, StringSplitOptions.RemoveEmptyEntries));
            }
        }

        return words;
    }
}

/// <summary>What an element's class and id say about it.</summary>
internal enum Signal
{
    None,
    Content,
    Weak,
    Strong,
}
