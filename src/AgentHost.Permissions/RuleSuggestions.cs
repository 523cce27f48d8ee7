namespace AgentHost.Permissions;

/// <summary>
/// The rules an "always allow" answer would add for a target that asked: the narrowest rule a person would write —
/// <c>shell(npm test *)</c> (command and subcommand, then anything), <c>write(src/app.cs)</c> (relative to the root,
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
                var subcommand = words.Count > 1 && IsSubcommand(words[1]) && !part.ExpandedWords.Contains(1);
                var prefix = string.Join(' ', [.. part.Qualifiers.Select(RuleMatcher.RenderWord), words[0], .. subcommand ? [words[1]] : Array.Empty<string>()]);
                var rest = part.AppendsArguments || words.Count > (subcommand ? 2 : 1);
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

    private static bool IsSubcommand(string word) =>
        word.Length > 0 && char.IsAsciiLetter(word[0]) && word.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or ':');

    /// <summary>The tool's name with its plugin: <c>plugin/tool</c>.</summary>
    internal static string Qualified(PermissionCall call) => call.Plugin is { Length: > 0 } plugin ? $"{plugin}/{call.Tool}" : call.Tool;
}
