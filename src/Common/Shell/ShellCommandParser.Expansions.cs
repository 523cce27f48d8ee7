using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace AgentHost.Common.Shell;

internal static partial class ShellCommandParser
{
    /// <summary>Stands for quoted text in the unquoted view of a word (so quoted <c>*</c> or <c>{a,b}</c> never look like globs).</summary>
    private const char QuotedMarker = '\u0001';

    private static readonly Regex NumericLiteral = new(@"\b(?:0[xX][0-9a-fA-F]+|[0-9]+#[0-9a-zA-Z@_]+|[0-9]+)\b", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking, TimeSpan.FromSeconds(1));

    /// <summary>
    /// Arithmetic (<c>$((…))</c>, <c>((…))</c>, <c>$[…]</c>, <c>${x:offset}</c>) evaluates the <em>values</em> of the
    /// variables it names as more arithmetic, and an array subscript in such a value runs command substitutions
    /// (<c>x='a[$(rm -rf ~)]'; echo $((x))</c>). Only arithmetic on literal numbers is understood.
    /// </summary>
    public static void CheckArithmetic(string expression)
    {
        var rest = NumericLiteral.Replace(expression, "0");
        if (rest.Any(c => char.IsAsciiLetter(c) || c is '_' or '$' or '`' or '[' or ']' or '\'' or '"' or '\\'))
        {
            throw new FormatException($"arithmetic on variables ('{expression.Trim()}') can run commands hidden in their values");
        }
    }

    /// <summary>Rejects <c>${…}</c> forms that evaluate code: indirection (<c>${!x}</c>), computed subscripts (<c>${a[i]}</c>), substring offsets on variables, prompt expansion (<c>${x@P}</c>).</summary>
    private static void CheckParameterExpansion(string inner)
    {
        if (inner.StartsWith('!'))
        {
            if (!Regex.IsMatch(inner, @"^![A-Za-z_][A-Za-z0-9_]*(?:[*@]|\[[*@]\])$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)))
            {
                throw new FormatException($"indirect expansion '${{{inner}}}' can run commands hidden in a variable's value");
            }

            return;
        }

        var match = Regex.Match(inner, @"^#?(?:[A-Za-z_][A-Za-z0-9_]*|[0-9]+|[@*#?$!-])", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        var rest = match.Success ? inner[match.Length..] : inner;
        if (rest.StartsWith('['))
        {
            var close = rest.IndexOf(']', StringComparison.Ordinal);
            var subscript = close < 0 ? rest[1..] : rest[1..close];
            if (subscript is not ("@" or "*"))
            {
                CheckArithmetic(subscript);
            }

            rest = close < 0 ? string.Empty : rest[(close + 1)..];
        }

        if (rest.StartsWith("@P", StringComparison.Ordinal))
        {
            throw new FormatException($"prompt expansion '${{{inner}}}' runs command substitutions in a variable's value");
        }

        if (rest.Length > 1 && rest[0] == ':' && rest[1] is not ('-' or '=' or '?' or '+'))
        {
            CheckArithmetic(rest[1..].Replace(':', ' '));
        }
    }

    /// <summary>Whether the unquoted view of a word has glob characters: <c>*</c>, <c>?</c> or a <c>[…]</c> class.</summary>
    public static bool HasGlob(string bare)
    {
        if (bare.Contains('*', StringComparison.Ordinal) || bare.Contains('?', StringComparison.Ordinal))
        {
            return true;
        }

        var open = bare.IndexOf('[', StringComparison.Ordinal);
        return open >= 0 && bare.IndexOf(']', open + 1) > open;
    }

    /// <summary>Whether the unquoted view of a word has a brace expansion: <c>{a,b}</c> or <c>{1..3}</c>.</summary>
    private static bool HasBraceExpansion(string bare)
    {
        for (var open = bare.IndexOf('{', StringComparison.Ordinal); open >= 0; open = bare.IndexOf('{', open + 1))
        {
            var close = bare.IndexOf('}', open + 1);
            if (close < 0)
            {
                return false;
            }

            var inside = bare[(open + 1)..close];
            if (inside.Contains(',', StringComparison.Ordinal) || inside.Contains("..", StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private sealed partial class Scanner
    {
        /// <summary>Skips an arithmetic expression from <paramref name="from"/> to its closing <paramref name="closer"/>, checking it; returns the index after the closer.</summary>
        private int SkipArithmetic(int from, string closer)
        {
            var level = 0;
            for (var j = from; j < text.Length; j++)
            {
                var c = text[j];
                if (c == '(')
                {
                    level++;
                }
                else if (c == ')' && level > 0)
                {
                    level--;
                }
                else if (level == 0 && string.CompareOrdinal(text, j, closer, 0, closer.Length) == 0)
                {
                    CheckArithmetic(text[from..j]);
                    return j + closer.Length;
                }
            }

            throw new FormatException($"an arithmetic expression is never closed with '{closer}'");
        }

        /// <summary>Reads the rest of an ANSI-C string <c>$'…'</c> (after <c>$'</c>) and decodes its escapes as bash does.</summary>
        private void ReadAnsiC(StringBuilder word)
        {
            while (true)
            {
                if (_i >= text.Length)
                {
                    throw new FormatException("a $'…' string is never closed");
                }

                var c = text[_i];
                if (c == '\'')
                {
                    _i++;
                    return;
                }

                if (c != '\\' || _i + 1 >= text.Length)
                {
                    word.Append(c);
                    _i++;
                    continue;
                }

                var e = text[_i + 1];
                _i += 2;
                switch (e)
                {
                    case 'a': word.Append('\a'); break;
                    case 'b': word.Append('\b'); break;
                    case 'e' or 'E': word.Append('\u001b'); break;
                    case 'f': word.Append('\f'); break;
                    case 'n': word.Append('\n'); break;
                    case 'r': word.Append('\r'); break;
                    case 't': word.Append('\t'); break;
                    case 'v': word.Append('\v'); break;
                    case '\\' or '\'' or '"' or '?': word.Append(e); break;
                    case >= '0' and <= '7': AppendCode(word, ReadDigits(e.ToString(), 2, 8), 8); break;
                    case 'x': AppendCode(word, ReadDigits(string.Empty, 2, 16), 16); break;
                    case 'u': AppendCode(word, ReadDigits(string.Empty, 4, 16), 16); break;
                    case 'U': AppendCode(word, ReadDigits(string.Empty, 8, 16), 16); break;
                    case 'c' when _i < text.Length: word.Append((char)(char.ToUpperInvariant(text[_i++]) & 0x1f)); break;
                    default: word.Append('\\').Append(e); break;
                }

                if (word.Length > 0 && word[^1] == '\0')
                {
                    throw new FormatException("a $'…' string contains a NUL byte (the shell cuts the word there)");
                }
            }
        }

        private string ReadDigits(string first, int max, int radix)
        {
            var digits = new StringBuilder(first);
            while (digits.Length < max + first.Length && _i < text.Length && (radix == 8 ? text[_i] is >= '0' and <= '7' : char.IsAsciiHexDigit(text[_i])))
            {
                digits.Append(text[_i++]);
            }

            return digits.ToString();
        }

        private static void AppendCode(StringBuilder word, string digits, int radix)
        {
            if (digits.Length == 0)
            {
                throw new FormatException("a $'…' escape has no digits");
            }

            var code = radix == 8 ? Convert.ToInt32(digits, 8) & 0xff : int.Parse(digits, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (code is < 0 or > 0x10FFFF or (>= 0xD800 and <= 0xDFFF))
            {
                throw new FormatException($"a $'…' escape names an invalid character (0x{code:x})");
            }

            word.Append(char.ConvertFromUtf32(code));
        }
    }
}
