using System.Text;

namespace AgentHost.Common.Shell;

internal static partial class ShellCommandParser
{
    private sealed partial class Scanner
    {
        /// <summary>Whether the last word read had unquoted glob characters (<c>*</c>, <c>?</c>, <c>[…]</c>).</summary>
        private bool LastWordHadGlob { get; set; }

        /// <summary>Whether the last word read had an unquoted brace expansion (<c>{a,b}</c>, <c>{1..3}</c>).</summary>
        private bool LastWordHadBraces { get; set; }

        /// <summary>Reads one word; substitutions inside it are parsed into parts.</summary>
        private (string Word, bool IsDynamic) ReadWord()
        {
            var word = new StringBuilder();
            var bare = new StringBuilder(); // the unquoted characters, with a marker where quoted text was
            var isDynamic = false;
            var unquoted = true;
            while (_i < text.Length)
            {
                var c = text[_i];
                if (c is ' ' or '\t' or '\n' or ';' or '&' or '|' or '(' or ')' or '<' or '>')
                {
                    break;
                }

                if (c == '\\')
                {
                    unquoted = false;
                    if (Peek(1) == '\n')
                    {
                        _i += 2;
                        continue;
                    }

                    if (_i + 1 < text.Length)
                    {
                        word.Append(text[_i + 1]);
                    }

                    bare.Append(QuotedMarker);
                    _i += 2;
                }
                else if (c == '\'')
                {
                    unquoted = false;
                    var close = text.IndexOf('\'', _i + 1);
                    if (close < 0)
                    {
                        throw new FormatException("a single quote is never closed");
                    }

                    word.Append(text, _i + 1, close - _i - 1);
                    bare.Append(QuotedMarker);
                    _i = close + 1;
                }
                else if (c == '"' || (c == '$' && Peek(1) == '"'))
                {
                    // "…", or $"…" (translated by the locale, so its value is not certain).
                    unquoted = false;
                    isDynamic |= c == '$';
                    _i += c == '$' ? 2 : 1;
                    isDynamic |= ReadDoubleQuoted(word);
                    bare.Append(QuotedMarker);
                }
                else if (c == '$' && Peek(1) == '\'')
                {
                    unquoted = false;
                    _i += 2;
                    ReadAnsiC(word);
                    bare.Append(QuotedMarker);
                }
                else if (c is '$' or '`')
                {
                    isDynamic |= ReadDollarOrBacktick(word);
                    bare.Append(QuotedMarker);
                }
                else
                {
                    word.Append(c);
                    bare.Append(c);
                    _i++;
                }
            }

            LastWordWasUnquoted = unquoted;
            LastWordHadGlob = HasGlob(bare.ToString());
            LastWordHadBraces = HasBraceExpansion(bare.ToString());
            return (word.ToString(), isDynamic);
        }

        private bool ReadDoubleQuoted(StringBuilder word)
        {
            var isDynamic = false;
            while (true)
            {
                if (_i >= text.Length)
                {
                    throw new FormatException("a double quote is never closed");
                }

                var c = text[_i];
                if (c == '"')
                {
                    _i++;
                    return isDynamic;
                }

                if (c == '\\' && _i + 1 < text.Length && text[_i + 1] is '"' or '\\' or '$' or '`' or '\n')
                {
                    if (text[_i + 1] != '\n')
                    {
                        word.Append(text[_i + 1]);
                    }

                    _i += 2;
                }
                else if (c is '$' or '`')
                {
                    isDynamic |= ReadDollarOrBacktick(word);
                }
                else
                {
                    word.Append(c);
                    _i++;
                }
            }
        }

        /// <summary>Reads <c>$(…)</c>, <c>$((…))</c>, <c>${…}</c>, <c>$NAME</c> or a backtick substitution; keeps its source text in the word.</summary>
        private bool ReadDollarOrBacktick(StringBuilder word)
        {
            var start = _i;
            if (text[_i] == '`')
            {
                var inner = new StringBuilder();
                _i++;
                while (true)
                {
                    if (_i >= text.Length)
                    {
                        throw new FormatException("a backtick substitution is never closed");
                    }

                    if (text[_i] == '\\' && _i + 1 < text.Length && text[_i + 1] is '`' or '\\' or '$')
                    {
                        inner.Append(text[_i + 1]);
                        _i += 2;
                    }
                    else if (text[_i] == '`')
                    {
                        _i++;
                        break;
                    }
                    else
                    {
                        inner.Append(text[_i++]);
                    }
                }

                ParseInto(inner.ToString(), parts, depth + 1);
                word.Append(text, start, _i - start);
                return true;
            }

            var next = Peek(1);
            if (next == '(' && Peek(2) == '(')
            {
                _i = SkipArithmetic(_i + 3, "))");
                word.Append(text, start, _i - start);
                return true;
            }

            if (next == '[')
            {
                _i = SkipArithmetic(_i + 2, "]");
                word.Append(text, start, _i - start);
                return true;
            }

            if (next == '(')
            {
                _i += 2;
                var sub = new Scanner(text, parts, depth + 1) { Position = _i };
                _i = sub.ParseSequence(')');
                word.Append(text, start, _i - start);
                return true;
            }

            if (next == '{')
            {
                var close = FindBraceClose(_i + 2);
                var inner = text[(_i + 2)..close];
                CheckParameterExpansion(inner);
                _i = close + 1;
                word.Append(text, start, _i - start);
                return true;
            }

            if (char.IsAsciiLetter(next) || next == '_' || char.IsAsciiDigit(next) || next is '@' or '*' or '#' or '?' or '$' or '!' or '-')
            {
                _i += 2;
                if (char.IsAsciiLetter(next) || next == '_')
                {
                    while (_i < text.Length && (char.IsAsciiLetterOrDigit(text[_i]) || text[_i] == '_'))
                    {
                        _i++;
                    }
                }

                word.Append(text, start, _i - start);
                return true;
            }

            word.Append('$');
            _i++;
            return false;
        }

        /// <summary>
        /// The closing brace of <c>${…}</c>. Bash honours quotes, escapes, nested <c>${…}</c>, substitutions and
        /// arithmetic inside it (<c>${x:-'}'}</c> ends at the second brace), so any of them — and a newline — makes the
        /// line not understood rather than risk ending the expansion elsewhere than the shell does.
        /// </summary>
        private int FindBraceClose(int from)
        {
            for (var j = from; j < text.Length; j++)
            {
                var c = text[j];
                if (c == '}')
                {
                    return j;
                }

                if (c is '\'' or '"' or '`' or '\\' or '{' or '\n' || (c == '$' && j + 1 < text.Length && text[j + 1] is '(' or '[' or '{' or '\'' or '"'))
                {
                    throw new FormatException($"'{(c == '$' ? "$" + text[j + 1] : c.ToString())}' inside '${{…}}' (quotes, escapes, nested expansions and substitutions there are not understood)");
                }
            }

            throw new FormatException("a '${' is never closed");
        }

        /// <summary>Walks text expanded like a double-quoted string, parsing every expansion in it (see <see cref="ScanExpandingText"/>).</summary>
        public void ScanExpansions()
        {
            var ignored = new StringBuilder();
            while (_i < text.Length)
            {
                var c = text[_i];
                if (c == '\\')
                {
                    _i += 2;
                }
                else if (c is '$' or '`')
                {
                    ReadDollarOrBacktick(ignored);
                    ignored.Clear();
                }
                else
                {
                    _i++;
                }
            }
        }
    }
}
