using System.Runtime.InteropServices;
using AgentHost.Hosting;
using AgentHost.Hosting.Trust;
namespace AgentHost.Permissions.Paths;

/// <summary>
/// The places whose content widens what the agent may do, so that a model's write there always asks a person:
/// the agent's configuration (the project's <c>.agent/</c> folder, the global configuration folder, the trust list,
/// installed plugins and their lockfile), skill folders (project and user) and git hook folders (<c>.husky/</c> and
/// the folder <c>core.hooksPath</c> names). The project's places are found from the engine's root; this object holds
/// the user's (global) places.
/// </summary>
/// <remarks>
/// Immutable and thread-safe. <see cref="Default"/> derives the user's places from the home directory alone (XDG and
/// <c>AGENT_HOME</c> defaults); <see cref="FromEnvironment"/> honours the environment as the host does.
/// </remarks>
public sealed class ProtectedPaths
{
    private ProtectedPaths(IReadOnlyList<ProtectedArea> areas, string? globalConfigDirectory)
    {
        Areas = areas;
        GlobalConfigDirectory = globalConfigDirectory;
    }

    /// <summary>The user's protected places: absolute folders or files, each with why it is protected.</summary>
    internal IReadOnlyList<ProtectedArea> Areas { get; }

    /// <summary>The global configuration folder: explicit allow rules read from a file in it may pre-approve protected writes.</summary>
    public string? GlobalConfigDirectory { get; }

    /// <summary>The user's places for a home directory, with the default XDG folders.</summary>
    /// <param name="homeDirectory">The home directory.</param>
    /// <returns>The places.</returns>
    public static ProtectedPaths Default(string homeDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(homeDirectory);
        var platform = OperatingSystem.IsWindows() ? OSPlatform.Windows : OperatingSystem.IsMacOS() ? OSPlatform.OSX : OSPlatform.Linux;
        var environment = new HostEnvironment(new Dictionary<string, string>(StringComparer.Ordinal), homeDirectory, homeDirectory, platform);
        return FromEnvironment(environment);
    }

    /// <summary>The user's places as the host finds them (<c>AGENT_HOME</c>, <c>XDG_CONFIG_HOME</c>, <c>AGENT_SKILLS_DIR</c>, …).</summary>
    /// <param name="environment">The environment.</param>
    /// <returns>The places.</returns>
    public static ProtectedPaths FromEnvironment(HostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var paths = AgentPaths.Resolve(environment);
        List<ProtectedArea> areas =
        [
            new(paths.ConfigDirectory, "agent configuration (the global configuration folder)"),
            new(Path.Combine(paths.DataDirectory, ProjectTrust.FileName), "agent configuration (the list of trusted projects)"),
            new(paths.PluginsDirectory, "agent configuration (installed plugins)"),
            new(paths.LockFile, "agent configuration (the plugin lockfile)"),
            new(paths.PluginVerifiedDirectory, "agent configuration (the record of verified plugin files)"),
            new(paths.PluginSnapshotFile, "agent configuration (the snapshot of lazily activated plugins' tools)"),
            new(paths.SkillParseCacheFile, "agent configuration (the skills' parse cache)"),
            .. UserSkillFolders.Resolve(environment).Select(folder => new ProtectedArea(folder.Path, "skills (a user skill folder)")),
        ];
        return new ProtectedPaths([.. areas.Select(area => area with { Path = Path.TrimEndingDirectorySeparator(Path.GetFullPath(area.Path)) })], paths.ConfigDirectory);
    }
}

/// <summary>One protected place.</summary>
/// <param name="Path">The absolute folder or file: it, everything inside it and every folder above it are protected.</param>
/// <param name="Reason">Why, as shown after <c>protected:</c>.</param>
internal sealed record ProtectedArea(string Path, string Reason);
