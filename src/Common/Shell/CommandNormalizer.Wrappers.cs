namespace AgentHost.Common.Shell;

// The wrappers the normalizer looks through, each with its option grammar.
internal static partial class CommandNormalizer
{
    private static readonly OptionGrammar NoOptions = new(string.Empty, string.Empty);

    private static readonly OptionGrammar ShellGrammar = new("abcefhiklmnprstuvxBCDEHPT", "oO", LongFlags: ["norc", "noprofile", "login", "posix", "restricted", "verbose", "noediting", "debugger", "dump-strings", "dump-po-strings", "protected", "help", "version", "pretty-print"], LongWithArgument: ["rcfile", "init-file"]) { PlusOptions = true };

    private static readonly Dictionary<string, OptionGrammar> Shells = new(StringComparer.Ordinal)
    {
        ["sh"] = ShellGrammar,
        ["bash"] = ShellGrammar,
        ["dash"] = ShellGrammar,
        ["ash"] = ShellGrammar,
        ["ksh"] = ShellGrammar,
        ["mksh"] = ShellGrammar,
        ["zsh"] = new("abcdefghijklmnpqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", "o", LongFlags: ["login", "interactive", "no-rcs", "no-globalrcs", "emacs", "vi", "help", "version"]) { PlusOptions = true },
        ["fish"] = new("cilnNPv", "dfo", LongFlags: ["interactive", "login", "no-execute", "no-config", "private", "version", "help"], LongWithArgument: ["command", "debug", "debug-output", "features"]),
    };

    /// <summary>Programs that run the rest of their words as a command, with their option grammars.</summary>
    private static readonly Dictionary<string, OptionGrammar> Wrappers = new(StringComparer.Ordinal)
    {
        ["sudo"] = new("AbBEHiKklNnPSsVv", "CDgpRrTtUu", LongFlags: ["askpass", "background", "bell", "set-home", "login", "remove-timestamp", "reset-timestamp", "list", "non-interactive", "preserve-groups", "stdin", "shell", "validate", "version", "help"], LongWithArgument: ["close-from", "chdir", "group", "host", "prompt", "chroot", "role", "type", "command-timeout", "other-user", "user"], LongOptionalArgument: ["preserve-env"]),
        ["doas"] = new("Lns", "aCu"),
        ["timeout"] = new("fpv", "ks", LongFlags: ["foreground", "preserve-status", "verbose", "help", "version"], LongWithArgument: ["kill-after", "signal"]),
        ["nice"] = new(string.Empty, "n", LongWithArgument: ["adjustment"]) { NumericOption = true },
        ["ionice"] = new("t", "cnpPu", LongFlags: ["ignore"], LongWithArgument: ["class", "classdata", "pid", "pgid", "uid"]),
        ["env"] = new("i0v", "uCS", LongFlags: ["ignore-environment", "null", "debug", "list-signal-handling"], LongWithArgument: ["unset", "chdir", "split-string"], LongOptionalArgument: ["block-signal", "default-signal", "ignore-signal"]),
        ["nohup"] = NoOptions,
        ["builtin"] = NoOptions,
        ["noglob"] = NoOptions,
        ["busybox"] = NoOptions,
        ["toybox"] = NoOptions,
        ["setsid"] = new("cfw", string.Empty, LongFlags: ["ctty", "fork", "wait"]),
        ["unbuffer"] = new("p", string.Empty),
        ["caffeinate"] = new("dimsu", "tw"),
        ["command"] = new("pvV", string.Empty),
        ["exec"] = new("cl", "a"),
        ["time"] = new("apqvV", "fo", LongFlags: ["append", "portability", "quiet", "verbose", "version", "help"], LongWithArgument: ["format", "output"]),
        ["stdbuf"] = new(string.Empty, "ioe", LongWithArgument: ["input", "output", "error"]),
        ["xargs"] = new("0oprtx", "adEILnPs", "eil", LongFlags: ["null", "interactive", "no-run-if-empty", "verbose", "exit", "show-limits", "open-tty", "help", "version"], LongWithArgument: ["arg-file", "delimiter", "max-args", "max-procs", "max-chars", "process-slot-var"], LongOptionalArgument: ["eof", "replace", "max-lines"]),
        ["chroot"] = new(string.Empty, string.Empty, LongFlags: ["skip-chdir"], LongWithArgument: ["userspec", "groups"]),
        ["pkexec"] = new(string.Empty, string.Empty, LongFlags: ["disable-internal-agent", "keep-cwd", "help", "version"], LongWithArgument: ["user"]),
        ["fakeroot"] = new("us", "lbi", LongFlags: ["unknown-is-real"], LongWithArgument: ["lib", "faked"]),
        ["taskset"] = new("acp", string.Empty, LongFlags: ["all-tasks", "cpu-list", "pid"]),
        ["flock"] = new("sexnuoF", "wEc", LongFlags: ["shared", "exclusive", "nonblock", "unlock", "close", "no-fork", "verbose"], LongWithArgument: ["timeout", "conflict-exit-code", "command"]),
        ["su"] = new("flmpP", "cgGsw", LongFlags: ["login", "preserve-environment", "pty", "fast"], LongWithArgument: ["command", "session-command", "group", "supp-group", "shell", "whitelist-environment"]),
        ["runuser"] = new("flmpP", "cgGsuw", LongFlags: ["login", "preserve-environment", "pty", "fast"], LongWithArgument: ["command", "session-command", "group", "supp-group", "shell", "user", "whitelist-environment"]),
        ["watch"] = new("bcCegptwx", "nq", "d", LongFlags: ["beep", "color", "no-color", "errexit", "chgexit", "precise", "no-title", "no-wrap", "exec", "help", "version"], LongWithArgument: ["interval", "equexit"], LongOptionalArgument: ["differences"]),
    };

    /// <summary>
    /// Returns the index of the wrapped command, <paramref name="start"/> when the word is not a wrapper, or -1 when the
    /// rest was parsed recursively. <paramref name="qualifies"/> says whether the wrapper and its options change what
    /// runs or as whom (allow rules must match them).
    /// </summary>
    private static int SkipWrapper(string name, List<string> words, int start, List<ShellCommandPart> parts, int depth, out bool qualifies)
    {
        qualifies = false;
        if (Shells.TryGetValue(name, out var shell))
        {
            return ShellDashC(name, shell, words, start, parts, depth);
        }

        switch (name)
        {
            case "eval":
                ShellCommandParser.ParseInto(string.Join(' ', words.Skip(start < words.Count && words[start] == "--" ? start + 1 : start)), parts, depth + 1);
                return -1;
            case "trap":
                // trap [--] 'commands' SIGNALS: the string runs later in this shell.
                var first = start < words.Count && words[start] == "--" ? start + 1 : start;
                if (first < words.Count && !words[first].StartsWith('-'))
                {
                    ShellCommandParser.ParseInto(words[first], parts, depth + 1);
                    return -1;
                }

                return start;
        }

        if (!Wrappers.TryGetValue(name, out var grammar))
        {
            return start;
        }

        var options = new List<ParsedOption>();
        var i = ReadOptions(name, grammar, words, start, options);
        switch (name)
        {
            case "sudo" or "doas" or "chroot" or "pkexec" or "fakeroot":
                qualifies = true;
                break;
            case "su" or "runuser" or "flock":
                // su -c 'string', runuser -u user -- command…, flock FILE command… / flock FILE -c 'string'.
                qualifies = name != "flock";
                if (name == "flock" && i < words.Count)
                {
                    i++;
                    if (i + 1 < words.Count && words[i] == "-c")
                    {
                        options.Add(new ParsedOption("c", words[i + 1]));
                        i = words.Count;
                    }
                }

                if (options.FirstOrDefault(option => option.Name is "c" or "command" or "session-command") is { Argument: { } command })
                {
                    ParseScript(command, parts, depth);
                    return -1;
                }

                if (name != "flock" && !options.Any(option => option.Name is "u" or "user") && i < words.Count)
                {
                    throw new FormatException($"'{name} {words[i]} …' passes its words to a login shell, which is not understood; use '{name} -c \'command\''");
                }

                break;
            case "time":
                qualifies = options.Any(option => option.Name is "o" or "a" or "output" or "append");
                break;
            case "env":
                while (i < words.Count && (words[i] == "-" || IsAssignment(words[i])))
                {
                    i++;
                }

                qualifies = i > start;
                if (options.FirstOrDefault(option => option.Name is "S" or "split-string") is { Argument: { } script })
                {
                    // env -S 'string' args…: the string is split into words (a command line of its own), then args follow.
                    ParseScript(string.Join(' ', [script, .. words.Skip(i)]), parts, depth);
                    return -1;
                }

                break;
            case "xargs":
                CheckXargsReplacement(options, words, i);
                break;
            case "watch":
                // watch [options] command…: runs sh -c 'command…' repeatedly.
                if (i < words.Count)
                {
                    ParseScript(string.Join(' ', words.Skip(i)), parts, depth);
                    return -1;
                }

                return start;
        }

        if (name is "timeout" or "chroot" or "taskset")
        {
            // The duration / the new root / the CPU mask comes before the command.
            i = Math.Min(words.Count, i + 1);
        }

        return i;
    }

    /// <summary>
    /// Parses the command string of <c>sh -c</c>, <c>env -S</c>, <c>su -c</c>, <c>flock -c</c> or <c>watch</c>. A
    /// <c>{}</c> in it is replaced at run time by <c>find -exec</c> or <c>xargs -I{}</c> with text from file names or
    /// input (<c>find . -exec sh -c 'echo {}' \;</c> runs code in a file's name), so it is not understood.
    /// </summary>
    private static void ParseScript(string script, List<ShellCommandPart> parts, int depth)
    {
        if (script.Contains("{}", StringComparison.Ordinal))
        {
            throw new FormatException($"the command string '{script}' contains '{{}}', which find -exec and xargs replace with text only known at run time");
        }

        ShellCommandParser.ParseInto(script, parts, depth + 1);
    }

    /// <summary>
    /// <c>xargs -I R</c> / <c>-i</c>: R in the command's words is replaced by input read at run time. In the command
    /// name, or with a program that runs a command string (a shell, <c>env</c>, <c>su</c>…), that input would be code.
    /// </summary>
    private static void CheckXargsReplacement(List<ParsedOption> options, List<string> words, int i)
    {
        var found = options.Where(option => option.Name is "I" or "i" or "replace").Select(option => (ParsedOption?)option).LastOrDefault();
        var replace = found is { } option ? option.Argument ?? "{}" : null;
        if (replace is not { Length: > 0 } || i >= words.Count || !words.Skip(i).Any(word => word.Contains(replace, StringComparison.Ordinal)))
        {
            return;
        }

        if (words[i].Contains(replace, StringComparison.Ordinal)
            || words.Skip(i).Select(Path.GetFileName).Any(word => word is not null && (Shells.ContainsKey(word) || word is "env" or "su" or "runuser" or "flock" or "watch" or "eval" or "xargs" or "find")))
        {
            throw new FormatException($"xargs replaces '{replace}' with input read at run time inside a command name or a command string");
        }
    }

    /// <summary><c>bash [options] -c [--] 'string' [name args…]</c>: parse the string as commands. Other uses (a script, stdin) stay as they are.</summary>
    private static int ShellDashC(string name, OptionGrammar grammar, List<string> words, int start, List<ShellCommandPart> parts, int depth)
    {
        var options = new List<ParsedOption>();
        var i = ReadOptions(name, grammar, words, start, options);
        if (options.FirstOrDefault(option => option.Name == "command") is { Argument: { } fishCommand })
        {
            ParseScript(fishCommand, parts, depth);
            return -1;
        }

        if (!options.Any(option => option.Name == "c"))
        {
            return start;
        }

        if (i < words.Count && words[i] == "-")
        {
            i++;
        }

        if (i >= words.Count)
        {
            throw new FormatException($"'{name} -c' has no command string here (xargs or find may supply it at run time)");
        }

        ParseScript(words[i], parts, depth);
        return -1;
    }
}
