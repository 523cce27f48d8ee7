using System.Text;
using System.Text.RegularExpressions;

namespace AgentHost.Kernel.Permissions;

/// <summary>
/// A gitignore-style path pattern compiled against a root and a home directory: <c>**</c> any number of folders,
/// <c>*</c> any characters within one name, <c>?</c> one character. <c>~/</c> is the home directory, <c>/</c> or
/// <c>//</c> an absolute path, <c>./x</c> and any pattern containing a <c>/</c> are relative to the root, and a plain
/// name (<c>.env</c>, <c>*.pem</c>) matches at any depth. A pattern also matches everything below what it names.
/// </summary>
internal sealed class PathPattern
{
    private readonly Regex _regex;

    private PathPattern(Regex regex, bool anywhere)
    {
        _regex = regex;
        MatchesAnywhere = anywhere;
    }

    /// <summary>Whether the pattern is a plain name that matches at any depth (not anchored to the root).</summary>
    public bool MatchesAnywhere { get; }

    /// <summary>Compiles a pattern.</summary>
    /// <param name="pattern">The pattern.</param>
    /// <param name="root">The real root path.</param>
    /// <param name="home">The real home path.</param>
    /// <param name="ignoreCase">Whether to ignore case.</param>
    /// <returns>The compiled pattern.</returns>
    public static PathPattern Compile(string pattern, string root, string home, bool ignoreCase)
    {
        var p = pattern.Replace('\\', '/');
        string prefix;
        var anywhere = false;
        if (p == "~" || p.StartsWith("~/", StringComparison.Ordinal))
        {
            prefix = Slashes(home);
            p = p.Length > 2 ? p[2..] : string.Empty;
        }
        else if (p.StartsWith('/') || (p.Length > 2 && p[1] == ':' && p[2] == '/'))
        {
            prefix = string.Empty;
            p = "/" + p.TrimStart('/');
            if (p.Length > 3 && p[2] == ':')
            {
                p = p[1..];
            }
        }
        else
        {
            if (p.StartsWith("./", StringComparison.Ordinal))
            {
                p = p[2..];
            }
            else if (!p.TrimEnd('/').Contains('/', StringComparison.Ordinal))
            {
                anywhere = true;
            }

            prefix = Slashes(root);
        }

        var body = new StringBuilder();
        p = p.TrimEnd('/');
        for (var i = 0; i < p.Length; i++)
        {
            var c = p[i];
            if (c == '*' && i + 1 < p.Length && p[i + 1] == '*')
            {
                var slashAfter = i + 2 < p.Length && p[i + 2] == '/';
                body.Append(slashAfter ? "(?:.*/)?" : ".*");
                i += slashAfter ? 2 : 1;
            }
            else if (c == '*')
            {
                body.Append("[^/]*");
            }
            else if (c == '?')
            {
                body.Append("[^/]");
            }
            else
            {
                body.Append(Regex.Escape(c.ToString()));
            }
        }

        var start = anywhere
            ? Regex.Escape(prefix.TrimEnd('/')) + "/(?:.*/)?"
            : prefix.Length == 0 ? string.Empty : Regex.Escape(prefix.TrimEnd('/')) + (body.Length > 0 && !body.ToString().StartsWith('/') ? "/" : string.Empty);
        var text = "^" + start + body + "(?:/.*)?$";
        var options = RegexOptions.CultureInvariant | RegexOptions.Singleline | (ignoreCase ? RegexOptions.IgnoreCase : RegexOptions.None);
        return new PathPattern(new Regex(text, options, TimeSpan.FromSeconds(1)), anywhere);
    }

    /// <summary>Whether a full path (any separators) matches.</summary>
    /// <param name="fullPath">An absolute path.</param>
    /// <returns>Whether it matches.</returns>
    public bool IsMatch(string fullPath) => _regex.IsMatch(Slashes(fullPath));

    /// <summary>Whether a name-only pattern should match anywhere (outside the root too): used for deny and ask rules.</summary>
    /// <param name="fullPath">An absolute path.</param>
    /// <param name="name">The pattern text.</param>
    /// <param name="ignoreCase">Whether to ignore case.</param>
    /// <returns>Whether any component sequence at the end of the path matches the name pattern.</returns>
    public static bool NameMatchesAnywhere(string fullPath, string name, bool ignoreCase)
    {
        var compiled = Compile(name, "/", "/", ignoreCase);
        return compiled.IsMatch(Slashes(fullPath));
    }

    private static string Slashes(string path) => path.Replace('\\', '/');
}
