namespace AgentHost.Common.Ignore;

/// <summary>
/// One line of an ignore file (<c>.gitignore</c>, <c>.ignore</c>, <c>.git/info/exclude</c>), parsed the way git does:
/// <c>!</c> negates, a trailing <c>/</c> matches only folders, a <c>/</c> at the start or in the middle anchors the
/// pattern to the ignore file's folder (otherwise it matches the name at any depth), trailing unescaped spaces are
/// dropped, <c>\</c> escapes, <c>#</c> starts a comment.
/// </summary>
internal sealed class IgnoreRule
{
    private readonly PathPattern _pattern;

    private IgnoreRule(string pattern, bool negated, bool directoryOnly, bool anchored)
    {
        _pattern = new PathPattern(pattern, anchored);
        Negated = negated;
        DirectoryOnly = directoryOnly;
    }

    /// <summary>The rule re-includes what earlier rules excluded.</summary>
    public bool Negated { get; }

    /// <summary>The rule matches folders only.</summary>
    public bool DirectoryOnly { get; }

    /// <summary>Parses one line; <see langword="null"/> for blank lines and comments.</summary>
    public static IgnoreRule? Parse(ReadOnlySpan<char> line)
    {
        if (line.EndsWith("\r"))
        {
            line = line[..^1];
        }

        line = TrimTrailingSpaces(line);
        if (line.IsEmpty || line[0] == '#')
        {
            return null;
        }

        var negated = line[0] == '!';
        if (negated)
        {
            line = line[1..];
        }

        var directoryOnly = line.EndsWith("/");
        if (directoryOnly)
        {
            line = line[..^1];
        }

        var anchored = line.Contains('/');
        if (!line.IsEmpty && line[0] == '/')
        {
            line = line[1..];
        }

        return line.IsEmpty ? null : new IgnoreRule(line.ToString(), negated, directoryOnly, anchored);
    }

    /// <summary>
    /// Whether the rule matches an entry, given its path relative to the ignore file's folder and its name.
    /// The caller checks <see cref="DirectoryOnly"/>.
    /// </summary>
    public bool Matches(ReadOnlySpan<char> relativePath, ReadOnlySpan<char> name, bool ignoreCase) => _pattern.Matches(relativePath, name, ignoreCase);

    public override string ToString() =>
        (Negated ? "!" : string.Empty) + (_pattern.Anchored ? "/" : string.Empty) + _pattern + (DirectoryOnly ? "/" : string.Empty);

    /// <summary>Git's trim_trailing_spaces: drops trailing spaces unless the first of them is escaped with a backslash.</summary>
    private static ReadOnlySpan<char> TrimTrailingSpaces(ReadOnlySpan<char> line)
    {
        var lastSpace = -1;
        for (var i = 0; i < line.Length; i++)
        {
            switch (line[i])
            {
                case ' ':
                    if (lastSpace < 0)
                    {
                        lastSpace = i;
                    }

                    break;
                case '\\':
                    if (++i >= line.Length)
                    {
                        return line;
                    }

                    lastSpace = -1;
                    break;
                default:
                    lastSpace = -1;
                    break;
            }
        }

        return lastSpace >= 0 ? line[..lastSpace] : line;
    }
}
