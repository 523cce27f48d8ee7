namespace AgentHost.Permissions.Rules;

/// <summary>
/// Matches text against a pattern where <c>*</c> stands for any run of characters (line breaks included) and every
/// other character stands for itself. No regular expression is built: rule checks sit on every tool call's path.
/// </summary>
/// <remarks>
/// Greedy matching with one remembered star: each star only ever moves forward, so a match costs at most
/// pattern length × text length comparisons (in practice about the text length), never exponential time.
/// </remarks>
internal static class Wildcard
{
    /// <summary>Whether <paramref name="text"/> matches <paramref name="pattern"/> as a whole.</summary>
    /// <param name="pattern">The pattern (<c>*</c> is the only special character).</param>
    /// <param name="text">The text.</param>
    /// <param name="ignoreCase">Whether letters match regardless of case (invariant culture).</param>
    /// <returns><see langword="true"/> when it matches.</returns>
    public static bool IsMatch(ReadOnlySpan<char> pattern, ReadOnlySpan<char> text, bool ignoreCase)
    {
        int p = 0, t = 0, star = -1, resume = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                resume = t;
            }
            else if (p < pattern.Length && Same(pattern[p], text[t], ignoreCase))
            {
                p++;
                t++;
            }
            else if (star >= 0)
            {
                p = star + 1;
                t = ++resume;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }

    /// <summary>Replaces each run of spaces and tabs with one space and trims the ends.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The text with single spaces.</returns>
    public static string CollapseBlanks(string text)
    {
        var trimmed = text.AsSpan().Trim();
        var builder = new System.Text.StringBuilder(trimmed.Length);
        var blank = false;
        foreach (var c in trimmed)
        {
            if (c is ' ' or '\t')
            {
                blank = true;
                continue;
            }

            if (blank)
            {
                builder.Append(' ');
                blank = false;
            }

            builder.Append(c);
        }

        return builder.ToString();
    }

    private static bool Same(char a, char b, bool ignoreCase) =>
        a == b || (ignoreCase && char.ToUpperInvariant(a) == char.ToUpperInvariant(b));
}
