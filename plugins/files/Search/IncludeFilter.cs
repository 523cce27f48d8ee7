using AgentHost.Sdk.Tools;

namespace AgentHost.Plugins.Files.Search;

/// <summary>
/// grep's <c>include</c>: comma-separated globs (commas inside <c>{a,b}</c> do not split); a file must match one of
/// them (when there are any) and none of those starting with <c>!</c>.
/// </summary>
internal sealed class IncludeFilter
{
    private readonly GlobPattern[] _include;
    private readonly GlobPattern[] _exclude;

    private IncludeFilter(GlobPattern[] include, GlobPattern[] exclude)
    {
        _include = include;
        _exclude = exclude;
    }

    /// <summary>Whether the filter lets every file through.</summary>
    public bool IsEmpty => _include.Length == 0 && _exclude.Length == 0;

    /// <summary>Whether a glob names a hidden folder or file (so hidden entries are wanted).</summary>
    public bool MentionsHidden => _include.Any(g => g.MentionsHidden);

    /// <summary>Parses the parameter.</summary>
    /// <exception cref="ToolException">A glob is empty or invalid.</exception>
    public static IncludeFilter Parse(string? include)
    {
        var included = new List<GlobPattern>();
        var exclude = new List<GlobPattern>();
        foreach (var part in Split(include ?? string.Empty))
        {
            var text = part.Trim();
            if (text.Length == 0)
            {
                continue;
            }

            if (text[0] == '!')
            {
                exclude.Add(GlobPattern.Parse(text[1..], "include"));
            }
            else
            {
                included.Add(GlobPattern.Parse(text, "include"));
            }
        }

        return new IncludeFilter([.. included], [.. exclude]);
    }

    /// <summary>Whether the file passes (its path relative to the searched folder, and its name).</summary>
    public bool Allows(ReadOnlySpan<char> relativePath, ReadOnlySpan<char> name, bool ignoreCase)
    {
        if (_include.Length > 0)
        {
            var any = false;
            foreach (var glob in _include)
            {
                if (glob.IsMatch(relativePath, name, ignoreCase))
                {
                    any = true;
                    break;
                }
            }

            if (!any)
            {
                return false;
            }
        }

        foreach (var glob in _exclude)
        {
            if (glob.IsMatch(relativePath, name, ignoreCase))
            {
                return false;
            }
        }

        return true;
    }

    public override string ToString() => string.Join(", ", _include.Select(g => g.Text).Concat(_exclude.Select(g => "!" + g.Text)));

    private static List<string> Split(string text)
    {
        var parts = new List<string>();
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '\\':
                    i++;
                    break;
                case '{':
                    depth++;
                    break;
                case '}':
                    depth = Math.Max(0, depth - 1);
                    break;
                case ',' when depth == 0:
                    parts.Add(text[start..i]);
                    start = i + 1;
                    break;
            }
        }

        parts.Add(text[start..]);
        return parts;
    }
}
