using AgentHost.Hosting;
using AgentHost.Hosting.Capabilities;
using AgentHost.Hosting.Configuration;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Loading;
using AgentHost.Sdk.Capabilities;

namespace AgentHost.Agent.Skills;

/// <summary>
/// The folders searched for skills, in precedence order (earlier shadows later): project, user, <c>skills.paths</c>,
/// plugins, built-in. See docs/skills.md.
/// </summary>
public static class SkillLocations
{
    /// <summary>The project skill folders looked for in each directory, in this order (<see cref="ProjectSkillFolders.All"/>).</summary>
    public static IReadOnlyList<string> ProjectFolders => ProjectSkillFolders.All;

    /// <summary>The configuration key listing extra skill folders.</summary>
    public const string PathsKey = "skills.paths";

    /// <summary>The configuration key that turns skills off.</summary>
    public const string EnabledKey = "skills.enabled";

    /// <summary>The configuration key listing skill names that are never offered or activated.</summary>
    public const string DisabledKey = "skills.disabled";

    /// <summary>The skill names <c>skills.disabled</c> lists (every layer's entries).</summary>
    /// <param name="configuration">The configuration.</param>
    /// <returns>The names.</returns>
    public static IReadOnlySet<string> Disabled(ConfigurationSnapshot configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return configuration.Entries.Where(e => ConfigKeys.IsUnder(e.Key, DisabledKey) && e.Value.Trim().Length > 0)
            .Select(e => e.Value.Trim()).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Every root for a run.</summary>
    /// <param name="configuration">The effective configuration (<c>skills.paths</c>, the git root).</param>
    /// <param name="environment">The environment (home, <c>AGENT_SKILLS_DIR</c>, XDG and Windows folders).</param>
    /// <param name="workingDirectory">Where project skills are looked for first (then each parent up to the git root).</param>
    /// <param name="registry">Plugin-contributed skill folders, when plugins are loaded.</param>
    /// <param name="builtInDirectory">The built-in skills folder; <see cref="AgentPaths.BuiltInSkillsDirectory"/> when <see langword="null"/>.</param>
    /// <returns>The roots, without duplicates (the first mention of a folder wins).</returns>
    public static IReadOnlyList<SkillRoot> All(
        ConfigurationSnapshot configuration, HostEnvironment environment, string workingDirectory, CapabilityRegistry? registry = null, string? builtInDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(environment);
        IEnumerable<SkillRoot> roots =
        [
            .. Project(workingDirectory, configuration.GitRoot ?? configuration.ProjectRoot),
            .. User(environment),
            .. FromConfiguration(configuration, environment.HomeDirectory),
            .. registry is null ? [] : FromRegistry(registry),
            new SkillRoot(builtInDirectory ?? AgentPaths.BuiltInSkillsDirectory(), SkillSource.BuiltIn, "built-in"),
        ];
        return Distinct(roots);
    }

    /// <summary>Whether skills are on (<c>skills.enabled</c>, default <see langword="true"/>).</summary>
    /// <param name="configuration">The configuration.</param>
    /// <returns>Whether to discover skills.</returns>
    public static bool IsEnabled(ConfigurationSnapshot configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return !bool.TryParse(configuration.Get(EnabledKey), out var enabled) || enabled;
    }

    /// <summary>The project folders: each of <see cref="ProjectFolders"/> in the working directory, then in each parent up to <paramref name="stopAt"/>.</summary>
    /// <param name="workingDirectory">The first directory.</param>
    /// <param name="stopAt">The last directory (the git root); when the working directory is not inside it, only the working directory is searched.</param>
    /// <returns>The roots.</returns>
    public static IEnumerable<SkillRoot> Project(string workingDirectory, string? stopAt)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(workingDirectory);
        var current = Path.GetFullPath(workingDirectory);
        var last = stopAt is null ? null : Path.TrimEndingDirectorySeparator(Path.GetFullPath(stopAt));
        var inside = last is not null && (current == last || current.StartsWith(last + Path.DirectorySeparatorChar, StringComparison.Ordinal));
        for (var directory = current; directory is not null; directory = Path.GetDirectoryName(directory))
        {
            for (var i = 0; i < ProjectFolders.Count; i++)
            {
                var thirdParty = i >= ProjectSkillFolders.OwnCount;
                yield return new SkillRoot(Path.Combine(directory, ProjectFolders[i]), SkillSource.Project, thirdParty ? $"project ({ProjectFolders[i]})" : "project")
                {
                    FromProject = true,
                    ThirdParty = thirdParty,
                };
            }

            if (!inside || Path.TrimEndingDirectorySeparator(directory) == last)
            {
                yield break;
            }
        }
    }

    /// <summary>
    /// The user folders: <c>$AGENT_SKILLS_DIR</c>, <c>$XDG_CONFIG_HOME/agents/skills</c> (default <c>~/.config/agents/skills</c>;
    /// <c>%APPDATA%\agents\skills</c> on Windows), the host's own <c>skills</c> folder beside its config
    /// (<c>~/.config/agent/skills</c>, <c>$AGENT_HOME/skills</c>, <c>%APPDATA%\agent\skills</c>), <c>~/.agents/skills</c>, then the
    /// user folders of other tools (see <see cref="UserSkillFolders.Resolve"/>).
    /// </summary>
    /// <param name="environment">The environment.</param>
    /// <returns>The roots.</returns>
    public static IEnumerable<SkillRoot> User(HostEnvironment environment) =>
        UserSkillFolders.Resolve(environment).Select(folder => new SkillRoot(folder.Path, SkillSource.User, folder.Label) { ThirdParty = folder.ThirdParty });

    /// <summary>The folders listed in <c>skills.paths</c>: relative to the project root, <c>~/</c> for the home directory.</summary>
    /// <param name="configuration">The configuration.</param>
    /// <param name="homeDirectory">The home directory.</param>
    /// <returns>The roots, labelled with where each was configured.</returns>
    public static IEnumerable<SkillRoot> FromConfiguration(ConfigurationSnapshot configuration, string homeDirectory)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        foreach (var entry in configuration.Entries.Where(e => ConfigKeys.IsUnder(e.Key, PathsKey) && e.Value.Trim().Length > 0))
        {
            var path = Path.GetFullPath(ExpandHome(entry.Value.Trim(), homeDirectory), configuration.ProjectRoot);
            yield return new SkillRoot(path, SkillSource.Config, $"config ({entry.Source})") { FromProject = entry.Layer == ConfigLayer.Project };
        }
    }

    /// <summary>The skill folders plugins contribute (<see cref="SkillDirectoryCapability"/>), labelled with the plugin id.</summary>
    /// <param name="registry">The capability registry.</param>
    /// <returns>The roots.</returns>
    public static IEnumerable<SkillRoot> FromRegistry(CapabilityRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        foreach (var entry in registry.OfKind(CapabilityKind.SkillDirectory))
        {
            if (entry.Capability is SkillDirectoryCapability folder)
            {
                yield return new SkillRoot(folder.Path, SkillSource.Plugin, $"plugin {entry.PluginId}") { PluginId = entry.PluginId };
            }
        }
    }

    /// <summary>The roots, each plugin's with the plugin's folder (<see cref="SkillRoot.PluginDirectory"/>) as the host loaded it.</summary>
    /// <param name="roots">The roots (<see cref="All"/>).</param>
    /// <param name="host">The plugin host.</param>
    /// <returns>The roots.</returns>
    public static IReadOnlyList<SkillRoot> WithPluginDirectories(IReadOnlyList<SkillRoot> roots, PluginHost host)
    {
        ArgumentNullException.ThrowIfNull(roots);
        ArgumentNullException.ThrowIfNull(host);
        return [.. roots.Select(r => r.PluginId is { } id && host.Loaded.TryGetValue(id, out var plugin) ? r with { PluginDirectory = plugin.Manifest.Directory } : r)];
    }

    private static string ExpandHome(string path, string home) => UserSkillFolders.ExpandHome(path, home);

    private static List<SkillRoot> Distinct(IEnumerable<SkillRoot> roots)
    {
        var comparer = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;
        var seen = new HashSet<string>(comparer);
        return roots.Where(root => seen.Add(Path.TrimEndingDirectorySeparator(Path.GetFullPath(root.Path)))).ToList();
    }
}
