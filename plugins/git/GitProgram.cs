using AgentHost.Common.Processes;
using AgentHost.Sdk.Tools;

namespace AgentHost.Plugins.Git;

/// <summary>
/// Finds the git executable through the host's program search (<see cref="ProgramSearch"/>): a name only in the
/// absolute PATH entries and never a file inside the project — .NET would also try the current directory, where a
/// cloned repository could have put a program named <c>git</c> that every read tool would then run without asking.
/// </summary>
internal static class GitProgram
{
    public const string DefaultName = "git";

    /// <summary>Resolves the configured (or default) git program to a full path.</summary>
    /// <param name="configured">The <c>program</c> setting, or <see langword="null"/>.</param>
    /// <param name="paths">The project root; programs inside it are refused.</param>
    /// <returns>The full path of the program.</returns>
    /// <exception cref="ToolException">git is missing, or the configured program is inside the project.</exception>
    public static string Resolve(string? configured, WorkspacePaths paths)
    {
        if (configured is not null && Path.IsPathFullyQualified(configured))
        {
            if (!ProgramSearch.IsExecutable(configured))
            {
                throw new ToolException($"git was not found at '{configured}' (setting {GitSettings.Prefix}program); install git there or fix the setting.");
            }

            if (paths.Resolve(configured) is not null || ProgramSearch.IsInside(configured, [paths.Root]))
            {
                throw new ToolException(
                    $"the git program '{configured}' (setting {GitSettings.Prefix}program) is inside the project, which could have supplied it; use a git installed outside the project.");
            }

            return configured;
        }

        var name = configured ?? DefaultName;
        if (ProgramSearch.Find(name, refusedRoots: [paths.Root]) is { } found)
        {
            return found;
        }

        throw new ToolException(configured is null
            ? $"git is not installed or not on PATH (only absolute PATH entries outside the project are searched); install git (https://git-scm.com/downloads), or set {GitSettings.Prefix}program to its full path."
            : $"git is not installed or not on PATH: '{configured}' (setting {GitSettings.Prefix}program) was not found in the absolute PATH entries outside the project; install git, or set the setting to git's full path.");
    }
}
