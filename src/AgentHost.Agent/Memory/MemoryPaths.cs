namespace AgentHost.Agent.Memory;

/// <summary>Path comparisons for memory files: case-insensitive on Windows and macOS, ordinal elsewhere.</summary>
internal static class MemoryPaths
{
    public static StringComparison Comparison { get; } =
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    public static StringComparer Comparer { get; } =
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;

    /// <summary>An absolute path without a trailing separator (a drive or file-system root keeps its own).</summary>
    public static string Full(string path, string? baseDirectory = null) =>
        Path.TrimEndingDirectorySeparator(baseDirectory is null ? Path.GetFullPath(path) : Path.GetFullPath(path, baseDirectory));

    /// <summary>Whether <paramref name="path"/> is <paramref name="folder"/> or inside it (both full, as <see cref="Full"/> gives them).</summary>
    public static bool IsInside(string folder, string path)
    {
        if (path.Equals(folder, Comparison))
        {
            return true;
        }

        var prefix = Path.EndsInDirectorySeparator(folder) ? folder : folder + Path.DirectorySeparatorChar;
        return path.StartsWith(prefix, Comparison);
    }

    /// <summary>A path relative to the root with <c>/</c> separators (the same text on every OS).</summary>
    public static string Relative(string root, string path) =>
        Path.GetRelativePath(root, path).Replace(Path.DirectorySeparatorChar, '/');

    /// <summary>Where a file really is: the final target of a symbolic link, else the file itself.</summary>
    public static string RealPath(string fullPath)
    {
        try
        {
            var info = new FileInfo(fullPath);
            return info.LinkTarget is null ? fullPath : Full(info.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? fullPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return fullPath;
        }
    }
}
