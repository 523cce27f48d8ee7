using System.Text;
using AgentHost.Common.Shell;
using AgentHost.Sdk.Tools;

namespace AgentHost.Plugins.Shell;

/// <summary>
/// The simple commands of a line for the banned-command check, each as its unquoted words with <c>VAR=value</c>
/// prefixes and wrappers (<c>sudo</c>, <c>env</c>, <c>timeout</c>, <c>xargs</c>…) removed so the first word is the
/// program that runs.
/// </summary>
/// <remarks>
/// POSIX shells (bash, sh, zsh…) are read by the kernel's own permission parser (<see cref="ShellCommandParser"/>,
/// shared source in <c>src/Common/Shell</c>), so this check and permission rules never read a line differently; a line
/// that parser does not understand is refused. PowerShell and cmd lines, which the kernel has no parser for, are split
/// by a small conservative scanner that reports more commands when in doubt, never fewer.
/// </remarks>
internal static class CommandSplitter
{
    private const int MaxDepth = 8;

    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal) { "if", "then", "else", "elif", "do", "while", "until", "!", "{", "}", "fi", "done" };

    private static readonly HashSet<string> Shells = new(StringComparer.OrdinalIgnoreCase) { "sh", "bash", "zsh", "dash", "ksh", "ash" };

    /// <summary>Wrappers that run the rest of their words as a command, with the options that take a separate argument.</summary>
    private static readonly Dictionary<string, string[]> Wrappers = new(StringComparer.OrdinalIgnoreCase)
    {
        ["sudo"] = ["-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-T", "-U", "--user", "--group", "--chdir", "--prompt", "--host"],
        ["doas"] = ["-u", "-C"],
        ["env"] = ["-u", "-C", "--unset", "--chdir"],
        ["timeout"] = ["-s", "-k", "--signal", "--kill-after"],
        ["nice"] = ["-n", "--adjustment"],
        ["ionice"] = ["-c", "-n", "--class", "--classdata"],
        ["nohup"] = [],
        ["setsid"] = [],
        ["xargs"] = ["-I", "-n", "-P", "-d", "-E", "-L", "-s", "-a", "--max-args", "--max-procs", "--delimiter", "--arg-file"],
        ["command"] = [],
        ["builtin"] = [],
        ["exec"] = ["-a"],
        ["time"] = ["-f", "-o", "--format", "--output"],
        ["stdbuf"] = ["-i", "-o", "-e"],
        ["unbuffer"] = [],
        ["noglob"] = [],
    };

    /// <summary>The simple commands of <paramref name="line"/>, wrappers removed: the first word of each is the program.</summary>
    /// <param name="line">The command line.</param>
    /// <param name="kind">The shell dialect (escape character, quotes, backticks).</param>
    /// <returns>The commands, each a non-empty list of words.</returns>
    /// <exception cref="ToolException">A POSIX line the permission parser does not understand: it cannot be checked.</exception>
    public static List<IReadOnlyList<string>> Commands(string line, ShellKind kind)
    {
        var commands = new List<IReadOnlyList<string>>();
        if (kind == ShellKind.Posix)
        {
            var parsed = ShellCommandParser.Parse(line);
            if (parsed.Error is not null)
            {
                throw new ToolException($"the command line cannot be checked against {ShellSettings.Prefix}banned_commands ({parsed.Error}); nothing was run. Write it more simply.");
            }

            foreach (var part in parsed.Parts.Where(part => part.Words.Count > 0))
            {
                // As deny rules see it: the command, and the command from each looked-through wrapper on (sudo curl …).
                commands.Add(part.Words);
                for (var start = 0; start < part.Prefix.Count; start++)
                {
                    if (!part.Prefix[start].StartsWith('-'))
                    {
                        commands.Add([.. part.Prefix.Skip(start), .. part.Words]);
                    }
                }
            }

            return commands;
        }

        Split(line, kind, 0, commands);
        return commands;
    }

    /// <summary>Whether <paramref name="words"/> runs <paramref name="banned"/> (<c>curl</c>, or <c>git push</c> for a program and its leading arguments).</summary>
    /// <param name="words">A command from <see cref="Commands"/>.</param>
    /// <param name="banned">The banned entry.</param>
    /// <returns><see langword="true"/> when banned.</returns>
    public static bool Matches(IReadOnlyList<string> words, string banned)
    {
        var parts = banned.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0 || words.Count < parts.Length || !ProgramName(words[0]).Equals(ProgramName(parts[0]), StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        for (var i = 1; i < parts.Length; i++)
        {
            if (!words[i].Equals(parts[i], StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The program's plain name: no directory (<c>/usr/bin/curl</c>) and no Windows executable extension (<c>curl.exe</c>).</summary>
    private static string ProgramName(string word)
    {
        var name = word[(word.LastIndexOfAny(['/', '\\']) + 1)..];
        foreach (var extension in (string[])[".exe", ".cmd", ".bat", ".com", ".ps1"])
        {
            if (name.Length > extension.Length && name.EndsWith(extension, StringComparison.OrdinalIgnoreCase))
            {
                return name[..^extension.Length];
            }
        }

        return name;
    }

    private static void Split(string line, ShellKind kind, int depth, List<IReadOnlyList<string>> commands)
    {
        if (depth > MaxDepth)
        {
            return;
        }

        var nested = new List<string>();
        foreach (var words in new Scanner(line, kind, nested).Parts())
        {
            AddCommand(words, kind, depth, commands);
        }

        foreach (var inner in nested)
        {
            Split(inner, kind, depth + 1, commands);
        }
    }

    private static void AddCommand(List<string> words, ShellKind kind, int depth, List<IReadOnlyList<string>> commands)
    {
        var i = 0;
        while (i < words.Count)
        {
            var word = words[i];
            if (IsAssignment(word) || Keywords.Contains(word))
            {
                i++;
                continue;
            }

            var name = ProgramName(word);
            if (Wrappers.TryGetValue(name, out var withArgument))
            {
                if (name.Equals("command", StringComparison.OrdinalIgnoreCase) && i + 1 < words.Count && words[i + 1] is "-v" or "-V")
                {
                    return; // command -v NAME looks a program up; it does not run it.
                }

                if (name.Equals("env", StringComparison.OrdinalIgnoreCase) && i + 2 < words.Count && words[i + 1] is "-S" or "--split-string")
                {
                    Split(string.Join(' ', words.Skip(i + 2)), kind, depth + 1, commands);
                    return;
                }

                i = SkipOptions(words, i + 1, withArgument);
                if (name.Equals("timeout", StringComparison.OrdinalIgnoreCase))
                {
                    i++; // the duration
                }

                continue;
            }

            commands.Add(words[i..]);
            if (Shells.Contains(name))
            {
                // sh -c 'script', bash -lc "script": the script is a command line of its own.
                for (var j = i + 1; j < words.Count - 1; j++)
                {
                    if (words[j].Length > 1 && words[j][0] == '-' && words[j][1] != '-' && words[j].Contains('c', StringComparison.Ordinal))
                    {
                        Split(words[j + 1], kind, depth + 1, commands);
                        break;
                    }
                }
            }
            else if (name.Equals("eval", StringComparison.Ordinal) && i + 1 < words.Count)
            {
                Split(string.Join(' ', words.Skip(i + 1)), kind, depth + 1, commands);
            }

            return;
        }
    }

    private static int SkipOptions(List<string> words, int i, string[] withArgument)
    {
        while (i < words.Count && words[i].StartsWith('-'))
        {
            var option = words[i++];
            if (option == "--")
            {
                break;
            }

            if (withArgument.Contains(option, StringComparer.Ordinal))
            {
                i++;
            }
        }

        return i;
    }

    private static bool IsAssignment(string word)
    {
        var equals = word.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0 || !(char.IsAsciiLetter(word[0]) || word[0] == '_'))
        {
            return false;
        }

        for (var i = 1; i < equals; i++)
        {
            if (!(char.IsAsciiLetterOrDigit(word[i]) || word[i] == '_'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Reads words and command separators; collects substitutions (<c>$(…)</c>, backticks) into <c>nested</c>.</summary>
    private sealed class Scanner(string text, ShellKind kind, List<string> nested)
    {
        private readonly char _escape = kind switch { ShellKind.PowerShell => '`', ShellKind.Cmd => '^', _ => '\\' };
        private readonly List<List<string>> _parts = [];
        private readonly StringBuilder _word = new();
        private List<string> _current = [];
        private bool _inWord;
        private bool _skipNextWord;
        private int _pos;

        public List<List<string>> Parts()
        {
            while (_pos < text.Length)
            {
                var c = text[_pos];
                if (c == _escape && _pos + 1 < text.Length)
                {
                    if (text[_pos + 1] is not ('\n' or '\r'))
                    {
                        _word.Append(text[_pos + 1]);
                        _inWord = true;
                    }

                    _pos += 2;
                }
                else if (c == '\'' && kind != ShellKind.Cmd)
                {
                    var end = text.IndexOf('\'', _pos + 1);
                    end = end < 0 ? text.Length : end;
                    _word.Append(text, _pos + 1, end - _pos - 1);
                    _inWord = true;
                    _pos = end + 1;
                }
                else if (c == '"')
                {
                    DoubleQuoted();
                }
                else if (TrySubstitution())
                {
                    continue;
                }
                else if (c is ' ' or '\t')
                {
                    EndWord();
                    _pos++;
                }
                else if (c == '#' && !_inWord && kind != ShellKind.Cmd)
                {
                    var end = text.IndexOf('\n', _pos);
                    _pos = end < 0 ? text.Length : end;
                }
                else if (c is '<' or '>' || (c == '&' && Peek(1) == '>'))
                {
                    Redirect();
                }
                else if (c is ';' or '&' or '|' or '\n' or '\r' or '(' or ')')
                {
                    EndPart();
                    _pos++;
                }
                else
                {
                    _word.Append(c);
                    _inWord = true;
                    _pos++;
                }
            }

            EndPart();
            return _parts;
        }

        private char Peek(int offset) => _pos + offset < text.Length ? text[_pos + offset] : '\0';

        private void DoubleQuoted()
        {
            _inWord = true;
            _pos++;
            while (_pos < text.Length && text[_pos] != '"')
            {
                if (text[_pos] == _escape && kind != ShellKind.Cmd && _pos + 1 < text.Length)
                {
                    _word.Append(text[_pos + 1]);
                    _pos += 2;
                }
                else if (!TrySubstitution())
                {
                    _word.Append(text[_pos++]);
                }
            }

            _pos++;
        }

        /// <summary><c>$(…)</c>, <c>&lt;(…)</c>, <c>&gt;(…)</c> and (POSIX) backticks: the inside is a command line of its own.</summary>
        private bool TrySubstitution()
        {
            var c = text[_pos];
            if (c == '`' && kind == ShellKind.Posix)
            {
                var end = _pos + 1;
                while (end < text.Length && text[end] != '`')
                {
                    end += text[end] == '\\' ? 2 : 1;
                }

                end = Math.Min(end, text.Length);
                nested.Add(text[(_pos + 1)..end]);
                _word.Append("$(…)");
                _inWord = true;
                _pos = end + 1;
                return true;
            }

            if (c is '$' or '<' or '>' && Peek(1) == '(' && !(c == '$' && Peek(2) == '('))
            {
                var end = ClosingParenthesis(_pos + 2);
                nested.Add(text[(_pos + 2)..end]);
                _word.Append("$(…)");
                _inWord = true;
                _pos = end + 1;
                return true;
            }

            return false;
        }

        private int ClosingParenthesis(int start)
        {
            var depth = 1;
            var quote = '\0';
            for (var i = start; i < text.Length; i++)
            {
                var c = text[i];
                if (c == _escape && quote != '\'')
                {
                    i++;
                }
                else if (quote != '\0')
                {
                    quote = c == quote ? '\0' : quote;
                }
                else if (c is '\'' or '"')
                {
                    quote = c;
                }
                else if (c == '(')
                {
                    depth++;
                }
                else if (c == ')' && --depth == 0)
                {
                    return i;
                }
            }

            return text.Length;
        }

        /// <summary>A redirection operator: a preceding file-descriptor number is dropped and the target word skipped.</summary>
        private void Redirect()
        {
            if (_inWord && _word.ToString().All(char.IsAsciiDigit))
            {
                _word.Clear();
                _inWord = false;
            }

            EndWord();
            while (_pos < text.Length && text[_pos] is '<' or '>' or '&' or '|')
            {
                _pos++;
            }

            _skipNextWord = true;
        }

        private void EndWord()
        {
            if (!_inWord)
            {
                return;
            }

            if (_skipNextWord)
            {
                _skipNextWord = false;
            }
            else
            {
                _current.Add(_word.ToString());
            }

            _word.Clear();
            _inWord = false;
        }

        private void EndPart()
        {
            EndWord();
            _skipNextWord = false;
            if (_current.Count > 0)
            {
                _parts.Add(_current);
                _current = [];
            }
        }
    }
}
