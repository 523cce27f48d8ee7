using AgentHost.Permissions.Paths;

namespace AgentHost.Permissions.Rules;

/// <summary>
/// The rules an "always allow" answer would add for a target that asked: the narrowest rule a person would write —
/// <c>shell(npm test *)</c> (command and subcommand, then anything; for an interpreter, through the script or code it
/// runs: <c>shell(python3 scripts/check.py *)</c>), <c>write(src/app.cs)</c> (relative to the root,
/// <c>~/</c> in the home directory), <c>fetch(domain:example.com)</c>, or the tool's qualified name.
/// </summary>
/// <remarks>Thread-safe and pure.</remarks>
internal sealed class RuleSuggestions
{
    private readonly string _root;
    private readonly string _home;

    /// <summary>Creates the suggestions of a sandbox.</summary>
    /// <param name="root">The real path of the workspace root.</param>
    /// <param name="home">The real path of the home directory.</param>
    public RuleSuggestions(string root, string home)
    {
        _root = root;
        _home = home;
    }

    /// <summary>The rule that would allow the target, or <see langword="null"/> when none can (a command or path known only at run time).</summary>
    public string? Suggest(PermissionCall call, Target target)
    {
        switch (target.Kind)
        {
            case TargetKind.Command:
                if (target.Dynamic || target.Part is not { Words.Count: > 0 } part)
                {
                    return null;
                }

                // The qualifiers allow rules must match come first: 'FOO=1 npm test' suggests shell(FOO=1 npm test).
                var words = part.Words;
                var kept = Interpreters.Contains(Path.GetFileName(words[0])) ? ProgramWords(part)
                    : words.Count > 1 && IsSubcommand(words[1]) && !part.ExpandedWords.Contains(1) ? 2
                    : 1;
                if (kept < 0)
                {
                    return null;
                }

                var prefix = string.Join(' ', [.. part.Qualifiers.Select(RuleMatcher.RenderWord), .. words.Take(kept).Select(RuleMatcher.RenderWord)]);
                var rest = part.AppendsArguments || words.Count > kept;
                return $"shell({prefix}{(rest ? " *" : string.Empty)})";
            case TargetKind.Read or TargetKind.Write:
                if (target.FullPath is not { } full)
                {
                    return null;
                }

                var verb = target.Kind == TargetKind.Write ? "write" : "read";
                if (PathSandbox.IsInside(full, _root))
                {
                    return $"{verb}({Path.GetRelativePath(_root, full).Replace('\\', '/')})";
                }

                return PathSandbox.IsInside(full, _home) ? $"{verb}(~/{Path.GetRelativePath(_home, full).Replace('\\', '/')})" : $"{verb}({full.Replace('\\', '/')})";
            case TargetKind.Fetch:
                return target.Host is { } host ? $"fetch(domain:{host})" : null;
            default:
                return Qualified(call);
        }
    }

    /// <summary>
    /// Programs that run the code a later word names (a script, <c>-c CODE</c>, <c>-m MODULE</c>): "always allow" for them
    /// keeps that word, so allowing <c>python3 scripts/check.py</c> never allows every Python program.
    /// </summary>
    private static readonly HashSet<string> Interpreters = new(StringComparer.Ordinal)
    {
        "python", "python2", "python3", "py", "pypy", "pypy3", "node", "nodejs", "deno", "bun", "tsx", "ts-node", "ruby", "perl", "php", "lua",
        "Rscript", "bash", "sh", "zsh", "dash", "ksh", "fish", "pwsh", "powershell", "osascript", "java", "groovy", "julia", "elixir", "erl",
    };

    /// <summary>
    /// Interpreter options whose value is the next word (<c>python3 -W ignore x.py</c>, <c>node -r ts-node/register
    /// x.ts</c>, <c>ruby -I lib x.rb</c>, <c>bash -o pipefail x.sh</c>): the value is kept and the scan goes on to the
    /// script, so the suggestion never stops at the value and allows every script run with that option.
    /// </summary>
    private static readonly Dictionary<string, string[]> ValueOptions = new(StringComparer.Ordinal)
    {
        ["python"] = ["-W", "-X", "--check-hash-based-pycs"],
        ["node"] = ["-r", "--require", "--import", "--loader", "--experimental-loader", "-C", "--conditions", "--env-file"],
        ["ruby"] = ["-I", "-r", "-E", "-C"],
        ["perl"] = ["-I", "-M", "-m"],
        ["sh"] = ["-o", "+o", "-O", "+O"],
        ["java"] = ["-cp", "-classpath", "--class-path", "-p", "--module-path"],
    };

    private static readonly Dictionary<string, string> Families = new(StringComparer.Ordinal)
    {
        ["python"] = "python", ["python2"] = "python", ["python3"] = "python", ["py"] = "python", ["pypy"] = "python", ["pypy3"] = "python",
        ["node"] = "node", ["nodejs"] = "node", ["bun"] = "node", ["tsx"] = "node", ["ts-node"] = "node",
        ["ruby"] = "ruby", ["perl"] = "perl", ["java"] = "java",
        ["bash"] = "sh", ["sh"] = "sh", ["zsh"] = "sh", ["dash"] = "sh", ["ksh"] = "sh",
    };

    /// <summary>How many words of an interpreter's command the suggestion keeps: through the first that is not an option or an option's value (the script or code); -1 when a word up to it is known only at run time.</summary>
    private static int ProgramWords(ShellCommandPart part)
    {
        var takesValue = Families.TryGetValue(Path.GetFileName(part.Words[0]), out var family) ? ValueOptions.GetValueOrDefault(family, []) : [];
        for (var i = 1; i < part.Words.Count; i++)
        {
            if (part.ExpandedWords.Contains(i))
            {
                return -1;
            }

            var word = part.Words[i];
            if (takesValue.Contains(word, StringComparer.Ordinal))
            {
                i++; // the option's value
                if (part.ExpandedWords.Contains(i))
                {
                    return -1;
                }

                continue;
            }

            if ((!word.StartsWith('-') && !(family == "sh" && word.StartsWith('+'))) || word == "-")
            {
                return i + 1;
            }
        }

        return part.Words.Count;
    }

    private static bool IsSubcommand(string word) =>
        word.Length > 0 && char.IsAsciiLetter(word[0]) && word.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or ':');

    /// <summary>The tool's name with its plugin: <c>plugin/tool</c>.</summary>
    /// <remarks>An MCP tool (<c>mcp__server__tool</c>) is named on its own: the name already says whose it is, and rules match it so.</remarks>
    internal static string Qualified(PermissionCall call) =>
        call.Plugin is { Length: > 0 } plugin && !call.Tool.StartsWith("mcp__", StringComparison.Ordinal) ? $"{plugin}/{call.Tool}" : call.Tool;
}
