namespace AgentHost.Common.Ignore;

/// <summary>
/// The rules of one folder's ignore files (<c>.gitignore</c>, <c>.ignore</c>, then the agent's own <c>.crushignore</c>
/// and <c>.agentignore</c>: later files win), or of a <c>.git/info/exclude</c>.
/// </summary>
internal sealed class IgnoreList
{
    private readonly IgnoreRule[] _rules;

    private IgnoreList(string basePath, IgnoreRule[] rules)
    {
        BasePath = basePath;
        _rules = rules;
    }

    /// <summary>The folder the patterns are relative to, relative to the workspace root with <c>/</c> separators (empty for the root).</summary>
    public string BasePath { get; }

    /// <summary>Parses the given texts (in order: later lines win) into one list; <see langword="null"/> when they hold no rules.</summary>
    public static IgnoreList? Parse(string basePath, params ReadOnlySpan<string?> texts)
    {
        var rules = new List<IgnoreRule>();
        foreach (var text in texts)
        {
            if (text is null)
            {
                continue;
            }

            // Lines end at '\n' only, as in git (IgnoreRule drops a '\r' before it).
            var rest = text.AsSpan();
            if (rest.StartsWith("\uFEFF"))
            {
                rest = rest[1..];
            }

            while (!rest.IsEmpty)
            {
                var end = rest.IndexOf('\n');
                var line = end < 0 ? rest : rest[..end];
                rest = end < 0 ? [] : rest[(end + 1)..];
                if (IgnoreRule.Parse(line) is { } rule)
                {
                    rules.Add(rule);
                }
            }
        }

        return rules.Count == 0 ? null : new IgnoreList(basePath, [.. rules]);
    }

    /// <summary>Reads an ignore file; <see langword="null"/> when it is missing or unreadable (a broken ignore file must not stop a search).</summary>
    public static string? Read(string fullPath)
    {
        try
        {
            return File.Exists(fullPath) ? File.ReadAllText(fullPath) : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// The decision of the last rule matching the entry: <see langword="true"/> ignored, <see langword="false"/>
    /// re-included, <see langword="null"/> when no rule matches.
    /// </summary>
    /// <param name="path">The entry's path relative to the workspace root, <c>/</c>-separated.</param>
    /// <param name="nameStart">Where the entry's name starts in <paramref name="path"/>.</param>
    /// <param name="isDirectory">Whether the entry is a folder.</param>
    /// <param name="ignoreCase">Whether to compare without case.</param>
    public bool? Decide(ReadOnlySpan<char> path, int nameStart, bool isDirectory, bool ignoreCase)
    {
        var relative = BasePath.Length == 0 ? path : path[Math.Min(path.Length, BasePath.Length + 1)..];
        var name = path[nameStart..];
        for (var i = _rules.Length - 1; i >= 0; i--)
        {
            var rule = _rules[i];
            if ((!rule.DirectoryOnly || isDirectory) && rule.Matches(relative, name, ignoreCase))
            {
                return !rule.Negated;
            }
        }

        return null;
    }
}
