namespace AgentHost.Common.Shell;

/// <summary>
/// Turns the words of one simple command into the command that really runs: drops <c>VAR=value</c> prefixes and
/// shell keywords, looks through wrappers (<c>sudo</c>, <c>timeout</c>, <c>nice</c>, <c>env</c>, <c>nohup</c>,
/// <c>xargs</c>, <c>command</c>, <c>time</c>, <c>stdbuf</c>, …), and parses the strings of <c>sh -c</c>,
/// <c>eval</c>, <c>env -S</c>, <c>trap</c> and <c>watch</c> and the commands of <c>find -exec</c> as commands of their own.
/// The words looked through are kept (<see cref="ShellCommandPart.Prefix"/>); those that change what runs or as whom
/// (assignments, <c>env …</c>, <c>sudo …</c>) are <see cref="ShellCommandPart.Qualifiers"/> that allow rules must match.
/// </summary>
internal static partial class CommandNormalizer
{
    private static readonly HashSet<string> Keywords = ["!", "{", "}", "if", "then", "else", "elif", "fi", "do", "done", "while", "until", "esac", "coproc"];

    /// <summary>Builtins that take variable names: an array subscript in one (<c>printf -v 'a[$(cmd)]'</c>) is evaluated, running the substitution.</summary>
    private static readonly HashSet<string> VariableBuiltins = ["printf", "read", "declare", "typeset", "local", "export", "readonly", "unset", "let", "mapfile", "readarray", "getopts", "test", "[", "[[", "wait"];

    public static void Add(List<string> words, List<ShellRedirect> redirects, HashSet<int> expandedWords, List<ShellCommandPart> parts, int depth)
    {
        var prefix = new List<string>();
        var qualifiers = new List<string>();
        var appends = false;
        var i = 0;
        while (true)
        {
            var before = i;
            for (; i < words.Count && (IsAssignment(words[i]) || Keywords.Contains(words[i])); i++)
            {
                if (IsAssignment(words[i]))
                {
                    CheckAssignmentSubscript(words[i]);
                    ParseCodeVariable(words[i], parts, depth);
                    prefix.Add(words[i]);
                    qualifiers.Add(words[i]);
                }
                else if (words[i] == "coproc" && i + 2 < words.Count && words[i + 2] == "{")
                {
                    throw new FormatException("a named coprocess ('coproc NAME { …; }') is not supported");
                }
            }

            if (i >= words.Count)
            {
                break;
            }

            var name = Path.GetFileName(words[i]);
            if (name == "function")
            {
                throw new FormatException("a function definition (the body runs whenever the name is used later)");
            }

            var first = parts.Count;
            var skipped = SkipWrapper(name, words, i + 1, parts, depth, out var qualifies);
            if (skipped < 0)
            {
                // The wrapper's own command was parsed separately (sh -c, eval, env -S): it runs with what was looked through so far.
                List<string> outer = [.. prefix, words[i]];
                List<string> outerQualifiers = [.. qualifiers, .. qualifies ? [words[i]] : Array.Empty<string>()];
                for (var k = first; k < parts.Count; k++)
                {
                    parts[k] = parts[k] with { Prefix = [.. outer, .. parts[k].Prefix], Qualifiers = [.. outerQualifiers, .. parts[k].Qualifiers] };
                }

                if (redirects.Count > 0)
                {
                    parts.Add(new ShellCommandPart([words[i]], redirects, false));
                }

                return;
            }

            if (skipped == i + 1 && !Wrappers.ContainsKey(name))
            {
                break;
            }

            var segment = words.GetRange(i, skipped - i);
            prefix.AddRange(segment);
            if (qualifies)
            {
                qualifiers.AddRange(segment);
            }

            appends |= name == "xargs";
            i = skipped;
            if (i == before)
            {
                break;
            }
        }

        var rest = words.Skip(i).ToList();
        if (rest.Count == 0)
        {
            // Only assignments or keywords (their substitutions, if any, were parsed already); a wrapper with no command
            // (e.g. a bare 'sudo -i') keeps its words.
            if (redirects.Count > 0 || words.Count > 0 && words.Any(word => !IsAssignment(word) && !Keywords.Contains(word)))
            {
                parts.Add(new ShellCommandPart(words, redirects, false) { ExpandedWords = [.. expandedWords.Order()] });
            }

            return;
        }

        var command = Path.GetFileName(rest[0]);
        if (command is "find")
        {
            AddFindExec(rest, parts, depth);
        }

        if (VariableBuiltins.Contains(command) && rest.Skip(1).FirstOrDefault(word => word.Contains('[', StringComparison.Ordinal) && (word.Contains('$', StringComparison.Ordinal) || word.Contains('`', StringComparison.Ordinal))) is { } evaluated)
        {
            throw new FormatException($"'{command}' evaluates the array subscript in '{evaluated}', which can run commands");
        }

        CheckArithmeticWords(command, rest);
        ParseCodeInArguments(command, rest, parts, depth);
        parts.Add(new ShellCommandPart(rest, redirects, expandedWords.Contains(i) || rest[0].Contains('$', StringComparison.Ordinal) || rest[0].Contains('`', StringComparison.Ordinal))
        {
            Prefix = prefix,
            Qualifiers = qualifiers,
            AppendsArguments = appends,
            ExpandedWords = [.. expandedWords.Where(index => index >= i).Select(index => index - i).Order()],
        });
    }

    /// <summary>
    /// Variables whose value bash runs: <c>PROMPT_COMMAND</c> is a command line, <c>PS0</c>–<c>PS4</c> are expanded
    /// with their substitutions (<c>PS4='$(cmd)' bash -xc …</c>), and <c>BASH_ENV</c> names a script every
    /// non-interactive bash sources first (not understood).
    /// </summary>
    private static void ParseCodeVariable(string assignment, List<ShellCommandPart> parts, int depth)
    {
        var equals = assignment.IndexOf('=', StringComparison.Ordinal);
        var name = assignment[..equals].TrimEnd('+');
        var value = assignment[(equals + 1)..];
        switch (name)
        {
            case "PROMPT_COMMAND":
                ShellCommandParser.ParseInto(value, parts, depth + 1);
                break;
            case "PS0" or "PS1" or "PS2" or "PS3" or "PS4":
                ShellCommandParser.ScanExpandingText(value, parts, depth);
                break;
            case "BASH_ENV":
                throw new FormatException("'BASH_ENV=…' makes every bash started from here source a script first");
        }
    }

    /// <summary>
    /// Builtins whose arguments are code or change what a name runs: <c>alias name='commands'</c> (parsed as commands),
    /// <c>hash -p PATH name</c> (the name then runs another program: not understood), and assignments made by
    /// <c>export</c>/<c>declare</c>/<c>local</c>/<c>readonly</c>/<c>typeset</c> (checked like prefixes).
    /// </summary>
    private static void ParseCodeInArguments(string command, List<string> words, List<ShellCommandPart> parts, int depth)
    {
        switch (command)
        {
            case "alias":
                foreach (var word in words.Skip(1).Where(word => word.Contains('=', StringComparison.Ordinal)))
                {
                    ShellCommandParser.ParseInto(word[(word.IndexOf('=', StringComparison.Ordinal) + 1)..], parts, depth + 1);
                }

                break;
            case "hash" when words.Skip(1).Any(word => word.StartsWith('-') && word.Contains('p', StringComparison.Ordinal)):
                throw new FormatException("'hash -p' makes a command name run another program");
            case "export" or "declare" or "typeset" or "local" or "readonly":
                foreach (var word in words.Skip(1).Where(IsAssignment))
                {
                    CheckAssignmentSubscript(word);
                    ParseCodeVariable(word, parts, depth);
                }

                break;
        }
    }

    /// <summary><c>a[i]=v</c>: an indexed array's subscript is arithmetic, so a name in it runs code hidden in that variable's value.</summary>
    private static void CheckAssignmentSubscript(string word)
    {
        var open = word.IndexOf('[', StringComparison.Ordinal);
        var equals = word.IndexOf('=', StringComparison.Ordinal);
        if (open > 0 && open < equals)
        {
            var close = word.IndexOf(']', open);
            ShellCommandParser.CheckArithmetic(close > open && close < equals ? word[(open + 1)..close] : word[(open + 1)..equals]);
        }
    }

    private static bool IsAssignment(string word)
    {
        var eq = word.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0 || !(char.IsAsciiLetter(word[0]) || word[0] == '_'))
        {
            return false;
        }

        var name = word[..eq].TrimEnd('+');
        var bracket = name.IndexOf('[', StringComparison.Ordinal);
        if (bracket > 0)
        {
            name = name[..bracket];
        }

        return name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
    }

    /// <summary>
    /// Commands that evaluate their words as arithmetic, which runs code hidden in a variable's value
    /// (<c>x='a[$(cmd)]'; [[ x -eq 0 ]]</c>): <c>let</c>, the integer comparisons of <c>[[</c>, and <c>declare -i</c>.
    /// Only literal numbers are understood there.
    /// </summary>
    private static void CheckArithmeticWords(string command, List<string> words)
    {
        switch (command)
        {
            case "let":
                foreach (var word in words.Skip(1))
                {
                    ShellCommandParser.CheckArithmetic(word);
                }

                break;
            case "[[":
                for (var k = 1; k < words.Count; k++)
                {
                    if (words[k] is "-eq" or "-ne" or "-lt" or "-le" or "-gt" or "-ge")
                    {
                        ShellCommandParser.CheckArithmetic(words[k - 1]);
                        ShellCommandParser.CheckArithmetic(k + 1 < words.Count ? words[k + 1] : string.Empty);
                    }
                }

                break;
            case "declare" or "typeset" or "local" or "export" or "readonly":
                if (words.Skip(1).TakeWhile(word => word.StartsWith('-') || word.StartsWith('+')).Any(word => word.Contains('i', StringComparison.Ordinal)))
                {
                    throw new FormatException($"'{command}' with the integer attribute (-i) evaluates its values as arithmetic, which can run commands");
                }

                break;
        }
    }

    private static void AddFindExec(List<string> words, List<ShellCommandPart> parts, int depth)
    {
        for (var i = 0; i < words.Count; i++)
        {
            if (words[i] is "-exec" or "-execdir" or "-ok" or "-okdir")
            {
                var end = i + 1;
                while (end < words.Count && words[end] is not (";" or "+"))
                {
                    end++;
                }

                var command = words.Skip(i + 1).Take(end - i - 1).ToList();
                if (command.Count > 0 && command[0].Contains("{}", StringComparison.Ordinal))
                {
                    throw new FormatException($"'find {words[i]} {command[0]}': the program is a file name found at run time");
                }

                if (command.Count > 0)
                {
                    Add(command, [], [], parts, depth + 1);
                }

                i = end;
            }
        }
    }
}
