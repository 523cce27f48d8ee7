namespace AgentHost.Plugins.Files.Search;

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

/// <summary>
/// The ignore rules in force in one folder: its own and its ancestors' lists (nearest first), then the nearest
/// <c>.git/info/exclude</c>. Immutable; shared by every folder below until one adds rules of its own.
/// </summary>
internal sealed class IgnoreStack
{
    /// <summary>
    /// The agent's own ignore files (Crush's <c>.crushignore</c>, and <c>.agentignore</c>): what they exclude no files
    /// tool lists, searches, reads or changes — also with a search's <c>no_ignore</c>, which only sets git's rules aside.
    /// </summary>
    public static readonly IReadOnlyList<string> AgentFiles = [".crushignore", ".agentignore"];

    private readonly IgnoreList? _list;
    private readonly IgnoreStack? _parent;
    private readonly IgnoreList? _exclude;
    private readonly bool _agentOnly;

    private IgnoreStack(IgnoreList? list, IgnoreStack? parent, IgnoreList? exclude, bool agentOnly)
    {
        _list = list;
        _parent = parent;
        _exclude = exclude;
        _agentOnly = agentOnly;
    }

    /// <summary>No rules at all (folders entered read every ignore file).</summary>
    public static IgnoreStack Empty { get; } = new(null, null, null, agentOnly: false);

    /// <summary>No rules yet; folders entered read only the agent's own ignore files (<see cref="AgentFiles"/>).</summary>
    public static IgnoreStack AgentOnly { get; } = new(null, null, null, agentOnly: true);

    /// <summary>Whether a folder entry is an ignore file (so the folder's rules must be read).</summary>
    public static bool IsIgnoreFile(string name) => name is ".ignore" or ".crushignore" or ".agentignore";

    /// <summary>A stack for a subfolder with its own rules and, when it is a repository root, its exclude file.</summary>
    public IgnoreStack Push(IgnoreList? list, IgnoreList? exclude) =>
        list is null && exclude is null ? this : new IgnoreStack(list, this, exclude ?? _exclude, _agentOnly);

    /// <summary>Whether the rules ignore the entry (see <see cref="IgnoreList.Decide"/> for the arguments).</summary>
    public bool IsIgnored(ReadOnlySpan<char> path, int nameStart, bool isDirectory, bool ignoreCase)
    {
        for (var node = this; node is not null; node = node._parent)
        {
            if (node._list?.Decide(path, nameStart, isDirectory, ignoreCase) is { } decision)
            {
                return decision;
            }
        }

        return _exclude?.Decide(path, nameStart, isDirectory, ignoreCase) ?? false;
    }

    /// <summary>
    /// The rules of a folder: reads <c>.gitignore</c>, <c>.ignore</c> and (when it holds a <c>.git</c> folder)
    /// <c>.git/info/exclude</c> in <paramref name="directory"/> and pushes them.
    /// </summary>
    public IgnoreStack Enter(string directory, string relativePath, bool hasGitignore, bool hasIgnore, bool hasGitDirectory)
    {
        if (_agentOnly)
        {
            return hasIgnore ? Push(AgentList(directory, relativePath), null) : this;
        }

        var list = hasGitignore || hasIgnore
            ? IgnoreList.Parse(
                relativePath,
                hasGitignore ? IgnoreList.Read(Path.Combine(directory, ".gitignore")) : null,
                hasIgnore ? IgnoreList.Read(Path.Combine(directory, ".ignore")) : null,
                hasIgnore ? IgnoreList.Read(Path.Combine(directory, AgentFiles[0])) : null,
                hasIgnore ? IgnoreList.Read(Path.Combine(directory, AgentFiles[1])) : null)
            : null;
        var exclude = hasGitDirectory ? IgnoreList.Parse(relativePath, IgnoreList.Read(Path.Combine(directory, ".git", "info", "exclude"))) : null;
        return Push(list, exclude);
    }

    private static IgnoreList? AgentList(string directory, string relativePath) =>
        IgnoreList.Parse(relativePath, IgnoreList.Read(Path.Combine(directory, AgentFiles[0])), IgnoreList.Read(Path.Combine(directory, AgentFiles[1])));

    /// <summary>
    /// Whether the agent's own ignore files (<see cref="AgentFiles"/>, in the root and every folder down to the entry)
    /// exclude <paramref name="relativePath"/> or a folder it is in — what <c>view</c>, <c>edit</c>, <c>write</c> and
    /// the other single-path tools refuse.
    /// </summary>
    /// <param name="root">The workspace root.</param>
    /// <param name="relativePath">The entry, relative to the root, <c>/</c>-separated.</param>
    /// <param name="isDirectory">Whether the entry is a folder.</param>
    public static bool IsExcludedForAgent(string root, string relativePath, bool isDirectory)
    {
        if (relativePath.Length == 0 || relativePath == ".")
        {
            return false;
        }

        var ignoreCase = new WalkOptions().IgnoreCase;
        var stack = AgentOnly.Push(AgentList(root, string.Empty), null);
        var parts = relativePath.Split('/');
        var prefix = string.Empty;
        for (var i = 0; i < parts.Length; i++)
        {
            var path = prefix + parts[i];
            var last = i == parts.Length - 1;
            if (stack.IsIgnored(path, prefix.Length, !last || isDirectory, ignoreCase))
            {
                return true; // an excluded folder excludes everything in it, as in git
            }

            if (!last)
            {
                stack = stack.Push(AgentList(Path.Combine(root, path), path), null);
                prefix = path + "/";
            }
        }

        return false;
    }

    /// <summary>
    /// The rules in force in <paramref name="relativePath"/> (a folder inside the root): every ignore file from the
    /// root down to it. Used when a search starts below the root.
    /// </summary>
    public static IgnoreStack ForFolder(string root, string relativePath, bool agentOnly = false)
    {
        var stack = (agentOnly ? AgentOnly : Empty).Enter(root, string.Empty, true, true, Directory.Exists(Path.Combine(root, ".git")));
        if (relativePath.Length == 0)
        {
            return stack;
        }

        var parts = relativePath.Split('/');
        for (var i = 0; i < parts.Length; i++)
        {
            var rel = string.Join('/', parts, 0, i + 1);
            var full = Path.Combine(root, rel);
            stack = stack.Enter(full, rel, true, true, Directory.Exists(Path.Combine(full, ".git")));
        }

        return stack;
    }
}
