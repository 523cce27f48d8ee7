namespace AgentHost.Sdk.Tools;

/// <summary>
/// Resolves user- or model-supplied paths against a workspace root and keeps them inside it: <c>..</c>, absolute
/// paths and symbolic links (in any component) are resolved before the check; comparison ignores case on Windows and
/// macOS, where the file system does.
/// </summary>
public sealed partial class WorkspacePaths
{
    private static readonly StringComparison PathComparison =
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    /// <summary>Creates the resolver.</summary>
    /// <param name="root">The workspace root (resolved to its real path).</param>
    public WorkspacePaths(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        Root = RealPath(Path.GetFullPath(root));
    }

    /// <summary>The real path of the workspace root.</summary>
    public string Root { get; }

    /// <summary>Resolves <paramref name="path"/> (relative to the root, or absolute) to its real path when it is inside the root.</summary>
    /// <param name="path">The path.</param>
    /// <returns>The real full path, or <see langword="null"/> when it leaves the root.</returns>
    public string? Resolve(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var real = RealPath(Path.GetFullPath(path, Root));
        return IsInside(real) ? real : null;
    }

    /// <summary>The path relative to the root, with <c>/</c> separators.</summary>
    /// <param name="fullPath">A path inside the root.</param>
    /// <returns>The relative path (<c>.</c> for the root).</returns>
    public string Relative(string fullPath) => Path.GetRelativePath(Root, fullPath).Replace('\\', '/');

    private bool IsInside(string real) =>
        real.Equals(Root, PathComparison)
        || (real.StartsWith(Root, PathComparison) && (real[Root.Length] == Path.DirectorySeparatorChar || Root.EndsWith(Path.DirectorySeparatorChar)));

    /// <summary>Resolves symbolic links in every component of a full path (like <c>realpath</c>), dangling links included.</summary>
    /// <param name="fullPath">An absolute, normalised path.</param>
    /// <returns>The real path; components that do not exist are kept as written.</returns>
    /// <exception cref="IOException">Links nest more than 40 levels (a cycle).</exception>
    public static string RealPath(string fullPath) => RealPath(fullPath, 0);

    private static string RealPath(string fullPath, int depth)
    {
        if (depth > 40)
        {
            throw new IOException($"too many levels of symbolic links resolving {fullPath}");
        }

        var root = Path.GetPathRoot(fullPath)!;
        var current = root;
        var parts = fullPath[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < parts.Length; i++)
        {
            var next = Path.Combine(current, parts[i]);
            var linkTarget = new FileInfo(next).LinkTarget;
            if (linkTarget is not null)
            {
                // Follow the link (relative targets are relative to the link's folder), then resolve the result again.
                next = RealPath(Path.GetFullPath(linkTarget, current), depth + 1);
            }
            else if (!Directory.Exists(next) && !File.Exists(next))
            {
                return Path.Combine([next, .. parts[(i + 1)..]]);
            }

            current = next;
        }

        return current;
    }
}
