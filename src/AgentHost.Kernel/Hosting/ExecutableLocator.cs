namespace AgentHost.Kernel.Hosting;

/// <summary>Finds executables on <c>PATH</c> the way a shell would (with <c>PATHEXT</c> on Windows).</summary>
public static class ExecutableLocator
{
    /// <summary>Returns the full path of <paramref name="command"/>, or <see langword="null"/> when not found.</summary>
    /// <param name="command">A command name or path.</param>
    /// <param name="environment">The environment whose <c>PATH</c> is searched.</param>
    /// <returns>The path, or <see langword="null"/>.</returns>
    public static string? Find(string command, HostEnvironment environment)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(command);
        ArgumentNullException.ThrowIfNull(environment);
        var windows = OperatingSystem.IsWindows();
        var extensions = windows
            ? (environment.Get("PATHEXT") ?? ".EXE;.CMD;.BAT;.COM").Split(';', StringSplitOptions.RemoveEmptyEntries).Prepend(string.Empty).ToArray()
            : [string.Empty];
        if (command.Contains(Path.DirectorySeparatorChar, StringComparison.Ordinal) || command.Contains(Path.AltDirectorySeparatorChar, StringComparison.Ordinal))
        {
            var full = Path.GetFullPath(command, environment.CurrentDirectory);
            return extensions.Select(e => full + e).FirstOrDefault(File.Exists);
        }

        foreach (var directory in (environment.Get("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
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
