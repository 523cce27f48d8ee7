namespace AgentHost.Plugins.Lsp.Servers;

/// <summary>Finds an executable on <c>PATH</c> like a shell does (with <c>PATHEXT</c> on Windows).</summary>
internal static class ExecutableSearch
{
    /// <summary>The full path of <paramref name="command"/>, or <see langword="null"/>.</summary>
    /// <param name="command">A name, or a path (relative paths resolve against <paramref name="workingDirectory"/>).</param>
    /// <param name="path">The <c>PATH</c> value; the process's when <see langword="null"/>.</param>
    /// <param name="workingDirectory">Where relative paths start.</param>
    public static string? Find(string command, string? path = null, string? workingDirectory = null)
    {
        var extensions = OperatingSystem.IsWindows()
            ? (Environment.GetEnvironmentVariable("PATHEXT") ?? ".EXE;.CMD;.BAT;.COM").Split(';', StringSplitOptions.RemoveEmptyEntries).Prepend(string.Empty).ToArray()
            : [string.Empty];
        if (command.Contains('/', StringComparison.Ordinal) || command.Contains(Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            var full = Path.GetFullPath(command, workingDirectory ?? Environment.CurrentDirectory);
            return extensions.Select(e => full + e).FirstOrDefault(File.Exists);
        }

        foreach (var directory in (path ?? Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var extension in extensions)
            {
                var candidate = Path.Combine(directory, command + extension);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }
}
