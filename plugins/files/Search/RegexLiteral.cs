using System.Buffers;
using System.Text;

namespace AgentHost.Plugins.Files.Search;

/// <summary>
/// Finds the pieces of plain text every match of a .NET regular expression must contain (<c>handle</c> and
/// <c>Event(</c> in <c>handle[A-Z]\w*Event\(</c>), so that grep can skip lines (and whole files) without the rarest
/// of them by a vectorized byte search, check the others on the remaining lines, and run the regex only on lines that
/// hold them all. Conservative: anything it does not fully understand (alternation at the top level, inline options,
/// unusual escapes) gives no literal, which only costs speed.
/// </summary>
internal static class RegexLiteral
{
    /// <summary>Shorter literals are not worth a pre-filter (too many candidate lines).</summary>
    public const int MinimumLength = 3;

    private static readonly SearchValues<char> Syntax = SearchValues.Create("\\^$.|?*+()[]{}");

    /// <summary>Whether the pattern has no regex syntax at all (so it is its own literal).</summary>
    public static bool IsPlainText(string pattern) => pattern.AsSpan().IndexOfAny(Syntax) < 0;

    /// <summary>
    /// The texts every match must contain, rarest first (by <see cref="Rarity"/>), or an empty list when the first
    /// is shorter than <see cref="MinimumLength"/> or the pattern is not understood.
    /// </summary>
    public static IReadOnlyList<string> Required(string pattern)
    {
        var found = Runs(pattern);
        if (found is null)
        {
            return [];
        }

        var ordered = found.Where(r => r.Length >= 2).Distinct(StringComparer.Ordinal).OrderByDescending(Rarity).ToList();
        return ordered.Count > 0 && ordered[0].Length >= MinimumLength ? ordered : [];
    }

    /// <summary>
    /// How selective a literal is likely to be in source code: frequent lower-case letters and spaces score low,
    /// capitals, digits and punctuation high (the idea behind ripgrep's rare-byte choice).
    /// </summary>
    public static int Rarity(string literal)
    {
        var score = 0;
        foreach (var c in literal)
        {
            score += c switch
            {
                ' ' => 1,
                _ when "etaoinshrdlcu".Contains(c, StringComparison.Ordinal) => 2,
                _ when char.IsAsciiLetterLower(c) => 3,
                _ when char.IsAsciiDigit(c) || c == '_' => 3,
                _ when char.IsAsciiLetterUpper(c) => 4,
                _ when c < 128 => 4,
                _ => 5,
            };
        }

        return score;
    }

    private static List<string>? Runs(string pattern)
    {
        var best = new List<string>();
        var run = new StringBuilder();
        var depth = 0;
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            switch (c)
            {
                case '\\':
                    if (++i >= pattern.Length)
                    {
                        return null;
                    }

                    var escaped = pattern[i];
                    if (!char.IsAsciiLetterOrDigit(escaped))
                    {
                        if (depth == 0)
                        {
                            run.Append(escaped);
                        }

                        break;
                    }

                    if (escaped is 'p' or 'P' && i + 1 < pattern.Length && pattern[i + 1] == '{')
                    {
                        var close = pattern.IndexOf('}', i);
                        if (close < 0)
                        {
                            return null;
                        }

                        i = close;
                    }
                    else if (escaped is not ('w' or 'W' or 's' or 'S' or 'd' or 'D' or 'b' or 'B' or 'A' or 'z' or 'Z' or 'G'))
                    {
                        // \x41, \u0041, \cX, \k<name>, back-references, \n, \t: not worth parsing.
                        return null;
                    }

                    End(run, best, depth);
                    break;
                case '[':
                    End(run, best, depth);
                    i = SkipClass(pattern, i);
                    if (i < 0)
                    {
                        return null;
                    }

                    break;
                case '(':
                    if (i + 2 < pattern.Length && pattern[i + 1] == '?' && (pattern[i + 2] is 'i' or 'm' or 'n' or 's' or 'x' or '-' or '#'))
                    {
                        // Inline options change what the literals mean (case, whitespace); comments are rare.
                        return null;
                    }

                    End(run, best, depth);
                    depth++;
                    break;
                case ')':
                    End(run, best, depth);
                    depth--;
                    break;
                case '|':
                    if (depth == 0)
                    {
                        return null;
                    }

                    break;
                case '.' or '^' or '$':
                    End(run, best, depth);
                    break;
                case '*' or '?':
                    // The atom before is optional: drop it from the run (when it was a literal character).
                    Optional(run, best, depth, pattern, ref i);
                    break;
                case '+':
                    End(run, best, depth);
                    SkipLazy(pattern, ref i);
                    break;
                case '{':
                    if (Quantifier(pattern, i, out var minimum, out var end))
                    {
                        if (minimum == 0)
                        {
                            Optional(run, best, depth, pattern, ref i);
                        }
                        else
                        {
                            End(run, best, depth);
                        }

                        i = end;
                        SkipLazy(pattern, ref i);
                    }
                    else if (depth == 0)
                    {
                        run.Append(c);
                    }

                    break;
                default:
                    if (depth == 0)
                    {
                        run.Append(c);
                    }

                    break;
            }
        }

        End(run, best, depth);
        return best;
    }

    private static void End(StringBuilder run, List<string> found, int depth)
    {
        if (depth == 0 && run.Length > 0)
        {
            found.Add(run.ToString());
        }

        run.Clear();
    }

    private static void Optional(StringBuilder run, List<string> best, int depth, string pattern, ref int i)
    {
        if (depth == 0 && run.Length > 0)
        {
            run.Length--;
        }

        End(run, best, depth);
        SkipLazy(pattern, ref i);
    }

    /// <summary>Skips the <c>?</c> or <c>+</c> that makes a quantifier lazy or possessive.</summary>
    private static void SkipLazy(string pattern, ref int i)
    {
        if (i + 1 < pattern.Length && pattern[i + 1] is '?' or '+')
        {
            i++;
        }
    }

    /// <summary>Whether <c>{</c> at <paramref name="start"/> begins <c>{n}</c>, <c>{n,}</c> or <c>{n,m}</c>.</summary>
    private static bool Quantifier(string pattern, int start, out int minimum, out int end)
    {
        minimum = 0;
        end = start;
        var i = start + 1;
        var digits = i;
        while (i < pattern.Length && char.IsAsciiDigit(pattern[i]))
        {
            i++;
        }

        if (i == digits || !int.TryParse(pattern.AsSpan(digits, i - digits), out minimum))
        {
            return false;
        }

        if (i < pattern.Length && pattern[i] == ',')
        {
            i++;
            while (i < pattern.Length && char.IsAsciiDigit(pattern[i]))
            {
                i++;
            }
        }

        if (i >= pattern.Length || pattern[i] != '}')
        {
            return false;
        }

        end = i;
        return true;
    }

    /// <summary>The index of the <c>]</c> closing the class at <paramref name="start"/>, or -1 (also for nested, subtracted or <c>[]…]</c> classes).</summary>
    private static int SkipClass(string pattern, int start)
    {
        var i = start + 1;
        if (i < pattern.Length && pattern[i] == '^')
        {
            i++;
        }

        if (i < pattern.Length && pattern[i] == ']')
        {
            // "[]a]": whether ']' is a member or ends an empty class is not worth guessing.
            return -1;
        }

        for (; i < pattern.Length; i++)
        {
            switch (pattern[i])
            {
                case '\\':
                    i++;
                    break;
                case '[':
                    return -1;
                case ']':
                    return i;
            }
        }

        return -1;
    }
}
