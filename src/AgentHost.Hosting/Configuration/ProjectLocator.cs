using System.Runtime.InteropServices;
namespace AgentHost.Hosting.Configuration;

/// <summary>Where the current project is.</summary>
/// <param name="Root">
/// The directory that holds the <c>.agent/</c> folder found (the one with the config file, if any), otherwise the git
/// root, otherwise the current directory.
/// </param>
/// <param name="GitRoot">The nearest directory at or above the current one that contains a <c>.git</c> entry.</param>
/// <param name="ConfigFile">The project config file found, or <see langword="null"/>.</param>
public sealed record ProjectLocation(string Root, string? GitRoot, string? ConfigFile)
{
    /// <summary>The project config file, or where it would be created.</summary>
    public string ConfigFileOrDefault => ConfigFile ?? Path.Combine(Root, ProjectLocator.AgentFolderName, ProjectLocator.ConfigFileName);
}

/// <summary>Finds the project: walks up from the current directory, never above the git root.</summary>
/// <remarks>
/// The nearest <c>.agent/config.yaml</c> wins. The walk checks the git root (the first directory with a <c>.git</c>
/// file or folder) and stops there. Outside a git repository it stops below the home directory, whose
/// <c>.agent/</c> is not a project, and at the file-system root. Reads the file system only; parses nothing.
/// </remarks>
public static class ProjectLocator
{
    /// <summary>The project folder name.</summary>
    public const string AgentFolderName = ".agent";

    /// <summary>The config file name, in the project folder and in the global config folder.</summary>
    public const string ConfigFileName = "config.yaml";

    /// <summary>Locates the project of an environment's current directory.</summary>
    /// <param name="environment">The environment.</param>
    /// <returns>The location.</returns>
    public static ProjectLocation Locate(HostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var comparison = environment.Platform == OSPlatform.Windows ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        var start = Path.TrimEndingDirectorySeparator(Path.GetFullPath(environment.CurrentDirectory));
        var home = string.IsNullOrEmpty(environment.HomeDirectory)
            ? null
            : Path.TrimEndingDirectorySeparator(Path.GetFullPath(environment.HomeDirectory));
        string? configFile = null;
        string? configRoot = null;
        string? agentRoot = null;
        string? gitRoot = null;
        for (var directory = start; directory is not null; directory = Path.GetDirectoryName(directory))
        {
            var isGitRoot = Path.Exists(Path.Combine(directory, ".git"));
            if (!isGitRoot && home is not null && string.Equals(directory, home, comparison))
            {
                break;
            }

            var agentFolder = Path.Combine(directory, AgentFolderName);
            if (Directory.Exists(agentFolder))
            {
                agentRoot ??= directory;
                var candidate = Path.Combine(agentFolder, ConfigFileName);
                if (configFile is null && File.Exists(candidate))
                {
                    configFile = candidate;
                    configRoot = directory;
                }
            }

            if (isGitRoot)
            {
                gitRoot = directory;
                break;
            }
        }

        return new ProjectLocation(configRoot ?? agentRoot ?? gitRoot ?? start, gitRoot, configFile);
    }
}
