using System.Globalization;
using AgentHost.Sessions;

namespace AgentHost.Agent.Checkpoints;

/// <summary>Reads a path's state for a checkpoint, with the size and binary caps; maps paths to and from the root.</summary>
internal static class FileStates
{
    /// <summary>The largest file whose content is recorded: 1 MiB. A larger one is recorded as not undoable, with the reason.</summary>
    public const int MaxFileBytes = 1024 * 1024;

    /// <summary>How much of a file is searched for a NUL byte (the binary test, as git does).</summary>
    private const int BinaryProbeBytes = 8000;

    public static string RealRoot(string workspaceRoot) => Sdk.Tools.WorkspacePaths.RealPath(Path.GetFullPath(workspaceRoot));

    /// <summary>The path relative to the root with <c>/</c> separators, or <see langword="null"/> when outside it (or the root itself).</summary>
    public static string? Relative(string root, string path)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path, root));
        if (Path.GetDirectoryName(full) is { } parent && Directory.Exists(parent))
        {
            full = Path.Combine(Sdk.Tools.WorkspacePaths.RealPath(parent), Path.GetFileName(full));
        }

        var relative = Path.GetRelativePath(root, full);
        return relative == "." || relative == ".." || relative.StartsWith(".." + Path.DirectorySeparatorChar, StringComparison.Ordinal) || Path.IsPathRooted(relative)
            ? null
            : relative.Replace(Path.DirectorySeparatorChar, '/');
    }

    public static string Full(string root, string relative) => Path.GetFullPath(relative.Replace('/', Path.DirectorySeparatorChar), root);

    public static bool IsLink(string full)
    {
        try
        {
            return new FileInfo(full).LinkTarget is not null;
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>The files under a folder (relative to the root), at most <paramref name="limit"/>; folder links are not followed.</summary>
    public static IEnumerable<string> FilesUnder(string root, string folder, int limit)
    {
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.ReparsePoint };
        return Directory.EnumerateFiles(folder, "*", options).Take(limit).Select(f => Relative(root, f)).OfType<string>();
    }

    /// <summary>The path's state: absent, the file's bytes, or unrecorded with the reason (a folder counts as absent: its files are recorded one by one).</summary>
    public static FileSnapshot Read(string full)
    {
        try
        {
            var info = new FileInfo(full);
            if (info.LinkTarget is not null)
            {
                return FileSnapshot.Unrecorded("a symbolic link");
            }

            if (!info.Exists)
            {
                return FileSnapshot.Absent;
            }

            if (info.Length > MaxFileBytes)
            {
                return FileSnapshot.Unrecorded(string.Create(CultureInfo.InvariantCulture, $"larger than the 1 MiB checkpoint limit ({info.Length} bytes)"));
            }

            var bytes = File.ReadAllBytes(full);
            return bytes.AsSpan(0, Math.Min(bytes.Length, BinaryProbeBytes)).Contains((byte)0)
                ? FileSnapshot.Unrecorded("a binary file")
                : FileSnapshot.Of(bytes);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return FileSnapshot.Unrecorded("unreadable: " + ex.Message);
        }
    }
}
