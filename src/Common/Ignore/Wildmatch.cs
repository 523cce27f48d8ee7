namespace AgentHost.Common.Ignore;

/// <summary>
/// Git's <c>wildmatch</c> with <c>WM_PATHNAME</c>, on spans: <c>*</c> and <c>?</c> never match <c>/</c>;
/// <c>**</c> between slashes (or at either end) matches across folders; <c>[...]</c> classes with ranges,
/// <c>!</c>/<c>^</c> negation and <c>[:alpha:]</c>-style names; <c>\</c> escapes the next character.
/// A port of the algorithm in git's <c>wildmatch.c</c>, so that ignore files mean exactly what git makes of them.
/// </summary>
internal static class Wildmatch
{
    private const int Match = 0;
    private const int NoMatch = 1;
    private const int AbortAll = -1;
    private const int AbortToStarStar = -2;

    /// <summary>Whether <paramref name="text"/> matches <paramref name="pattern"/> as a whole.</summary>
    public static bool IsMatch(ReadOnlySpan<char> pattern, ReadOnlySpan<char> text, bool ignoreCase) =>
        DoWild(pattern, 0, text, 0, ignoreCase) == Match;

    /// <summary>Whether the character is special to <see cref="IsMatch"/> (<c>* ? [ \</c>).</summary>
    public static bool IsSpecial(char c) => c is '*' or '?' or '[' or '\\';

    private static char Fold(char c, bool ignoreCase) => ignoreCase ? char.ToLowerInvariant(c) : c;

    private static int DoWild(ReadOnlySpan<char> p, int pi, ReadOnlySpan<char> t, int ti, bool fold)
    {
        for (; pi < p.Length; ti++, pi++)
        {
            var pc = p[pi];
            if (ti >= t.Length && pc != '*')
            {
                return AbortAll;
            }

            var tc = ti < t.Length ? Fold(t[ti], fold) : '\0';
            switch (pc)
            {
                case '\\':
                    // A literal match with the next character (a trailing backslash matches nothing).
                    if (++pi >= p.Length || tc != Fold(p[pi], fold))
                    {
                        return NoMatch;
                    }

                    continue;
                case '?':
                    if (tc == '/')
                    {
                        return NoMatch;
                    }

                    continue;
                case '*':
                    {
                        var result = Star(p, ref pi, t, ref ti, tc, fold, out var next);
                        if (!next)
                        {
                            return result;
                        }

                        continue;
                    }

                case '[':
                    {
                        var result = Class(p, ref pi, tc, fold);
                        if (result != Match)
                        {
                            return result;
                        }

                        continue;
                    }

                default:
                    if (tc != Fold(pc, fold))
                    {
                        return NoMatch;
                    }

                    continue;
            }
        }

        return ti < t.Length ? NoMatch : Match;
    }

    /// <summary>
    /// One <c>*</c> or <c>**</c> run at <paramref name="pi"/>. Returns the final result, or sets <paramref name="next"/>
    /// when the main loop should go on (after a <c>*/</c> that consumed one folder: both indexes sit on the slash).
    /// </summary>
    private static int Star(ReadOnlySpan<char> p, ref int pi, ReadOnlySpan<char> t, ref int ti, char tc, bool fold, out bool next)
    {
        next = false;
        var after = pi + 1;
        bool matchSlash;
        if (after < p.Length && p[after] == '*')
        {
            var previous = pi - 1;
            while (after < p.Length && p[after] == '*')
            {
                after++;
            }

            if ((previous < 0 || p[previous] == '/')
                && (after == p.Length || p[after] == '/' || (p[after] == '\\' && after + 1 < p.Length && p[after + 1] == '/')))
            {
                // "**/" may match no folder at all: try the rest of the pattern right here first.
                if (after < p.Length && p[after] == '/' && DoWild(p, after + 1, t, ti, fold) == Match)
                {
                    return Match;
                }

                matchSlash = true;
            }
            else
            {
                // "**" not between slashes is an ordinary "*".
                matchSlash = false;
            }
        }
        else
        {
            matchSlash = false;
        }

        pi = after;
        if (pi == p.Length)
        {
            // A trailing "**" matches everything; a trailing "*" only what has no more slashes.
            return !matchSlash && t[Math.Min(ti, t.Length)..].Contains('/') ? NoMatch : Match;
        }

        if (!matchSlash && p[pi] == '/')
        {
            // "*/" matches the rest of this folder name.
            var slash = ti < t.Length ? t[ti..].IndexOf('/') : -1;
            if (slash < 0)
            {
                return NoMatch;
            }

            ti += slash;
            next = true;
            return Match;
        }

        while (ti < t.Length)
        {
            // Advance quickly to the next place the literal after the star could match.
            if (!IsSpecial(p[pi]))
            {
                var literal = Fold(p[pi], fold);
                while (ti < t.Length)
                {
                    tc = Fold(t[ti], fold);
                    if ((!matchSlash && tc == '/') || tc == literal)
                    {
                        break;
                    }

                    ti++;
                }

                if (ti >= t.Length || tc != literal)
                {
                    return NoMatch;
                }
            }

            var matched = DoWild(p, pi, t, ti, fold);
            if (matched != NoMatch)
            {
                if (!matchSlash || matched != AbortToStarStar)
                {
                    return matched;
                }
            }
            else if (!matchSlash && tc == '/')
            {
                return AbortToStarStar;
            }

            ti++;
            tc = ti < t.Length ? Fold(t[ti], fold) : '\0';
        }

        return AbortAll;
    }

    /// <summary>A bracket expression at <paramref name="pi"/>; leaves <paramref name="pi"/> on its closing bracket.</summary>
    private static int Class(ReadOnlySpan<char> p, ref int pi, char tc, bool fold)
    {
        if (++pi >= p.Length)
        {
            return AbortAll;
        }

        var pc = p[pi];
        var negated = pc is '!' or '^';
        if (negated && ++pi >= p.Length)
        {
            return AbortAll;
        }

        pc = p[pi];
        var previous = '\0';
        var matched = false;
        while (true)
        {
            if (pc == '\\')
            {
                if (++pi >= p.Length)
                {
                    return AbortAll;
                }

                pc = p[pi];
                matched |= tc == Fold(pc, fold);
            }
            else if (pc == '-' && previous != '\0' && pi + 1 < p.Length && p[pi + 1] != ']')
            {
                pc = p[++pi];
                if (pc == '\\')
                {
                    if (++pi >= p.Length)
                    {
                        return AbortAll;
                    }

                    pc = p[pi];
                }

                matched |= InRange(tc, previous, pc) || (fold && char.IsLower(tc) && InRange(char.ToUpperInvariant(tc), previous, pc));
                pc = '\0';
            }
            else if (pc == '[' && pi + 1 < p.Length && p[pi + 1] == ':')
            {
                var start = pi + 2;
                var end = start;
                while (end < p.Length && p[end] != ']')
                {
                    end++;
                }

                if (end >= p.Length)
                {
                    return AbortAll;
                }

                var length = end - start - 1;
                if (length < 0 || p[end - 1] != ':')
                {
                    // Not "[:name:]": an ordinary '['.
                    matched |= tc == '[';
                }
                else
                {
                    var result = NamedClass(p.Slice(start, length), tc, fold);
                    if (result is null)
                    {
                        return AbortAll;
                    }

                    matched |= result.Value;
                    pi = end;
                    pc = '\0';
                }
            }
            else
            {
                matched |= tc == Fold(pc, fold);
            }

            previous = pc;
            if (++pi >= p.Length)
            {
                return AbortAll;
            }

            pc = p[pi];
            if (pc == ']')
            {
                break;
            }
        }

        return matched == negated || tc == '/' ? NoMatch : Match;
    }

    private static bool InRange(char c, char low, char high) => c >= low && c <= high;

    private static bool? NamedClass(ReadOnlySpan<char> name, char c, bool fold) => name switch
    {
        "alnum" => char.IsAsciiLetterOrDigit(c),
        "alpha" => char.IsAsciiLetter(c),
        "blank" => c is ' ' or '\t',
        "cntrl" => c < ' ' || c == '\x7f',
        "digit" => char.IsAsciiDigit(c),
        "graph" => c > ' ' && c < '\x7f',
        "lower" => char.IsAsciiLetterLower(c) || (fold && char.IsAsciiLetterUpper(c)),
        "print" => c >= ' ' && c < '\x7f',
        "punct" => c > ' ' && c < '\x7f' && !char.IsAsciiLetterOrDigit(c),
        "space" => c is ' ' or '\t' or '\n' or '\r' or '\f' or '\v',
        "upper" => char.IsAsciiLetterUpper(c) || (fold && char.IsAsciiLetterLower(c)),
        "xdigit" => char.IsAsciiHexDigit(c),
        _ => null,
    };
}
