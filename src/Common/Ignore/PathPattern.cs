namespace AgentHost.Common.Ignore;

/// <summary>
/// One wildmatch pattern, matched against a file's name (unanchored: it has no <c>/</c>) or against its path relative
/// to a base folder (anchored), with fast paths for the common shapes (<c>name</c>, <c>*.ext</c>, <c>prefix*</c>,
/// <c>*</c>); everything else goes through <see cref="Wildmatch"/>.
/// </summary>
internal sealed class PathPattern
{
    private readonly string _pattern;
    private readonly Kind _kind;
    private readonly string _literal;

    /// <summary>Compiles a pattern (without a leading <c>/</c>).</summary>
    /// <param name="pattern">The pattern.</param>
    /// <param name="anchored">Match the relative path instead of the name.</param>
    public PathPattern(string pattern, bool anchored)
    {
        _pattern = pattern;
        Anchored = anchored;
        (_kind, _literal) = Classify(pattern);
    }

    private enum Kind
    {
        Wild,
        Literal,
        Suffix,
        Prefix,
        Any,
    }

    /// <summary>Whether the pattern matches the path relative to its base rather than the name.</summary>
    public bool Anchored { get; }

    /// <summary>Whether the pattern matches, given the entry's path relative to the pattern's base folder and its name.</summary>
    public bool Matches(ReadOnlySpan<char> relativePath, ReadOnlySpan<char> name, bool ignoreCase)
    {
        var text = Anchored ? relativePath : name;
        var comparison = ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        return _kind switch
        {
            Kind.Literal => text.Equals(_literal, comparison),
            Kind.Suffix => text.EndsWith(_literal, comparison) && (!Anchored || !text[..^_literal.Length].Contains('/')),
            Kind.Prefix => text.StartsWith(_literal, comparison) && (!Anchored || !text[_literal.Length..].Contains('/')),
            Kind.Any => !Anchored || !text.Contains('/'),
            _ => Wildmatch.IsMatch(_pattern, text, ignoreCase),
        };
    }

    public override string ToString() => _pattern;

    private static (Kind, string) Classify(string pattern)
    {
        var special = pattern.AsSpan().IndexOfAny("*?[\\");
        if (special < 0)
        {
            return (Kind.Literal, pattern);
        }

        if (pattern == "*")
        {
            return (Kind.Any, string.Empty);
        }

        var rest = pattern.AsSpan(1);
        if (pattern[0] == '*' && rest.IndexOfAny("*?[\\") < 0)
        {
            return (Kind.Suffix, rest.ToString());
        }

        if (special == pattern.Length - 1 && pattern[^1] == '*' && (pattern.Length < 2 || pattern[^2] != '*'))
        {
            return (Kind.Prefix, pattern[..^1]);
        }

        return (Kind.Wild, pattern);
    }
}
