using System.Buffers;
using System.Text;
using AgentHost.Sdk.Tools;

namespace AgentHost.Plugins.Files.Search;

/// <summary>
/// A glob of the <c>glob</c> tool or of grep's <c>include</c>: <c>*</c> (within a folder name), <c>?</c>,
/// <c>**</c> (any number of folders), <c>[...]</c> and <c>{a,b}</c> alternatives (nested allowed). A pattern without
/// <c>/</c> matches file names at any depth (<c>*.cs</c> is <c>**/*.cs</c>); one with <c>/</c> matches the path
/// relative to the searched folder. A leading <c>./</c> or <c>/</c> is dropped.
/// </summary>
internal sealed class GlobPattern
{
    private const int MaxAlternatives = 256;
    private static readonly SearchValues<char> Special = SearchValues.Create("*?[\\{}");
    private readonly PathPattern[] _alternatives;

    private GlobPattern(string text, PathPattern[] alternatives, bool mentionsHidden, string folderPrefix)
    {
        Text = text;
        _alternatives = alternatives;
        MentionsHidden = mentionsHidden;
        FolderPrefix = folderPrefix;
    }

    /// <summary>The pattern as given (trimmed).</summary>
    public string Text { get; }

    /// <summary>Whether a folder or file name in the pattern starts with <c>.</c> (so hidden entries are wanted).</summary>
    public bool MentionsHidden { get; }

    /// <summary>
    /// Literal leading folders every match lies in (<c>src/app</c> for <c>src/app/**/*.ts</c>), or empty; the walk
    /// can start there.
    /// </summary>
    public string FolderPrefix { get; }

    /// <summary>Compiles a pattern.</summary>
    /// <param name="pattern">The glob.</param>
    /// <param name="field">The parameter name, for error messages.</param>
    /// <exception cref="ToolException">The pattern is empty, or expands to too many alternatives.</exception>
    public static GlobPattern Parse(string? pattern, string field)
    {
        // On Windows a backslash is a folder separator; elsewhere it escapes the next character.
        var text = (pattern ?? string.Empty).Trim();
        if (OperatingSystem.IsWindows())
        {
            text = text.Replace('\\', '/');
        }

        while (text.StartsWith("./", StringComparison.Ordinal))
        {
            text = text[2..];
        }

        text = text.TrimStart('/');
        if (text.Length == 0)
        {
            throw new ToolException($"{field} is empty; give a glob such as '**/*.cs' or 'src/**/test_*.py'.");
        }

        var expanded = new List<string>();
        Expand(text, expanded);
        var alternatives = new PathPattern[expanded.Count];
        var hidden = false;
        for (var i = 0; i < expanded.Count; i++)
        {
            var alternative = expanded[i].TrimStart('/');
            alternatives[i] = new PathPattern(alternative, alternative.Contains('/'));
            hidden |= alternative.Split('/').Any(part => part.Length > 1 && part[0] == '.' && part != "..");
        }

        return new GlobPattern(text, alternatives, hidden, Prefix(text));
    }

    /// <summary>Whether any alternative matches the file (its path relative to the searched folder, and its name).</summary>
    public bool IsMatch(ReadOnlySpan<char> relativePath, ReadOnlySpan<char> name, bool ignoreCase)
    {
        foreach (var alternative in _alternatives)
        {
            if (alternative.Matches(relativePath, name, ignoreCase))
            {
                return true;
            }
        }

        return false;
    }

    public override string ToString() => Text;

    /// <summary>The literal folders before the first folder with a special character (never the last part, the file name).</summary>
    private static string Prefix(string text)
    {
        var parts = text.Split('/');
        var count = 0;
        while (count < parts.Length - 1 && parts[count].AsSpan().IndexOfAny(Special) < 0 && parts[count] is not ("" or "." or ".."))
        {
            count++;
        }

        return string.Join('/', parts, 0, count);
    }

    /// <summary>Expands <c>{a,b}</c> groups (a group without a top-level comma, or unbalanced, stays literal).</summary>
    private static void Expand(string text, List<string> output)
    {
        var open = -1;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\')
            {
                i++;
                continue;
            }

            if (text[i] != '{')
            {
                continue;
            }

            var depth = 0;
            var commas = new List<int>();
            var close = -1;
            for (var j = i; j < text.Length && close < 0; j++)
            {
                switch (text[j])
                {
                    case '\\':
                        j++;
                        break;
                    case '{':
                        depth++;
                        break;
                    case '}':
                        if (--depth == 0)
                        {
                            close = j;
                        }

                        break;
                    case ',' when depth == 1:
                        commas.Add(j);
                        break;
                }
            }

            if (close > 0 && commas.Count > 0)
            {
                open = i;
                var head = text[..open];
                var tail = text[(close + 1)..];
                var start = open + 1;
                commas.Add(close);
                foreach (var comma in commas)
                {
                    Expand(new StringBuilder(head).Append(text, start, comma - start).Append(tail).ToString(), output);
                    if (output.Count > MaxAlternatives)
                    {
                        throw new ToolException($"the pattern '{text}' expands to more than {MaxAlternatives} alternatives; use fewer {{a,b}} groups.");
                    }

                    start = comma + 1;
                }

                return;
            }
        }

        output.Add(text);
    }
}
