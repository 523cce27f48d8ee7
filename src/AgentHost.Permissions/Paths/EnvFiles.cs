namespace AgentHost.Permissions.Paths;

/// <summary>
/// The project's environment files the sandbox hides from what the model runs (docs/sandbox.md): regular files named
/// <c>.env</c> or <c>.env.*</c> (<c>.env.local</c>, <c>.env.production</c>) at any depth of a folder, except the
/// conventional templates <c>.env.example</c>, <c>.env.sample</c> and <c>.env.template</c>. A folder named
/// <c>.env</c> (a Python virtual environment) is not one. The walk follows symbolic links to folders (a <c>.env</c>
/// reached through a linked folder is the linked folder's file, found at its real path; each real folder is walked
/// once, at most <see cref="MaxFolders"/> folders in all) and skips <c>.git</c> and <c>node_modules</c>.
/// </summary>
/// <remarks>Stateless and thread-safe; the walk reads the file system each time (files made later are not found).</remarks>
internal static class EnvFiles
{
    private static readonly string[] Templates = [".env.example", ".env.sample", ".env.template"];

    private static readonly string[] Skipped = [".git", "node_modules"];

    /// <summary>The most folders one walk reads (a link to <c>/</c> must not walk the machine).</summary>
    public const int MaxFolders = 20_000;

    private static readonly EnumerationOptions Listing = new()
    {
        RecurseSubdirectories = false,
        IgnoreInaccessible = true,
        AttributesToSkip = 0,
        ReturnSpecialDirectories = false,
    };

    /// <summary>Whether <paramref name="name"/> is an environment file's name.</summary>
    /// <param name="name">A file name.</param>
    /// <returns>Whether it counts.</returns>
    public static bool IsEnvName(string name) =>
        (name == ".env" || (name.StartsWith(".env.", StringComparison.Ordinal) && name.Length > 5))
        && !Templates.Contains(name, StringComparer.Ordinal);

    /// <summary>The environment files under <paramref name="folder"/> (absolute paths, as found).</summary>
    /// <param name="folder">A folder (absolute).</param>
    /// <returns>The files.</returns>
    public static IEnumerable<string> Under(string folder)
    {
        if (!Directory.Exists(folder))
        {
            yield break;
        }

        var pending = new Stack<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        pending.Push(folder);
        while (pending.TryPop(out var current))
        {
            if (!seen.Add(AgentHost.Sdk.Tools.WorkspacePaths.RealPath(current)) || seen.Count > MaxFolders)
            {
                continue;
            }

            IEnumerable<FileSystemInfo> entries;
            try
            {
                entries = [.. new DirectoryInfo(current).EnumerateFileSystemInfos("*", Listing)];
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            foreach (var entry in entries)
            {
                if (entry.Attributes.HasFlag(FileAttributes.Directory))
                {
                    if (!Skipped.Contains(entry.Name, StringComparer.Ordinal))
                    {
                        pending.Push(entry.FullName);
                    }
                }
                else if (IsEnvName(entry.Name) && (entry.LinkTarget is null || File.Exists(entry.FullName)))
                {
                    yield return entry.FullName;
                }
            }
        }
    }
}
