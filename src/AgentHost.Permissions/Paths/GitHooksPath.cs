namespace AgentHost.Permissions.Paths;

/// <summary>
/// The git hooks folder a repository's configuration names (<c>core.hooksPath</c>), read as text without running git:
/// a protected place of the <see cref="PathSandbox"/>.
/// </summary>
internal static class GitHooksPath
{
    private const int MaxGitConfigBytes = 1024 * 1024;

    /// <summary>
    /// The folder <c>core.hooksPath</c> names in the repository's <c>.git/config</c> (read as text; git is not run),
    /// or <see langword="null"/>. Relative values are relative to the working tree; <c>~/</c> is the home directory.
    /// </summary>
    public static string? Read(string root, string home)
    {
        try
        {
            if (Find(root) is not { } repository || HooksPathValue(Path.Combine(repository.Common, "config")) is not { } value)
            {
                return null;
            }

            var expanded = value == "~" ? home : value.StartsWith("~/", StringComparison.Ordinal) ? Path.Combine(home, value[2..]) : value;
            var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(expanded, repository.WorkTree));
            return PathSandbox.RealPathOrSelf(full);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            // An unreadable repository has no hooks folder we can name; .git/hooks stays under the safety floor.
            return null;
        }
    }

    /// <summary>
    /// The git folder of the repository holding <paramref name="root"/> and its common folder (a linked worktree's
    /// main <c>.git</c>), found as <see cref="Read"/> finds them; empty outside a repository.
    /// </summary>
    /// <param name="root">The working tree's root or a folder inside it.</param>
    /// <returns>The folders (one when they are the same).</returns>
    public static IReadOnlyList<string> GitDirectories(string root)
    {
        try
        {
            return Find(root) is not { } repository ? []
                : repository.Common == repository.GitDirectory ? [repository.GitDirectory]
                : [repository.GitDirectory, repository.Common];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            // An unreadable repository: nothing to name.
            return [];
        }
    }

    /// <summary>
    /// The nearest repository at or above <paramref name="root"/>: the folder holding <c>.git</c>, its git folder (a
    /// linked worktree's <c>gitdir:</c> followed) and its common folder (<c>commondir</c>); <see langword="null"/> outside one.
    /// </summary>
    private static (string WorkTree, string GitDirectory, string Common)? Find(string root)
    {
        for (var directory = root; directory is not null; directory = Path.GetDirectoryName(directory))
        {
            var dotGit = Path.Combine(directory, ".git");
            var gitDirectory = Directory.Exists(dotGit) ? dotGit : File.Exists(dotGit) ? LinkedGitDirectory(dotGit, directory) : null;
            if (gitDirectory is null)
            {
                continue;
            }

            var commonFile = Path.Combine(gitDirectory, "commondir");
            var common = File.Exists(commonFile) ? Path.GetFullPath(File.ReadAllText(commonFile).Trim(), gitDirectory) : gitDirectory;
            return (directory, gitDirectory, common);
        }

        return null;
    }

    private static string? LinkedGitDirectory(string dotGitFile, string directory)
    {
        var text = File.ReadAllText(dotGitFile).Trim();
        return text.StartsWith("gitdir:", StringComparison.OrdinalIgnoreCase) ? Path.GetFullPath(text["gitdir:".Length..].Trim(), directory) : null;
    }

    /// <summary>The last <c>hooksPath</c> of the <c>[core]</c> section (git's "last one wins"), unquoted.</summary>
    private static string? HooksPathValue(string configFile)
    {
        var info = new FileInfo(configFile);
        if (!info.Exists || info.Length > MaxGitConfigBytes)
        {
            return null;
        }

        string? value = null;
        var inCore = false;
        foreach (var raw in File.ReadLines(configFile))
        {
            var line = raw.Trim();
            if (line.StartsWith('['))
            {
                var end = line.IndexOf(']', StringComparison.Ordinal);
                var section = end < 0 ? line[1..] : line[1..end];
                inCore = section.Trim().Equals("core", StringComparison.OrdinalIgnoreCase);
                line = end < 0 ? string.Empty : line[(end + 1)..].Trim();
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (!inCore || equals < 0 || !line[..equals].Trim().Equals("hooksPath", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            value = ConfigValue(line[(equals + 1)..]);
        }

        return value is { Length: > 0 } ? value : null;
    }

    private static string ConfigValue(string text)
    {
        var result = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (!quoted && c is '#' or ';')
            {
                break;
            }
            else if (c == '\\' && i + 1 < text.Length)
            {
                result.Append(text[++i] switch { 'n' => '\n', 't' => '\t', var other => other });
            }
            else
            {
                result.Append(c);
            }
        }

        return result.ToString().Trim();
    }
}
