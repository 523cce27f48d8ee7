using System.Diagnostics;
using AgentHost.Sdk.Tools;

namespace AgentHost.Common.Processes;

/// <summary>
/// Keeps a sandbox's <see cref="ProcessSandbox.AbsentPaths"/> from being made by the process (bubblewrap can hold a
/// path only with a mount, and a mount needs something there): a folder (its path ends with <c>/</c>) is made empty
/// before the process starts, so that the backend binds it read-only; so is a git file whose neutral content is known
/// (<c>commondir</c> naming the git folder itself, <c>.</c>, and an empty <c>config.worktree</c>: git reads both as if
/// they were absent), left in place afterwards like the folders. Any other file (<c>.mcp.json</c>: an empty or made-up
/// one would change what the agent and other tools read) is watched: one that did not exist when the process started
/// and exists when it ends is renamed aside to <c>NAME.sandbox-created</c>, where neither git nor the agent reads it.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
internal static class AbsentPlaces
{
    /// <summary>The suffix of a file renamed aside.</summary>
    public const string CreatedSuffix = ".sandbox-created";

    /// <summary>Whether an entry names a folder (it ends with <c>/</c>).</summary>
    /// <param name="entry">An entry of <see cref="ProcessSandbox.AbsentPaths"/>.</param>
    /// <returns>Whether it is a folder.</returns>
    public static bool IsFolder(string entry) => entry.EndsWith('/');

    /// <summary>The entry's path without the folder mark.</summary>
    /// <param name="entry">An entry.</param>
    /// <returns>The path.</returns>
    public static string Trim(string entry) => entry.Length > 1 ? entry.TrimEnd('/') : entry;

    /// <summary>The files git reads the same whether absent or holding this content, by name.</summary>
    private static readonly Dictionary<string, string> NeutralFiles = new(StringComparer.Ordinal)
    {
        // The common folder is the git folder itself: where git looks without the file.
        ["commondir"] = ".\n",

        // An empty configuration (read only with extensions.worktreeConfig).
        ["config.worktree"] = string.Empty,
    };

    /// <summary>
    /// Makes each absent folder, empty, and each absent file with a neutral content (<see cref="NeutralFiles"/>), so that
    /// the backend binds them read-only; one that cannot be made is left absent.
    /// </summary>
    /// <param name="sandbox">The sandbox.</param>
    public static void MakePlaces(ProcessSandbox sandbox)
    {
        foreach (var entry in sandbox.AbsentPaths.Where(entry => IsFolder(entry) || NeutralFiles.ContainsKey(Path.GetFileName(entry))))
        {
            var path = Trim(entry);
            if (Exists(path) || !Directory.Exists(Path.GetDirectoryName(path)))
            {
                continue;
            }

            try
            {
                if (IsFolder(entry))
                {
                    Directory.CreateDirectory(path);
                }
                else
                {
                    using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
                    file.Write(System.Text.Encoding.UTF8.GetBytes(NeutralFiles[Path.GetFileName(path)]));
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // A folder the host cannot write (the process cannot either), or the file was made meanwhile.
            }
        }
    }

    /// <summary>The absent files of <paramref name="sandbox"/> that do not exist now (read before its process starts).</summary>
    /// <param name="sandbox">The sandbox.</param>
    /// <returns>Their paths.</returns>
    public static string[] AbsentFiles(ProcessSandbox sandbox) => [.. sandbox.AbsentPaths.Where(entry => !IsFolder(entry)).Where(path => !Exists(path))];

    /// <summary>Renames each of <paramref name="paths"/> that exists now (a file, a link or a folder) to <c>NAME.sandbox-created</c>.</summary>
    /// <param name="paths">The paths.</param>
    public static void MoveAside(IEnumerable<string> paths)
    {
        foreach (var path in paths.Where(Exists))
        {
            var aside = path + CreatedSuffix;
            try
            {
                if (Exists(aside))
                {
                    Remove(aside);
                }

                if (Directory.Exists(path) && new DirectoryInfo(path).LinkTarget is null)
                {
                    Directory.Move(path, aside);
                }
                else
                {
                    File.Move(path, aside);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Another process moved it first, or the folder is not the host's to change.
            }
        }
    }

    private static void Remove(string path)
    {
        if (Directory.Exists(path) && new DirectoryInfo(path).LinkTarget is null)
        {
            Directory.Delete(path, recursive: true);
        }
        else
        {
            File.Delete(path);
        }
    }

    /// <summary>Whether something is at <paramref name="path"/>, a dangling link included.</summary>
    private static bool Exists(string path) => Path.Exists(path) || new FileInfo(path).LinkTarget is not null;
}
