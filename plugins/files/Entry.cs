using AgentHost.Sdk.Tools;

namespace AgentHost.Plugins.Files;

/// <summary>What a path names on disk, without following a symbolic link at its end.</summary>
internal enum EntryKind
{
    Missing,
    File,
    Folder,
    Link,
}

/// <summary>
/// A path that <c>move</c> or <c>delete</c> acts on. The folders on the way are resolved (links followed, and the result
/// must stay inside the workspace root, as for every files tool); the last component is not, so a symbolic link is moved
/// or deleted itself and what it points to is never touched.
/// </summary>
/// <param name="FullPath">The full path (real folders, last component as written).</param>
/// <param name="RelativePath">The path relative to the workspace root, with <c>/</c> separators.</param>
/// <param name="Kind">What is there now.</param>
internal sealed record Entry(string FullPath, string RelativePath, EntryKind Kind)
{
    private static readonly StringComparison PathComparison =
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    /// <summary>The path for messages: folders end with <c>/</c>.</summary>
    public string Display => Kind == EntryKind.Folder ? RelativePath + "/" : RelativePath;

    /// <summary>Resolves a path to move or delete.</summary>
    /// <param name="paths">The workspace.</param>
    /// <param name="path">The path as the model wrote it.</param>
    /// <param name="field">The argument name, for messages.</param>
    /// <param name="verb">What the tool does (<c>moved</c>, <c>deleted</c>), for messages.</param>
    /// <returns>The entry.</returns>
    /// <exception cref="ToolException">The path is empty, outside the root, the root itself or in <c>.git</c>.</exception>
    public static Entry Resolve(WorkspacePaths paths, string path, string field, string verb)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new ToolException($"{field} is empty; give a path relative to the project root.");
        }

        var lexical = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path, paths.Root));
        var parent = Path.GetDirectoryName(lexical);
        var realParent = parent is null ? null : paths.Resolve(parent);
        if (realParent is null)
        {
            throw new ToolException(paths.Resolve(path) is { } real && real.Equals(paths.Root, PathComparison)
                ? $"{field} '{path}' is the project root itself; it cannot be {verb}."
                : $"{field} '{path}' is outside the project root; only paths inside {paths.Root} can be {verb}.");
        }

        var full = Path.Combine(realParent, Path.GetFileName(lexical));
        var relative = paths.Relative(full);
        if (relative.Split('/').Any(part => part.Equals(".git", StringComparison.OrdinalIgnoreCase)))
        {
            throw new ToolException($"{field} '{path}' is in the repository's .git folder; the files tools never move or delete it. Use git commands instead.");
        }

        AgentIgnore.Check(paths, full, path, verb == "deleted" ? "delete" : "move");
        return new Entry(full, relative, KindOf(full));
    }

    /// <summary>What is at <paramref name="fullPath"/>, not following a final symbolic link.</summary>
    /// <param name="fullPath">The path.</param>
    /// <returns>The kind.</returns>
    public static EntryKind KindOf(string fullPath)
    {
        var info = new FileInfo(fullPath);
        if (info.LinkTarget is not null)
        {
            return EntryKind.Link;
        }

        return Directory.Exists(fullPath) ? EntryKind.Folder : info.Exists ? EntryKind.File : EntryKind.Missing;
    }

    /// <summary>Whether two full paths name the same entry (ignoring case where the file system does).</summary>
    /// <param name="a">A path.</param>
    /// <param name="b">Another path.</param>
    /// <returns><see langword="true"/> when they are the same.</returns>
    public static bool SamePath(string a, string b) => a.Equals(b, PathComparison);

    /// <summary>Whether <paramref name="path"/> is inside the folder <paramref name="folder"/>.</summary>
    /// <param name="path">A full path.</param>
    /// <param name="folder">A folder's full path.</param>
    /// <returns><see langword="true"/> when inside (not equal).</returns>
    public static bool IsInside(string path, string folder) =>
        path.StartsWith(Path.TrimEndingDirectorySeparator(folder) + Path.DirectorySeparatorChar, PathComparison);
}
