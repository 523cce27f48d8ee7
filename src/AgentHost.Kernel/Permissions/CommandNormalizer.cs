namespace AgentHost.Kernel.Permissions;

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

    private static readonly HashSet<string> Shells = ["sh", "bash", "zsh", "dash", "ksh", "mksh", "ash", "fish", "busybox"];

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
            var skipped = SkipWrapper(name, words, i + 1, parts, depth);
            if (skipped < 0)
            {
                // The wrapper's own command was parsed separately (sh -c, eval, env -S): it runs with what was looked through so far.
                List<string> outer = [.. prefix, words[i]];
                List<string> outerQualifiers = [.. qualifiers, .. ChangesWhatRuns(name, [words[i], "-"]) ? [words[i]] : Array.Empty<string>()];
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

            if (skipped == i + 1 && !IsWrapper(name))
            {
                break;
            }

            var segment = words.GetRange(i, skipped - i);
            prefix.AddRange(segment);
            if (ChangesWhatRuns(name, segment))
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

        parts.Add(new ShellCommandPart(rest, redirects, expandedWords.Contains(i) || rest[0].Contains('$', StringComparison.Ordinal) || rest[0].Contains('`', StringComparison.Ordinal))
        {
            Prefix = prefix,
            Qualifiers = qualifiers,
            AppendsArguments = appends,
            ExpandedWords = [.. expandedWords.Where(index => index >= i).Select(index => index - i).Order()],
        });
    }

    /// <summary>Whether a looked-through wrapper changes what runs or as whom, so allow rules must see it.</summary>
    private static bool ChangesWhatRuns(string name, List<string> segment) => name switch
    {
        "sudo" or "doas" => true,
        "env" => segment.Count > 1,
        "time" => segment.Skip(1).Any(word => word is "-o" or "-a" or "--append" || word.StartsWith("--output", StringComparison.Ordinal) || (word.StartsWith("-o", StringComparison.Ordinal) && word.Length > 2)),
        _ => false,
    };

    private static bool IsWrapper(string name) => name is "sudo" or "doas" or "timeout" or "nice" or "ionice" or "env" or "nohup" or "xargs"
        or "command" or "builtin" or "noglob" or "exec" or "time" or "stdbuf" or "setsid" or "unbuffer" or "caffeinate";

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
                if (command.Count > 0)
                {
                    Add(command, [], [], parts, depth + 1);
                }

                i = end;
            }
        }
    }
}
