namespace AgentHost.Hosting.Plugins.Installed;

/// <summary>
/// Keeps a plugin folder loaded in place (<c>--plugin ./folder</c>) inside itself: a symbolic link (or junction) below
/// it whose target lies outside the folder is refused before anything is read, so a cloned repository's plugin folder
/// cannot make the host read (as skills, commands, hooks or servers) files elsewhere on the machine, such as
/// <c>~/.ssh</c>. Links that stay inside the folder are followed as usual. An installed plugin holds no links at all
/// (install refuses them).
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
internal static class PluginFolderLinks
{
    /// <summary>Throws when a link below <paramref name="folder"/> leads outside it.</summary>
    /// <param name="folder">The plugin folder (an absolute path; when it is itself a link, the folder it names).</param>
    /// <exception cref="AgentHostException">A link leads out of the folder: the message names it, its target and the fix.</exception>
    public static void RefuseLinksOut(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        var root = Real(folder);
        if (FindLinkOut(root, root) is { } found)
        {
            var relative = Path.GetRelativePath(root, found.Link.FullName).Replace('\\', '/');
            throw new AgentHostException(
                ErrorKind.Plugin,
                $"plugin folder {folder} has a symbolic link {relative} → {found.Link.LinkTarget ?? "(a reparse point)"}, which leads outside the folder ({found.Target}); " +
                "a plugin folder is read only inside itself, so it was not loaded. Replace the link with the files it points to (or remove it), then try again.");
        }
    }

    /// <summary>The first link below <paramref name="directory"/> whose final target is not inside <paramref name="root"/>.</summary>
    private static (FileSystemInfo Link, string Target)? FindLinkOut(string root, string directory)
    {
        IEnumerable<FileSystemInfo> entries;
        try
        {
            entries = new DirectoryInfo(directory).EnumerateFileSystemInfos().OrderBy(e => e.Name, StringComparer.Ordinal).ToList();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null; // An unreadable folder is read by nothing either; loading reports what it needs and cannot read.
        }

        foreach (var entry in entries)
        {
            if (entry.LinkTarget is not null || entry.Attributes.HasFlag(FileAttributes.ReparsePoint))
            {
                var target = FinalTarget(entry);
                if (target is null || !IsInside(root, target))
                {
                    return (entry, target ?? "a target that cannot be resolved");
                }

                continue; // Inside: its target is (or is below) a real entry that this walk visits itself.
            }

            if (entry is DirectoryInfo && FindLinkOut(root, entry.FullName) is { } found)
            {
                return found;
            }
        }

        return null;
    }

    private static string? FinalTarget(FileSystemInfo link)
    {
        try
        {
            var target = link.ResolveLinkTarget(returnFinalTarget: true);
            return target is null ? null : Real(target.FullName);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null; // A loop or an unreadable link: treated as leading out.
        }
    }

    /// <summary>A path with every link along it resolved (the folders above it included), as the file system will follow it.</summary>
    private static string Real(string path)
    {
        var full = Path.GetFullPath(path);
        var parent = Path.GetDirectoryName(full);
        var resolvedParent = parent is null ? null : Real(parent);
        var here = resolvedParent is null ? full : Path.Combine(resolvedParent, Path.GetFileName(full));
        FileSystemInfo info = Directory.Exists(here) ? new DirectoryInfo(here) : new FileInfo(here);
        try
        {
            return info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is { } target ? Real(target.FullName) : here;
        }
        catch (IOException)
        {
            return here;
        }
    }

    private static bool IsInside(string root, string path)
    {
        var comparison = OperatingSystem.IsLinux() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
        var relative = Path.GetRelativePath(root, path);
        return !Path.IsPathRooted(relative)
            && !relative.Equals("..", comparison)
            && !relative.StartsWith(".." + Path.DirectorySeparatorChar, comparison)
            && !relative.StartsWith("../", comparison);
    }
}
