using AgentHost.Sdk.Tools;

namespace AgentHost.Plugins.Git;

/// <summary>
/// Finds the git executable. A name is looked up on PATH by the plugin itself — absolute PATH entries only, and never a
/// file inside the project — because .NET would also try the current directory, where a cloned repository could have
/// put a program named <c>git</c> that every read tool would then run without asking.
/// </summary>
internal static class GitProgram
{
    public const string DefaultName = "git";

    /// <summary>Resolves the configured (or default) git program to a full path.</summary>
    /// <param name="configured">The <c>program</c> setting, or <see langword="null"/>.</param>
    /// <param name="paths">The project root; programs inside it are refused.</param>
    /// <returns>The full path of the program.</returns>
    /// <exception cref="ToolFailure">git is missing, or the configured program is inside the project.</exception>
    public static string Resolve(string? configured, WorkspacePaths paths)
    {
        if (configured is not null && Path.IsPathFullyQualified(configured))
        {
            if (!File.Exists(configured))
            {
                throw new ToolFailure($"git was not found at '{configured}' (setting {GitSettings.Prefix}program); install git there or fix the setting.");
            }

            if (paths.Resolve(configured) is not null)
            {
                throw new ToolFailure(
                    $"the git program '{configured}' (setting {GitSettings.Prefix}program) is inside the project, which could have supplied it; use a git installed outside the project.");
            }

            return configured;
        }

        var name = configured ?? DefaultName;
        foreach (var candidate in Candidates(name))
        {
            if (IsExecutable(candidate) && paths.Resolve(candidate) is null)
            {
                return candidate;
            }
        }

        throw new ToolFailure(configured is null
            ? $"git is not installed or not on PATH; install git (https://git-scm.com/downloads), or set {GitSettings.Prefix}program to its full path."
            : $"git is not installed or not on PATH: '{configured}' (setting {GitSettings.Prefix}program) was not found; install git, or set the setting to git's full path.");
    }

    private static IEnumerable<string> Candidates(string name)
    {
        var directories = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(entry => entry.Trim('"'))
            .Where(Path.IsPathFullyQualified);
        var extensions = OperatingSystem.IsWindows() && !Path.HasExtension(name)
            ? (Environment.GetEnvironmentVariable("PATHEXT") ?? ".COM;.EXE;.BAT;.CMD").Split(';', StringSplitOptions.RemoveEmptyEntries)
            : [string.Empty];
        foreach (var directory in directories)
        {
            foreach (var extension in extensions)
            {
                yield return Path.Combine(directory, name + extension);
            }
        }
    }

    private static bool IsExecutable(string path)
    {
        if (!File.Exists(path))
        {
            return false;
        }

        if (OperatingSystem.IsWindows())
        {
            return true;
        }

        const UnixFileMode anyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        try
        {
            return (File.GetUnixFileMode(path) & anyExecute) != 0;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}
