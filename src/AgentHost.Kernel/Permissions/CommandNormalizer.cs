namespace AgentHost.Kernel.Permissions;

/// <summary>
/// Turns the words of one simple command into the command that really runs: drops <c>VAR=value</c> prefixes and
/// shell keywords, looks through wrappers (<c>sudo</c>, <c>timeout</c>, <c>nice</c>, <c>env</c>, <c>nohup</c>,
/// <c>xargs</c>, <c>command</c>, <c>time</c>, <c>stdbuf</c>, …), and parses the strings of <c>sh -c</c>,
/// <c>eval</c> and <c>env -S</c> and the commands of <c>find -exec</c> as commands of their own.
/// </summary>
internal static class CommandNormalizer
{
    private static readonly HashSet<string> Keywords = ["!", "{", "}", "if", "then", "else", "elif", "fi", "do", "done", "while", "until", "esac", "coproc"];

    private static readonly HashSet<string> Shells = ["sh", "bash", "zsh", "dash", "ksh", "mksh", "ash", "fish", "busybox"];

    public static void Add(List<string> words, List<ShellRedirect> redirects, HashSet<int> dynamicWords, List<ShellCommandPart> parts, int depth)
    {
        var i = 0;
        while (true)
        {
            var before = i;
            while (i < words.Count && (IsAssignment(words[i]) || Keywords.Contains(words[i])))
            {
                i++;
            }

            if (i >= words.Count)
            {
                break;
            }

            var name = Path.GetFileName(words[i]);
            var skipped = SkipWrapper(name, words, i + 1, parts, depth);
            if (skipped < 0)
            {
                // The wrapper's own command was parsed separately (sh -c, eval, env -S).
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
                parts.Add(new ShellCommandPart(words, redirects, false));
            }

            return;
        }

        if (Path.GetFileName(rest[0]) is "find")
        {
            AddFindExec(rest, parts, depth);
        }

        parts.Add(new ShellCommandPart(rest, redirects, dynamicWords.Contains(i) || rest[0].Contains('$', StringComparison.Ordinal) || rest[0].Contains('`', StringComparison.Ordinal)));
    }

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

    /// <summary>Returns the index of the wrapped command, <paramref name="start"/> when the word is not a wrapper, or -1 when the rest was parsed recursively.</summary>
    private static int SkipWrapper(string name, List<string> words, int start, List<ShellCommandPart> parts, int depth)
    {
        var i = start;
        switch (name)
        {
            case "sudo" or "doas":
                return SkipOptions(words, i, withValue: ["-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-T", "-U", "--user", "--group", "--chdir", "--host", "--prompt", "--role", "--type", "--other-user", "--close-from", "--command-timeout"]);
            case "timeout":
                i = SkipOptions(words, i, withValue: ["-s", "-k", "--signal", "--kill-after"]);
                return i < words.Count ? i + 1 : i; // the duration
            case "nice":
                if (i < words.Count && words[i] == "-n")
                {
                    return Math.Min(words.Count, i + 2);
                }

                return i < words.Count && words[i].StartsWith('-') ? SkipOptions(words, i, withValue: ["-n", "--adjustment"]) : i;
            case "ionice":
                return SkipOptions(words, i, withValue: ["-c", "-n", "-p", "--class", "--classdata", "--pid"]);
            case "env":
                while (i < words.Count)
                {
                    var word = words[i];
                    if (word is "-S" or "--split-string" || word.StartsWith("-S", StringComparison.Ordinal) && word.Length > 2 || word.StartsWith("--split-string=", StringComparison.Ordinal))
                    {
                        var inline = word.StartsWith("--split-string=", StringComparison.Ordinal) ? word["--split-string=".Length..] : word.Length > 2 && word[1] == 'S' ? word[2..] : null;
                        var script = inline ?? (i + 1 < words.Count ? words[i + 1] : string.Empty);
                        var remaining = words.Skip(inline is null ? i + 2 : i + 1);
                        ShellCommandParser.ParseInto(string.Join(' ', [script, .. remaining]), parts, depth + 1);
                        return -1;
                    }

                    if (word is "-u" or "-C" or "--unset" or "--chdir")
                    {
                        i += 2;
                    }
                    else if (word == "--")
                    {
                        i++;
                        break;
                    }
                    else if (word.StartsWith('-') || IsAssignment(word))
                    {
                        i++;
                    }
                    else
                    {
                        break;
                    }
                }

                return Math.Min(i, words.Count);
            case "nohup" or "builtin" or "noglob" or "setsid" or "unbuffer" or "caffeinate":
                return SkipOptions(words, i, withValue: []);
            case "command":
                return SkipOptions(words, i, withValue: []);
            case "exec":
                return SkipOptions(words, i, withValue: ["-a"]);
            case "time":
                return SkipOptions(words, i, withValue: ["-f", "-o", "--format", "--output"]);
            case "stdbuf":
                return SkipOptions(words, i, withValue: ["-i", "-o", "-e", "--input", "--output", "--error"]);
            case "xargs":
                return SkipOptions(words, i, withValue: ["-I", "-i", "-d", "-E", "-e", "-L", "-l", "-n", "-P", "-s", "-a", "--arg-file", "--delimiter", "--eof", "--replace", "--max-lines", "--max-args", "--max-procs", "--max-chars", "--process-slot-var"]);
            case "eval":
                ShellCommandParser.ParseInto(string.Join(' ', words.Skip(i)), parts, depth + 1);
                return -1;
            default:
                if (Shells.Contains(name))
                {
                    return ShellDashC(words, i, parts, depth);
                }

                return start;
        }
    }

    /// <summary><c>bash [-opts] -c 'string' [name args…]</c>: parse the string as commands. Other uses (a script, stdin) stay as they are.</summary>
    private static int ShellDashC(List<string> words, int start, List<ShellCommandPart> parts, int depth)
    {
        var i = start;
        var hasC = false;
        while (i < words.Count && words[i].StartsWith('-') && words[i] != "-" && words[i] != "--")
        {
            var option = words[i];
            if (option is "-o" or "+o" or "--rcfile" or "--init-file")
            {
                i += 2;
                continue;
            }

            if (!option.StartsWith("--", StringComparison.Ordinal) && option.Contains('c', StringComparison.Ordinal))
            {
                hasC = true;
            }

            i++;
        }

        if (!hasC || i >= words.Count)
        {
            return start;
        }

        ShellCommandParser.ParseInto(words[i], parts, depth + 1);
        return -1;
    }

    private static int SkipOptions(List<string> words, int i, IReadOnlyCollection<string> withValue)
    {
        while (i < words.Count)
        {
            var word = words[i];
            if (word == "--")
            {
                return i + 1;
            }

            if (!word.StartsWith('-') || word == "-")
            {
                return i;
            }

            if (withValue.Contains(word))
            {
                i += 2;
            }
            else
            {
                i++;
            }
        }

        return Math.Min(i, words.Count);
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
