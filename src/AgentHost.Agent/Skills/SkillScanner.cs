using AgentHost.Sdk.Tools;

namespace AgentHost.Agent.Skills;

/// <summary>How far the <see cref="SkillScanner"/> looks under each root.</summary>
public sealed record SkillScanLimits
{
    /// <summary>Folder levels below a root searched for <c>SKILL.md</c> (default 6).</summary>
    public int MaxDepth { get; init; } = 6;

    /// <summary>Folders visited per root before the search stops with a warning (default 2000).</summary>
    public int MaxDirectories { get; init; } = 2000;
}

/// <summary>A <c>SKILL.md</c> found on disk, with what identifies its version.</summary>
/// <param name="Path">The file path (as reached from the root).</param>
/// <param name="LastWriteUtcTicks">When it was last written.</param>
/// <param name="Length">Its size in bytes.</param>
/// <param name="RealPath">The file's path with every symbolic link resolved (the same file reached twice is one skill).</param>
internal readonly record struct SkillFileStamp(string Path, long LastWriteUtcTicks, long Length, string RealPath);

/// <summary>
/// Finds skill folders under a root: the root itself when it holds a <c>SKILL.md</c>, else every folder below it
/// (up to <see cref="SkillScanLimits.MaxDepth"/> levels and <see cref="SkillScanLimits.MaxDirectories"/> folders) that
/// holds one; a skill folder is not searched further. <c>.git</c> and <c>node_modules</c> are skipped; other dot
/// folders (<c>.curated/</c>) are searched. Symbolic links are followed; a folder reached twice (a link loop) is
/// visited once. Entries are visited in ordinal name order, so results are deterministic.
/// </summary>
/// <remarks>
/// The real path of each folder and file is resolved once per root and then built up level by level: a child that is
/// not a symbolic link has its parent's real path plus its name (one link check), and only a link is resolved in full.
/// That gives what <see cref="WorkspacePaths.RealPath"/> gives for every path, without a check of each level of each
/// path (every installed plugin's skill folders are walked at every session's start).
/// </remarks>
internal static class SkillScanner
{
    private static readonly HashSet<string> Skipped = new(StringComparer.OrdinalIgnoreCase) { ".git", "node_modules" };

    /// <param name="root">The folder searched.</param>
    /// <param name="limits">How far.</param>
    /// <param name="notes">Receives what stopped the search.</param>
    /// <param name="realFolders">
    /// The real paths of folders already resolved (by full path), shared by the scans of one catalog read: the roots of
    /// installed plugins share every folder above them, which are then resolved once.
    /// </param>
    public static List<SkillFileStamp> Scan(string root, SkillScanLimits limits, List<string> notes, Dictionary<string, string>? realFolders = null)
    {
        var found = new List<SkillFileStamp>();
        if (!Directory.Exists(root))
        {
            return found;
        }

        var visited = new HashSet<string>(OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);
        var pending = new Stack<(string Path, int Depth, string Real)>();
        pending.Push((root, 0, realFolders is null ? RealPathOrSelf(root) : RealFolder(Path.GetFullPath(root), realFolders)));
        var count = 0;
        while (pending.Count > 0)
        {
            var (directory, depth, real) = pending.Pop();
            if (!visited.Add(real))
            {
                continue;
            }

            if (++count > limits.MaxDirectories)
            {
                notes.Add($"{root}: stopped searching for skills after {limits.MaxDirectories} folders; keep skills in a shallow folder or list their folders in skills.paths");
                break;
            }

            var file = Path.Combine(directory, SkillParser.FileName);
            if (File.Exists(file))
            {
                var info = new FileInfo(file);
                found.Add(new SkillFileStamp(file, info.LastWriteTimeUtc.Ticks, info.Length, RealPathBelow(real, file)));
                continue;
            }

            if (depth >= limits.MaxDepth)
            {
                continue;
            }

            string[] children;
            try
            {
                children = Directory.GetDirectories(directory);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                notes.Add($"{directory}: cannot be searched for skills: {ex.Message}");
                continue;
            }

            Array.Sort(children, StringComparer.Ordinal);
            for (var i = children.Length - 1; i >= 0; i--)
            {
                if (!Skipped.Contains(Path.GetFileName(children[i])))
                {
                    pending.Push((children[i], depth + 1, RealPathBelow(real, children[i])));
                }
            }
        }

        return found;
    }

    /// <summary>The real path of <paramref name="path"/>, an entry of the folder whose real path is <paramref name="parentReal"/>.</summary>
    private static string RealPathBelow(string parentReal, string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget is null ? Path.Combine(parentReal, Path.GetFileName(path)) : RealPathOrSelf(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return RealPathOrSelf(path);
        }
    }

    /// <summary>
    /// The real path of the folder <paramref name="fullPath"/>: its parent's (resolved once per <paramref name="known"/>)
    /// plus its name, or the link resolved in full when it is one; what <see cref="RealPathOrSelf"/> gives, with each
    /// folder above checked once however many roots lie below it.
    /// </summary>
    private static string RealFolder(string fullPath, Dictionary<string, string> known)
    {
        var path = Path.TrimEndingDirectorySeparator(fullPath);
        if (known.TryGetValue(path, out var real))
        {
            return real;
        }

        var parent = Path.GetDirectoryName(path);
        real = parent is null ? path : RealPathBelow(RealFolder(parent, known), path);
        known[path] = real;
        return real;
    }

    private static string RealPathOrSelf(string directory)
    {
        try
        {
            return WorkspacePaths.RealPath(Path.GetFullPath(directory));
        }
        catch (IOException)
        {
            return directory;
        }
    }
}
