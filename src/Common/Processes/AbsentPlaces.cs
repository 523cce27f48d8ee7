using System.Diagnostics;
using AgentHost.Sdk.Tools;

namespace AgentHost.Common.Processes;

/// <summary>
/// Keeps a sandbox's <see cref="ProcessSandbox.AbsentPaths"/> from being made by the process: a folder (its path ends
/// with <c>/</c>) is made empty before the process starts, so that the backend binds it read-only; a file is watched:
/// one that did not exist when the process started and exists when it ends is renamed aside to
/// <c>NAME.sandbox-created</c>, where neither git nor the agent reads it. A file cannot be held absent by a mount: an
/// empty file in its place would change what git (<c>commondir</c>) or the agent (<c>.mcp.json</c>) reads.
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

    /// <summary>Makes each absent folder, empty (the backend then binds it read-only); one that cannot be made is left absent.</summary>
    /// <param name="sandbox">The sandbox.</param>
    public static void MakeFolders(ProcessSandbox sandbox)
    {
        foreach (var path in sandbox.AbsentPaths.Where(IsFolder).Select(Trim).Where(path => !Path.Exists(path) && Directory.Exists(Path.GetDirectoryName(path))))
        {
            try
            {
                Directory.CreateDirectory(path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // A folder the host cannot write: the process cannot either.
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
