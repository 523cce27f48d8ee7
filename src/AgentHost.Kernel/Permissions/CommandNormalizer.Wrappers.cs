namespace AgentHost.Kernel.Permissions;

// The wrappers the normalizer looks through, with the options each takes.
internal static partial class CommandNormalizer
{
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
            case "trap":
                // trap 'commands' SIGNALS: the string runs later in this shell.
                if (i < words.Count && !words[i].StartsWith('-'))
                {
                    ShellCommandParser.ParseInto(words[i], parts, depth + 1);
                    return -1;
                }

                return start;
            case "watch":
                // watch [options] command…: runs sh -c 'command…' repeatedly.
                i = SkipOptions(words, i, withValue: ["-n", "--interval"]);
                if (i < words.Count)
                {
                    ShellCommandParser.ParseInto(string.Join(' ', words.Skip(i)), parts, depth + 1);
                    return -1;
                }

                return start;
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
}
