using System.Text;
using System.Text.RegularExpressions;
using AgentHost.Tests.Template;

namespace AgentHost.Tests.Architecture;

/// <summary>
/// Every relative link in README.md and docs/ points at a file that exists, and every <c>#anchor</c> into a markdown
/// file names one of its headings (GitHub's heading slugs) or an explicit <c>&lt;a id&gt;</c>. Moving or splitting a
/// page (docs/benchmarks.md into performance.md and decisions/) must rewrite the links into it.
/// </summary>
public sealed partial class DocsLinkTests
{
    private static readonly string Root = TemplateFeedFixture.FindRepositoryRoot();

    [Fact]
    public void RelativeLinksAndAnchors_InReadmeAndDocs_Resolve()
    {
        var pages = new List<string> { Path.Combine(Root, "README.md") };
        pages.AddRange(Directory.EnumerateFiles(Path.Combine(Root, "docs"), "*.md", SearchOption.AllDirectories));
        var anchors = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        var broken = new List<string>();

        foreach (var page in pages)
        {
            foreach (var line in OutsideCodeFences(page))
            {
                foreach (Match link in LinkPattern().Matches(InlineCodePattern().Replace(line.Text, "")))
                {
                    var target = link.Groups[1].Value;
                    if (SchemePattern().IsMatch(target))
                    {
                        continue;
                    }

                    var hash = target.IndexOf('#', StringComparison.Ordinal);
                    var path = hash < 0 ? target : target[..hash];
                    var anchor = hash < 0 ? "" : target[(hash + 1)..];
                    var file = path.Length == 0 ? page : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(page)!, Uri.UnescapeDataString(path)));
                    var where = $"{Path.GetRelativePath(Root, page)}:{line.Number}: ({target})";
                    if (!File.Exists(file) && !Directory.Exists(file))
                    {
                        broken.Add($"{where} — no such file");
                    }
                    else if (anchor.Length > 0 && file.EndsWith(".md", StringComparison.Ordinal)
                        && !AnchorsOf(file, anchors).Contains(anchor))
                    {
                        broken.Add($"{where} — no heading with that anchor");
                    }
                }
            }
        }

        Assert.True(broken.Count == 0, "Broken links in README.md / docs/:\n" + string.Join('\n', broken));
    }

    private static HashSet<string> AnchorsOf(string file, Dictionary<string, HashSet<string>> cache)
    {
        if (cache.TryGetValue(file, out var known))
        {
            return known;
        }

        var found = new HashSet<string>(StringComparer.Ordinal);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var line in OutsideCodeFences(file))
        {
            var heading = HeadingPattern().Match(line.Text);
            if (heading.Success)
            {
                var slug = Slug(heading.Groups[1].Value);
                counts.TryGetValue(slug, out var seen);
                counts[slug] = seen + 1;
                found.Add(seen == 0 ? slug : $"{slug}-{seen}");
            }

            foreach (Match id in ExplicitAnchorPattern().Matches(line.Text))
            {
                found.Add(id.Groups[1].Value);
            }
        }

        cache[file] = found;
        return found;
    }

    /// <summary>GitHub's heading slug: lower case, punctuation dropped (letters, digits, '-', '_' and spaces kept), spaces to '-'.</summary>
    private static string Slug(string heading)
    {
        var text = heading.Trim().ToLowerInvariant();
        var slug = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (char.IsLetterOrDigit(c) || c is '-' or '_')
            {
                slug.Append(c);
            }
            else if (c == ' ')
            {
                slug.Append('-');
            }
        }

        return slug.ToString();
    }

    private static IEnumerable<(int Number, string Text)> OutsideCodeFences(string file)
    {
        var number = 0;
        var fence = "";
        foreach (var text in File.ReadLines(file))
        {
            number++;
            var marker = FencePattern().Match(text);
            if (marker.Success)
            {
                // A fence closes with the same character, at least as long, and nothing after it; a line such as
                // "  ```` ```csharp ```` …" is inline code, not a fence (GitHub's CommonMark rules).
                var run = marker.Groups[1].Value;
                if (fence.Length == 0)
                {
                    fence = run;
                    yield return (number, "");
                    continue;
                }

                if (run[0] == fence[0] && run.Length >= fence.Length && text.Trim() == run)
                {
                    fence = "";
                    yield return (number, "");
                    continue;
                }
            }

            yield return (number, fence.Length > 0 ? "" : text);
        }
    }

    [GeneratedRegex(@"\]\(([^)\s]+)\)")]
    private static partial Regex LinkPattern();

    [GeneratedRegex(@"^[a-zA-Z][a-zA-Z0-9+.-]*:")]
    private static partial Regex SchemePattern();

    [GeneratedRegex(@"^#{1,6}\s+(.+?)\s*#*\s*$")]
    private static partial Regex HeadingPattern();

    [GeneratedRegex(@"<a\s+(?:name|id)=""([^""]+)""")]
    private static partial Regex ExplicitAnchorPattern();

    [GeneratedRegex(@"^ {0,3}(`{3,}|~{3,})[^`]*$")]
    private static partial Regex FencePattern();

    [GeneratedRegex(@"`[^`]*`")]
    private static partial Regex InlineCodePattern();
}
