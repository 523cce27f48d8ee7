namespace AgentHost.Kernel.Installation;

/// <summary>File-system steps of installing: copying plugin folders and deleting folders robustly.</summary>
internal static class InstallFiles
{
    /// <summary>Folder names never copied from a source folder.</summary>
    private static readonly string[] SkippedFolders = [".git"];

    /// <summary>Copies a folder recursively into <paramref name="destination"/> (created), skipping <c>.git</c>.</summary>
    public static void CopyDirectory(string source, string destination, CancellationToken cancellationToken)
    {
        var root = Path.GetFullPath(source);
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

    private static bool IsSkipped(string relative)
    {
        var first = relative.Split(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar)[0];
        return SkippedFolders.Contains(first, StringComparer.Ordinal);
    }
}
