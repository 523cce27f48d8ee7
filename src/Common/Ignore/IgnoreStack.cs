namespace AgentHost.Common.Ignore;

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

    /// <summary>Whether paths are compared without case by default: on Windows and macOS, whose file systems usually ignore it.</summary>
    public static bool DefaultIgnoreCase { get; } = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS();

    /// <summary>
    /// The list whose rule ignores the entry (the nearest list with a matching rule, as in <see cref="IsIgnored"/>), or
    /// <see langword="null"/> when the entry is not ignored.
    /// </summary>
    public IgnoreList? IgnoredBy(ReadOnlySpan<char> path, int nameStart, bool isDirectory, bool ignoreCase)
    {
        for (var node = this; node is not null; node = node._parent)
        {
            if (node._list?.Decide(path, nameStart, isDirectory, ignoreCase) is { } decision)
            {
                return decision ? node._list : null;
            }
        }

        return _exclude?.Decide(path, nameStart, isDirectory, ignoreCase) is true ? _exclude : null;
    }

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

    /// <summary>The rules of a folder's agent ignore files (<see cref="AgentFiles"/>); <see langword="null"/> when it has none.</summary>
    public static IgnoreList? AgentList(string directory, string relativePath) =>
        IgnoreList.Parse(relativePath, IgnoreList.Read(Path.Combine(directory, AgentFiles[0])), IgnoreList.Read(Path.Combine(directory, AgentFiles[1])));

    /// <summary>
    /// Whether the agent's own ignore files (<see cref="AgentFiles"/>, in the root and every folder down to the entry)
    /// exclude <paramref name="relativePath"/> or a folder it is in — what <c>view</c>, <c>edit</c>, <c>write</c> and
    /// the other single-path tools refuse.
    /// </summary>
    /// <param name="root">The workspace root.</param>
    /// <param name="relativePath">The entry, relative to the root, <c>/</c>-separated.</param>
    /// <param name="isDirectory">Whether the entry is a folder.</param>
    public static bool IsExcludedForAgent(string root, string relativePath, bool isDirectory) =>
        new AgentIgnoreFilter(root).IsExcluded(relativePath, isDirectory);

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
