using System.Text.RegularExpressions;

namespace AgentHost.Agent.Memory;

/// <summary>
/// The <c>@path</c> imports of a memory file, as Claude Code reads them in <c>CLAUDE.md</c>: an <c>@</c> at the start of
/// a line or after white space, followed by a path (<c>@docs/testing.md</c>, <c>@../AGENTS.md</c>, <c>@~/notes.md</c>,
/// <c>@/abs/path.md</c>). Text in fenced code blocks and inline code spans is not read, so an example never imports.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
internal static partial class MemoryImports
{
    /// <summary>How many imports deep a chain is followed (Claude Code's limit): a file imported by an imported file… five times.</summary>
    public const int MaxDepth = 5;

    /// <summary>The paths <paramref name="content"/> imports, in order, each once, as written (trailing punctuation dropped).</summary>
    public static IReadOnlyList<string> Find(string content)
    {
        var found = new List<string>();
        var fence = (string?)null;
        foreach (var rawLine in content.Split('\n'))
        {
            var trimmed = rawLine.TrimStart();
            if (fence is null && (trimmed.StartsWith("```", StringComparison.Ordinal) || trimmed.StartsWith("~~~", StringComparison.Ordinal)))
            {
                fence = trimmed[..3];
                continue;
            }

            if (fence is not null)
            {
                if (trimmed.StartsWith(fence, StringComparison.Ordinal))
                {
                    fence = null;
                }

                continue;
            }

            foreach (Match match in Import().Matches(CodeSpan().Replace(rawLine, " ")))
            {
                var path = match.Groups["path"].Value.TrimEnd('.', ',', ';', ':', '!', '?', ')', ']', '"', '\'');
                if (path.Length > 0 && !found.Contains(path, StringComparer.Ordinal))
                {
                    found.Add(path);
                }
            }
        }

        return found;
    }

    /// <summary>Where an import points: <c>~/</c> from the home folder, an absolute path as it is, else from the importing file's folder.</summary>
    public static string Resolve(string path, string importingFile, string? home)
    {
        if ((path == "~" || path.StartsWith("~/", StringComparison.Ordinal)) && home is { Length: > 0 })
        {
            return MemoryPaths.Full(path.Length == 1 ? home : Path.Combine(home, path[2..]));
        }

        return MemoryPaths.Full(path, Path.GetDirectoryName(importingFile)!);
    }

    [GeneratedRegex(@"(?<=^|\s)@(?<path>(?:~|\.{1,2})?/?[^\s@`]+)")]
    private static partial Regex Import();

    [GeneratedRegex(@"`+[^`]*`+")]
    private static partial Regex CodeSpan();
}
