using System.Text;
using System.Text.RegularExpressions;

namespace AgentHost.Permissions.Paths;

/// <summary>
/// A gitignore-style path pattern compiled against a root and a home directory: <c>**</c> any number of folders,
/// <c>*</c> any characters within one name, <c>?</c> one character, <c>[abc]</c>, <c>[a-z]</c> and <c>[!x]</c> (or
/// <c>[^x]</c>) one character of a class. <c>~/</c> is the home directory, <c>/</c> or <c>//</c> an absolute path,
/// <c>./x</c> and any pattern containing a <c>/</c> are relative to the root, and a plain name (<c>.env</c>,
/// <c>*.pem</c>) matches at any depth. A pattern also matches everything below what it names. <c>\</c> is a
/// separator, like <c>/</c> (write <c>[*]</c> or <c>[[]</c> for a literal <c>*</c> or <c>[</c>).
/// </summary>
/// <remarks>Immutable and thread-safe. Matching gives up after a second (a pathological path against many <c>**</c>): the caller says what that means.</remarks>
internal sealed class PathPattern
{
    private const RegexOptions BaseOptions = RegexOptions.CultureInvariant | RegexOptions.Singleline;

    private readonly Regex _regex;

    /// <summary>The longest run of plain characters the pattern's body requires, or <see langword="null"/> (<see cref="IsMatch"/>).</summary>
    private readonly string? _literal;

    private readonly bool _ignoreCase;

    private PathPattern(Regex regex, bool anywhere, bool hasClasses, string? literal, bool ignoreCase)
    {
        _regex = regex;
        MatchesAnywhere = anywhere;
        HasClasses = hasClasses;
        _literal = literal;
        _ignoreCase = ignoreCase;
    }

    /// <summary>The compiled expression (what <see cref="IsMatch"/> answers when the plain-text check does not).</summary>
    internal Regex Expression => _regex;

    /// <summary>The run of plain characters a matching path must contain, or <see langword="null"/>.</summary>
    internal string? RequiredText => _literal;

    /// <summary>Whether the pattern is a plain name that matches at any depth (not anchored to the root).</summary>
    public bool MatchesAnywhere { get; }

    /// <summary>Whether the pattern contains a <c>[…]</c> character class (then its literal reading may matter too).</summary>
    public bool HasClasses { get; }

    /// <summary>Compiles a pattern.</summary>
    /// <param name="pattern">The pattern.</param>
    /// <param name="root">The real root path.</param>
    /// <param name="home">The real home path.</param>
    /// <param name="ignoreCase">Whether to ignore case.</param>
    /// <param name="classes">Whether <c>[…]</c> is a character class; when <see langword="false"/> brackets are literal.</param>
    /// <returns>The compiled pattern.</returns>
    public static PathPattern Compile(string pattern, string root, string home, bool ignoreCase, bool classes = true)
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

        var (body, hasClasses, literal) = Translate(p.TrimEnd('/'), classes);
        var start = anywhere
            ? Regex.Escape(prefix.TrimEnd('/')) + "/(?:.*/)?"
            : prefix.Length == 0 ? string.Empty : Regex.Escape(prefix.TrimEnd('/')) + (body.Length > 0 && !body.StartsWith('/') ? "/" : string.Empty);
        var text = "^" + start + body + "(?:/.*)?$";
        var options = BaseOptions | (ignoreCase ? RegexOptions.IgnoreCase : RegexOptions.None);
        return new PathPattern(new Regex(text, options, TimeSpan.FromSeconds(1)), anywhere, hasClasses, literal.Length > 0 && (!ignoreCase || Ascii.IsValid(literal)) ? literal : null, ignoreCase);
    }

    /// <summary>Whether a full path (any separators) matches.</summary>
    /// <param name="fullPath">An absolute path.</param>
    /// <param name="onTimeout">The answer when matching takes too long: <see langword="true"/> for deny rules and the floor, <see langword="false"/> for allow rules.</param>
    /// <returns>Whether it matches.</returns>
    /// <remarks>
    /// A path that does not contain the longest run of plain characters of the pattern (<c>.secret</c> of
    /// <c>**/*.secret</c>) cannot match, and is answered without the expression (a search asks this for every file
    /// and rule). Without case that is decided only for an ASCII path and an ASCII run, where ASCII case folding is
    /// exactly the expression's comparison (its other case equivalents of ASCII letters, such as the Kelvin sign for
    /// <c>k</c>, are not ASCII); any other path goes to the expression.
    /// </remarks>
    public bool IsMatch(string fullPath, bool onTimeout = false)
    {
        var path = Slashes(fullPath);
        if (_literal is { } literal && (_ignoreCase ? Ascii.IsValid(path) && !path.Contains(literal, StringComparison.OrdinalIgnoreCase) : !path.Contains(literal, StringComparison.Ordinal)))
        {
            return false;
        }

        try
        {
            return _regex.IsMatch(path);
        }
        catch (RegexMatchTimeoutException)
        {
            return onTimeout;
        }
    }

    /// <summary>Whether a name-only pattern should match anywhere (outside the root too): used for deny and ask rules.</summary>
    /// <param name="fullPath">An absolute path.</param>
    /// <param name="name">The pattern text.</param>
    /// <param name="ignoreCase">Whether to ignore case.</param>
    /// <returns>Whether any component sequence at the end of the path matches the name pattern.</returns>
    public static bool NameMatchesAnywhere(string fullPath, string name, bool ignoreCase)
    {
        var compiled = Compile(name, "/", "/", ignoreCase);
        return compiled.IsMatch(Slashes(fullPath), onTimeout: true);
    }

    /// <summary>A regular expression for one file name glob (<c>*</c>, <c>?</c>, <c>[…]</c>; no separators), as the shell expands it.</summary>
    /// <param name="glob">One path component.</param>
    /// <param name="ignoreCase">Whether to ignore case.</param>
    /// <returns>The anchored expression.</returns>
    public static Regex NameGlob(string glob, bool ignoreCase) =>
        new("^" + Translate(glob, classes: true).Body + "$", BaseOptions | (ignoreCase ? RegexOptions.IgnoreCase : RegexOptions.None), TimeSpan.FromSeconds(1));

    /// <summary>Whether text contains a glob character the shell would expand (<c>*</c>, <c>?</c> or a <c>[…]</c> class).</summary>
    /// <param name="text">The text.</param>
    /// <returns>Whether it does.</returns>
    public static bool HasGlob(string text) =>
        text.Contains('*', StringComparison.Ordinal) || text.Contains('?', StringComparison.Ordinal)
        || (text.IndexOf('[', StringComparison.Ordinal) is var open and >= 0 && ClassEnd(text, open) > open);

    /// <summary>
    /// The expression of a glob, whether it has a class, and the longest run of plain characters it requires (empty
    /// when none).
    /// </summary>
    private static (string Body, bool HasClasses, string Literal) Translate(string p, bool classes)
    {
        var body = new StringBuilder();
        var hasClasses = false;
        var run = new StringBuilder();
        var longest = string.Empty;
        for (var i = 0; i < p.Length; i++)
        {
            var c = p[i];
            if (c is '*' or '?' || (c == '[' && classes && ClassEnd(p, i) > 0))
            {
                longest = run.Length > longest.Length ? run.ToString() : longest;
                run.Clear();
            }
            else
            {
                run.Append(c);
            }

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
            else if (c == '[' && classes && ClassEnd(p, i) is var end and > 0)
            {
                body.Append(ClassRegex(p[(i + 1)..end]));
                hasClasses = true;
                i = end;
            }
            else
            {
                body.Append(Regex.Escape(c.ToString()));
            }
        }

        longest = run.Length > longest.Length ? run.ToString() : longest;
        return (body.ToString(), hasClasses, longest);
    }

    /// <summary>The index of the <c>]</c> that closes the class opened at <paramref name="open"/>, or -1 (then <c>[</c> is literal).</summary>
    private static int ClassEnd(string p, int open)
    {
        var j = open + 1;
        if (j < p.Length && p[j] is '!' or '^')
        {
            j++;
        }

        if (j < p.Length && p[j] == ']')
        {
            j++; // a leading ']' is a member: []a] or [!]a]
        }

        for (; j < p.Length; j++)
        {
            if (p[j] == '/')
            {
                return -1;
            }

            if (p[j] == ']')
            {
                return j;
            }
        }

        return -1;
    }

    /// <summary>Translates the inside of a class (<c>abc</c>, <c>a-z</c>, <c>!x</c>) into a .NET class that never matches <c>/</c>.</summary>
    private static string ClassRegex(string inner)
    {
        var negate = inner.Length > 0 && inner[0] is '!' or '^';
        var members = negate ? inner[1..] : inner;
        var set = new StringBuilder();
        for (var k = 0; k < members.Length; k++)
        {
            var from = members[k];
            if (k + 2 < members.Length && members[k + 1] == '-')
            {
                var to = members[k + 2];
                if (from <= to)
                {
                    set.Append(Escape(from)).Append('-').Append(Escape(to));
                }

                k += 2; // a reversed range (z-a) matches nothing
            }
            else
            {
                set.Append(Escape(from));
            }
        }

        if (set.Length == 0)
        {
            return negate ? "[^/]" : "[^\\s\\S]";
        }

        return negate ? $"[^/{set}]" : $"[{set}-[/]]";

        static string Escape(char c) => c is '\\' or ']' or '[' or '^' or '-' ? "\\" + c : c.ToString();
    }

    private static string Slashes(string path) => path.Replace('\\', '/');
}
