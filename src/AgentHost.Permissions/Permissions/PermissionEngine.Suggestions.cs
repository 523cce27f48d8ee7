namespace AgentHost.Kernel.Permissions;

public sealed partial class PermissionEngine
{
    private string? Suggest(PermissionCall call, Target target)
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
                var prefix = string.Join(' ', [.. part.Qualifiers.Select(RenderWord), words[0], .. subcommand ? [words[1]] : Array.Empty<string>()]);
                var rest = part.AppendsArguments || words.Count > (subcommand ? 2 : 1);
                return $"shell({prefix}{(rest ? " *" : string.Empty)})";
            case TargetKind.Read or TargetKind.Write:
                if (target.FullPath is not { } full)
                {
                    return null;
                }

                var verb = target.Kind == TargetKind.Write ? "write" : "read";
                if (IsInside(full, Root))
                {
                    return $"{verb}({Path.GetRelativePath(Root, full).Replace('\\', '/')})";
                }

                return IsInside(full, Home) ? $"{verb}(~/{Path.GetRelativePath(Home, full).Replace('\\', '/')})" : $"{verb}({full.Replace('\\', '/')})";
            case TargetKind.Fetch:
                return target.Host is { } host ? $"fetch(domain:{host})" : null;
            default:
                return Qualified(call);
        }
    }

    private static bool IsSubcommand(string word) =>
        word.Length > 0 && char.IsAsciiLetter(word[0]) && word.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or ':');

    private static string Qualified(PermissionCall call) => call.Plugin is { Length: > 0 } plugin ? $"{plugin}/{call.Tool}" : call.Tool;
}
