using AgentHost.Common.Processes;

namespace AgentHost.Hosting;

/// <summary>
/// Finds executables as the host runs them (see <see cref="ProgramSearch"/>): a name only in the absolute entries of
/// <c>PATH</c> (with <c>PATHEXT</c> on Windows), never in the working directory, a relative entry or the project; an
/// absolute path as it is.
/// </summary>
public static class ExecutableLocator
{
    /// <summary>Returns the full path of <paramref name="command"/>, or <see langword="null"/> when not found.</summary>
    /// <param name="command">A command name or an absolute path (a relative path is never found).</param>
    /// <param name="environment">The environment whose <c>PATH</c> is searched; its current directory (the project) is never searched.</param>
    /// <returns>The path, or <see langword="null"/>.</returns>
    public static string? Find(string command, HostEnvironment environment)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(command);
        ArgumentNullException.ThrowIfNull(environment);
        return ProgramSearch.Find(command, environment.Get("PATH") ?? string.Empty, [environment.CurrentDirectory], environment.Get("PATHEXT"));
    }
}
