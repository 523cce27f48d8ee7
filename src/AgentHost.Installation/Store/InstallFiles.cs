using AgentHost.Hosting;

namespace AgentHost.Installation.Store;

/// <summary>File-system steps of installing: copying plugin folders and deleting folders robustly.</summary>
internal static class InstallFiles
{
    /// <summary>Folder names never copied from a source folder.</summary>
    private static readonly string[] SkippedFolders = [".git"];

    /// <summary>Copies a folder recursively into <paramref name="destination"/> (created), skipping <c>.git</c>.</summary>
    /// <exception cref="AgentHostException">The folder contains a symbolic link or junction (nothing is copied).</exception>
    public static void CopyDirectory(string source, string destination, CancellationToken cancellationToken)
    {
        var root = Path.GetFullPath(source);
        RejectLinks(root, root);
        Directory.CreateDirectory(destination);
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = false };
        foreach (var directory in Directory.EnumerateDirectories(root, "*", options))
        {
            var relative = Path.GetRelativePath(root, directory);
            if (!IsSkipped(relative))
            {
                Directory.CreateDirectory(Path.Combine(destination, relative));
            }
        }

        foreach (var file in Directory.EnumerateFiles(root, "*", options))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var relative = Path.GetRelativePath(root, file);
            if (!IsSkipped(relative))
            {
                File.Copy(file, Path.Combine(destination, relative));
            }
        }
    }

    /// <summary>Deletes a folder if it exists, clearing read-only attributes when needed.</summary>
    public static void DeleteDirectory(string path)
    {
        if (!Directory.Exists(path))
        {
            return;
        }

        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (UnauthorizedAccessException)
        {
            foreach (var file in Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories))
            {
                File.SetAttributes(file, FileAttributes.Normal);
            }

            Directory.Delete(path, recursive: true);
        }
    }

    /// <summary>Deletes a file or folder, reporting instead of throwing when it cannot (best-effort cleanup).</summary>
    public static void TryDelete(string path, Action<string>? report)
    {
        try
        {
            if (File.Exists(path))
            {
                File.Delete(path);
            }
            else
            {
                DeleteDirectory(path);
            }
        }
        catch (IOException ex)
        {
            report?.Invoke($"warning: could not delete {path} ({ex.Message}); delete it by hand.");
        }
        catch (UnauthorizedAccessException ex)
        {
            report?.Invoke($"warning: could not delete {path} ({ex.Message}); delete it by hand.");
        }
    }

    /// <summary>
    /// Refuses a plugin folder holding a symbolic link (or junction) anywhere below it, before anything is copied: a link
    /// would either be dropped (a broken plugin) or make the installed plugin read files outside its folder.
    /// </summary>
    private static void RejectLinks(string root, string directory)
    {
        foreach (var entry in new DirectoryInfo(directory).EnumerateFileSystemInfos("*", new EnumerationOptions { AttributesToSkip = 0, IgnoreInaccessible = false }))
        {
            var relative = Path.GetRelativePath(root, entry.FullName);
            if (IsSkipped(relative))
            {
                continue;
            }

            if (entry.LinkTarget is not null || entry.Attributes.HasFlag(FileAttributes.ReparsePoint))
            {
                throw new AgentHostException(
                    ErrorKind.Plugin,
                    $"package {root} contains a symbolic link {relative.Replace('\\', '/')} → {entry.LinkTarget ?? "(a reparse point)"}; plugins may not contain links. Nothing was installed; replace the link with the file it points to, then install again.");
            }

            if (entry is DirectoryInfo)
            {
                RejectLinks(root, entry.FullName);
            }
        }
    }

    private static bool IsSkipped(string relative)
    {
        var first = relative.Split(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar)[0];
        return SkippedFolders.Contains(first, StringComparer.Ordinal);
    }
}
