using System.Text;

namespace AgentHost.Kernel.Permissions;

/// <summary>A file redirection of a shell command.</summary>
/// <param name="Operator">The operator as written, e.g. <c>&gt;</c>, <c>2&gt;&gt;</c>, <c>&amp;&gt;</c>, <c>&lt;</c>.</param>
/// <param name="Target">The file (quotes removed).</param>
/// <param name="IsWrite">Whether the file is written (output) rather than read (input).</param>
public sealed record ShellRedirect(string Operator, string Target, bool IsWrite)
{
    /// <summary>Whether the target is computed at run time (<c>$VAR</c>, <c>$(…)</c>): its path is unknown.</summary>
    public bool IsDynamic { get; init; }
}

/// <summary>One simple command of a shell command line, after wrappers and assignments are looked through.</summary>
/// <param name="Words">The words as the shell passes them (quotes removed), wrappers (sudo, timeout, env …) stripped.</param>
/// <param name="Redirects">The file redirections.</param>
/// <param name="IsDynamic">Whether the command name is computed at run time (<c>$CMD</c>, <c>$(…)</c>): no specifier can allow it.</param>
public sealed record ShellCommandPart(IReadOnlyList<string> Words, IReadOnlyList<ShellRedirect> Redirects, bool IsDynamic)
{
    /// <summary>The words joined by single spaces: what shell rules match.</summary>
    public string CommandLine => string.Join(' ', Words);

    /// <inheritdoc />
    public override string ToString() => CommandLine;
}

/// <summary>The simple commands of a command line, or why it could not be parsed.</summary>
/// <param name="Parts">Every simple command, including those inside <c>$(…)</c>, backticks, subshells and <c>bash -c '…'</c>.</param>
/// <param name="Error">Why the line could not be parsed (then it is never allowed by a specifier), or <see langword="null"/>.</param>
public sealed record ShellParseResult(IReadOnlyList<ShellCommandPart> Parts, string? Error);

/// <summary>
/// Splits a POSIX/bash command line into simple commands for permission checks: <c>&amp;&amp;</c>, <c>||</c>, <c>;</c>,
/// <c>|</c>, <c>|&amp;</c>, <c>&amp;</c>, newlines, <c>$(…)</c>, backticks, <c>( … )</c>, process substitution and
/// here-doc bodies; quotes and escapes are respected. Wrappers are looked through and <c>sh -c</c>/<c>eval</c>
/// strings are parsed recursively.
/// </summary>
/// <remarks>Stateless and thread-safe. It is not a shell: constructs it does not understand make the line an error.</remarks>
public static class ShellCommandParser
{
    private const int MaxDepth = 12;

    /// <summary>Parses a command line.</summary>
    /// <param name="commandLine">The command line.</param>
    /// <returns>The parts, or an error.</returns>
    public static ShellParseResult Parse(string commandLine)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        var parts = new List<ShellCommandPart>();
        try
        {
            ParseInto(commandLine, parts, 0);
            return new ShellParseResult(parts, null);
        }
        catch (FormatException ex)
        {
            return new ShellParseResult(parts, ex.Message);
        }
    }

    internal static void ParseInto(string text, List<ShellCommandPart> parts, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new FormatException("commands are nested too deeply");
        }

        var scanner = new Scanner(text, parts, depth);
        scanner.ParseSequence(terminator: null);
    }

    /// <summary>A recursive-descent scanner over one text.</summary>
    private sealed class Scanner(string text, List<ShellCommandPart> parts, int depth)
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
            var dynamicWords = new HashSet<int>();
            void Finish()
            {
                if (words.Count > 0 || redirects.Count > 0)
                {
                    CommandNormalizer.Add(words, redirects, dynamicWords, parts, depth);
                }

                words = [];
                redirects = [];
                dynamicWords = [];
            }

            while (_i < text.Length)
            {
                var c = text[_i];
                if (c is ' ' or '\t' or '\r')
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
                    if (isDynamic)
                    {
                        dynamicWords.Add(words.Count);
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
            switch (opText)
            {
                case "<<" or "<<-":
                    _pendingHereDocs.Add((target, opText == "<<-", LastWordWasUnquoted));
                    return [];
                case "<<<":
                    return [];
                case ">&" or "<&":
                    return target.All(char.IsAsciiDigit) || target == "-" ? [] : [new ShellRedirect(full, target, opText == ">&") { IsDynamic = targetIsDynamic }];
                case "<":
                    return [new ShellRedirect(full, target, IsWrite: false) { IsDynamic = targetIsDynamic }];
                case "<>":
                    return [new ShellRedirect(full, target, IsWrite: true) { IsDynamic = targetIsDynamic }];
                default:
                    return [new ShellRedirect(full, target, IsWrite: true) { IsDynamic = targetIsDynamic }];
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

        /// <summary>Reads one word; substitutions inside it are parsed into parts.</summary>
        private (string Word, bool IsDynamic) ReadWord()
        {
            var word = new StringBuilder();
            var isDynamic = false;
            var unquoted = true;
            while (_i < text.Length)
            {
                var c = text[_i];
                if (c is ' ' or '\t' or '\r' or '\n' or ';' or '&' or '|' or '(' or ')' or '<' or '>')
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
                    _i = close + 1;
                }
                else if (c == '"')
                {
                    unquoted = false;
                    _i++;
                    isDynamic |= ReadDoubleQuoted(word);
                }
                else if (c == '$' && Peek(1) == '\'')
                {
                    unquoted = false;
                    _i += 2;
                    while (true)
                    {
                        if (_i >= text.Length)
                        {
                            throw new FormatException("a $'…' string is never closed");
                        }

                        if (text[_i] == '\\' && _i + 1 < text.Length)
                        {
                            word.Append(text[_i + 1]);
                            _i += 2;
                        }
                        else if (text[_i] == '\'')
                        {
                            _i++;
                            break;
                        }
                        else
                        {
                            word.Append(text[_i++]);
                        }
                    }

                    isDynamic = true;
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

            LastWordWasUnquoted = unquoted;
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
                ScanForSubstitutions(text[(_i + 2)..close], parts, depth + 1);
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

        private int FindBraceClose(int from)
        {
            var level = 1;
            for (var j = from; j < text.Length; j++)
            {
                if (text[j] == '\\')
                {
                    j++;
                }
                else if (text[j] == '{')
                {
                    level++;
                }
                else if (text[j] == '}' && --level == 0)
                {
                    return j;
                }
            }

            throw new FormatException("a '${' is never closed");
        }

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
                    ScanForSubstitutions(body.ToString(), parts, depth + 1);
                }

                _pendingHereDocs.RemoveAt(0);
            }
        }
    }

    /// <summary>Finds <c>$(…)</c> and backtick substitutions in text that is otherwise data (here-doc bodies, <c>${…}</c>) and parses them.</summary>
    internal static void ScanForSubstitutions(string text, List<ShellCommandPart> parts, int depth)
    {
        for (var j = 0; j < text.Length; j++)
        {
            if (text[j] == '\\')
            {
                j++;
            }
            else if (text[j] == '$' && j + 1 < text.Length && text[j + 1] == '(')
            {
                var scanner = new Scanner(text, parts, depth + 1) { Position = j + 2 };
                j = scanner.ParseSequence(')') - 1;
            }
            else if (text[j] == '`')
            {
                var close = text.IndexOf('`', j + 1);
                if (close < 0)
                {
                    throw new FormatException("a backtick substitution is never closed");
                }

                ParseInto(text[(j + 1)..close], parts, depth + 1);
                j = close;
            }
        }
    }
}
