using System.Text;

namespace AgentHost.Common.Shell;

internal static partial class ShellCommandParser
{
    /// <summary>A recursive-descent scanner over one text.</summary>
    private sealed partial class Scanner(string text, List<ShellCommandPart> parts, int depth)
    {
        private readonly List<(string Delimiter, bool StripTabs, bool Expand)> _pendingHereDocs = [];
        private int _i;

        public int Position
        {
            get => _i;
            init => _i = value;
        }

        /// <summary>Reads commands until the end, or until an unmatched <paramref name="terminator"/> (consumed).</summary>
        public int ParseSequence(char? terminator)
        {
            if (depth > MaxDepth)
            {
                throw new FormatException("commands are nested too deeply");
            }

            var words = new List<string>();
            var redirects = new List<ShellRedirect>();
            var expandedWords = new HashSet<int>();
            void Finish()
            {
                if (words.Count > 0 || redirects.Count > 0)
                {
                    CommandNormalizer.Add(words, redirects, expandedWords, parts, depth);
                }

                words = [];
                redirects = [];
                expandedWords = [];
            }

            while (_i < text.Length)
            {
                var c = text[_i];
                if (c is ' ' or '\t')
                {
                    _i++;
                }
                else if (c == '\\' && Peek(1) == '\n')
                {
                    _i += 2;
                }
                else if (c == '\n')
                {
                    Finish();
                    _i++;
                    SkipHereDocBodies();
                }
                else if (c == '#')
                {
                    while (_i < text.Length && text[_i] != '\n')
                    {
                        _i++;
                    }
                }
                else if (c == ';' || c == '|' || (c == '&' && Peek(1) != '>'))
                {
                    Finish();
                    _i++;
                    if (_i < text.Length && (text[_i] == c || (c == '|' && text[_i] == '&')))
                    {
                        _i++;
                    }
                }
                else if (c == '(' && Peek(1) == '(' && words.Count == 0)
                {
                    // ((…)): an arithmetic command.
                    _i = SkipArithmetic(_i + 2, "))");
                }
                else if (c == '(')
                {
                    if (words.Count > 0)
                    {
                        throw new FormatException($"'(' after '{words[^1]}' (a function definition or an unsupported construct)");
                    }

                    _i++;
                    ParseSequence(')');
                }
                else if (c == ')')
                {
                    if (terminator != ')')
                    {
                        throw new FormatException("')' without a matching '('");
                    }

                    Finish();
                    _i++;
                    return _i;
                }
                else if (IsRedirectStart(words))
                {
                    redirects.AddRange(ReadRedirect());
                }
                else
                {
                    var (word, isDynamic) = ReadWord();
                    if (isDynamic || LastWordHadGlob || LastWordHadBraces)
                    {
                        expandedWords.Add(words.Count);
                    }

                    words.Add(word);
                }
            }

            if (terminator is not null)
            {
                throw new FormatException($"'{terminator}' is missing: an opened '(' or '$(' is never closed");
            }

            Finish();
            SkipHereDocBodies();
            if (_pendingHereDocs.Count > 0)
            {
                throw new FormatException($"the here-document ending with '{_pendingHereDocs[0].Delimiter}' is never closed");
            }

            return _i;
        }

        private char Peek(int offset) => _i + offset < text.Length ? text[_i + offset] : '\0';

        private bool IsRedirectStart(List<string> words)
        {
            var j = _i;
            while (j < text.Length && char.IsAsciiDigit(text[j]))
            {
                j++;
            }

            if (j >= text.Length)
            {
                return false;
            }

            if (j > _i)
            {
                return text[j] is '<' or '>';
            }

            return text[j] is '<' or '>' || (text[j] == '&' && Peek(1) == '>');
        }

        private IEnumerable<ShellRedirect> ReadRedirect()
        {
            var start = _i;
            while (char.IsAsciiDigit(text[_i]))
            {
                _i++;
            }

            if (text[_i] is '<' or '>' && Peek(1) == '(')
            {
                // Process substitution: <(cmd) or >(cmd) runs cmd.
                _i += 2;
                ParseSequence(')');
                return [];
            }

            var op = new StringBuilder();
            while (_i < text.Length && text[_i] is '<' or '>' or '&' or '|' or '-' && op.Length < 4 && IsOperatorChar(op, text[_i]))
            {
                op.Append(text[_i]);
                _i++;
            }

            var opText = op.ToString();
            var full = text[start.._i];
            while (_i < text.Length && text[_i] is ' ' or '\t')
            {
                _i++;
            }

            if (_i >= text.Length || text[_i] is '\n' or ';' or '|' or '&' or ')' or '(' or '<' or '>')
            {
                throw new FormatException($"the redirection '{full}' has no target");
            }

            var (target, targetIsDynamic) = ReadWord();
            var glob = LastWordHadGlob || LastWordHadBraces;
            switch (opText)
            {
                case "<<" or "<<-":
                    _pendingHereDocs.Add((target, opText == "<<-", LastWordWasUnquoted));
                    return [];
                case "<<<":
                    return [];
                case ">&" or "<&":
                    return target.All(char.IsAsciiDigit) || target == "-" ? [] : [new ShellRedirect(full, target, opText == ">&") { IsDynamic = targetIsDynamic, IsGlob = glob }];
                case "<":
                    return [new ShellRedirect(full, target, IsWrite: false) { IsDynamic = targetIsDynamic, IsGlob = glob }];
                default:
                    return [new ShellRedirect(full, target, IsWrite: true) { IsDynamic = targetIsDynamic, IsGlob = glob }];
            }
        }

        private static bool IsOperatorChar(StringBuilder op, char c) => (op.ToString(), c) switch
        {
            ("", '<' or '>' or '&') => true,
            ("<", '<' or '>' or '&') => true,
            ("<<", '<' or '-') => true,
            (">", '>' or '&' or '|') => true,
            ("&", '>') => true,
            ("&>", '>') => true,
            _ => false,
        };

        private bool LastWordWasUnquoted { get; set; }


        private void SkipHereDocBodies()
        {
            while (_pendingHereDocs.Count > 0 && _i < text.Length)
            {
                var (delimiter, stripTabs, expand) = _pendingHereDocs[0];
                var body = new StringBuilder();
                var closed = false;
                while (_i < text.Length)
                {
                    var end = text.IndexOf('\n', _i);
                    var line = end < 0 ? text[_i..] : text[_i..end];
                    _i = end < 0 ? text.Length : end + 1;
                    var compare = (stripTabs ? line.TrimStart('\t') : line).TrimEnd('\r');
                    if (compare == delimiter)
                    {
                        closed = true;
                        break;
                    }

                    body.Append(line).Append('\n');
                }

                if (!closed)
                {
                    throw new FormatException($"the here-document ending with '{delimiter}' is never closed");
                }

                if (expand)
                {
                    // An unquoted delimiter means $(…) and backticks in the body run.
                    ScanExpandingText(body.ToString(), parts, depth);
                }

                _pendingHereDocs.RemoveAt(0);
            }
        }
    }
}
