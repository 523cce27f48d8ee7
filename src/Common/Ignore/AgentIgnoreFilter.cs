namespace AgentHost.Common.Ignore;

/// <summary>
/// The agent's own ignore files (<see cref="IgnoreStack.AgentFiles"/>) of one workspace, asked about many paths: each
/// folder's files are read once. Git's meaning throughout (<see cref="IgnoreRule"/>): the last matching line wins,
/// <c>!</c> re-includes, a pattern with a <c>/</c> is anchored to its file's folder, a nested file's rules apply below
/// its folder and win over its parents', and an excluded folder excludes everything in it.
/// </summary>
/// <remarks>
/// One implementation for every reader of the workspace: the files plugin's tools and walkers, and the core's context
/// references (<c>@file</c>, <c>@dir/</c>, <c>--context</c>, <c>--image</c>), chat completion, memory files and their imports.
/// Not thread-safe; it reads the ignore files as they are when first asked (make a new one to see later changes).
/// </remarks>
/// <param name="root">The workspace root.</param>
internal sealed class AgentIgnoreFilter(string root)
{
    private readonly Dictionary<string, IgnoreStack> _stacks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string?> _folders = new(StringComparer.Ordinal);

    /// <summary>Whether names are compared without case (<see cref="IgnoreStack.DefaultIgnoreCase"/> by default).</summary>
    public bool IgnoreCase { get; init; } = IgnoreStack.DefaultIgnoreCase;

    /// <summary>Whether the agent ignore files exclude the entry or a folder it is in.</summary>
    /// <param name="relativePath">The entry, relative to the root (<c>/</c> or the platform's separator).</param>
    /// <param name="isDirectory">Whether the entry is a folder.</param>
    public bool IsExcluded(string relativePath, bool isDirectory) => ExcludedBy(relativePath, isDirectory) is not null;

    /// <summary>
    /// The ignore file that excludes the entry or a folder it is in, relative to the root (<c>.agentignore</c>,
    /// <c>secrets/.crushignore</c>; both names, joined by <c>or</c>, when a folder has both), or <see langword="null"/>
    /// when the entry is not excluded.
    /// </summary>
    /// <param name="relativePath">The entry, relative to the root (<c>/</c> or the platform's separator).</param>
    /// <param name="isDirectory">Whether the entry is a folder.</param>
    public string? ExcludedBy(string relativePath, bool isDirectory)
    {
        ArgumentNullException.ThrowIfNull(relativePath);
        var path = relativePath.Replace('\\', '/').Trim('/');
        if (path.StartsWith("./", StringComparison.Ordinal))
        {
            path = path[2..];
        }

        if (path.Length == 0 || path == ".")
        {
            return null;
        }

        var slash = path.LastIndexOf('/');
        var parent = slash < 0 ? string.Empty : path[..slash];
        if (parent.Length > 0 && FolderExcludedBy(parent) is { } byFolder)
        {
            return byFolder; // an excluded folder excludes everything in it, as in git
        }

        return Stack(parent).IgnoredBy(path, slash + 1, isDirectory, IgnoreCase) is { } list ? Describe(list) : null;
    }

    private string? FolderExcludedBy(string folder)
    {
        if (!_folders.TryGetValue(folder, out var excludedBy))
        {
            excludedBy = ExcludedBy(folder, isDirectory: true);
            _folders[folder] = excludedBy;
        }

        return excludedBy;
    }

    /// <summary>The rules in force inside <paramref name="folder"/>: its own agent ignore files and its ancestors'.</summary>
    private IgnoreStack Stack(string folder)
    {
        if (!_stacks.TryGetValue(folder, out var stack))
        {
            var slash = folder.LastIndexOf('/');
            var parent = folder.Length == 0 ? IgnoreStack.AgentOnly : Stack(slash < 0 ? string.Empty : folder[..slash]);
            stack = parent.Push(IgnoreStack.AgentList(Path.Combine(root, folder), folder), null);
            _stacks[folder] = stack;
        }

        return stack;
    }

    private string Describe(IgnoreList list)
    {
        var prefix = list.BasePath.Length == 0 ? string.Empty : list.BasePath + "/";
        var present = IgnoreStack.AgentFiles.Where(name => File.Exists(Path.Combine(root, list.BasePath, name))).Select(name => prefix + name).ToList();
        return present.Count > 0 ? string.Join(" or ", present) : prefix + IgnoreStack.AgentFiles[^1];
    }
}
