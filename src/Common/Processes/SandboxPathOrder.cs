namespace AgentHost.Common.Processes;

/// <summary>
/// How both sandbox backends compare the places of a <see cref="AgentHost.Sdk.Tools.ProcessSandbox"/>: by depth, so that
/// the deepest place decides (bubblewrap mounts shallowest first; the Seatbelt profile writes its rules shallowest first
/// and its last matching rule wins), and by folder containment on whole path segments.
/// </summary>
/// <remarks>Stateless and thread-safe; paths are absolute and already resolved (<c>Real</c>).</remarks>
internal static class SandboxPathOrder
{
    /// <summary>Whether <paramref name="path"/> is <paramref name="folder"/> or lies inside it (whole segments: <c>/a/bc</c> is not inside <c>/a/b</c>).</summary>
    /// <param name="path">The path.</param>
    /// <param name="folder">The folder.</param>
    /// <returns>Whether it is inside.</returns>
    public static bool IsInside(string path, string folder) =>
        path.StartsWith(folder, StringComparison.Ordinal)
        && (path.Length == folder.Length || folder.EndsWith('/') || path[folder.Length] == '/');

    /// <summary>Whether <paramref name="path"/> lies strictly inside <paramref name="folder"/>.</summary>
    /// <param name="path">The path.</param>
    /// <param name="folder">The folder.</param>
    /// <returns>Whether it is inside and not the folder itself.</returns>
    public static bool IsStrictlyInside(string path, string folder) => path.Length > folder.Length && IsInside(path, folder);

    /// <summary>How deep <paramref name="path"/> lies: a folder's depth is less than that of every path inside it.</summary>
    /// <param name="path">The path.</param>
    /// <returns>Its depth.</returns>
    public static int Depth(string path) => path.Count(c => c == '/') - (path.Length > 1 && path.EndsWith('/') ? 1 : 0);

    /// <summary>The folders above <paramref name="path"/>, nearest first, down to <paramref name="top"/> included (which must contain it).</summary>
    /// <param name="path">The path.</param>
    /// <param name="top">The outermost folder to name.</param>
    /// <returns>The folders.</returns>
    public static IEnumerable<string> AncestorsUpTo(string path, string top)
    {
        for (var folder = Path.GetDirectoryName(path); folder is not null && IsInside(folder, top); folder = Path.GetDirectoryName(folder))
        {
            yield return folder;
        }
    }
}
