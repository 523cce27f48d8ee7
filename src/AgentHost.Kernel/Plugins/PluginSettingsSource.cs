using AgentHost.Kernel.Configuration;
using AgentHost.Kernel.Permissions;

namespace AgentHost.Kernel.Plugins;

/// <summary>
/// Plugin settings (<c>plugins.settings.&lt;id&gt;</c>) as plugins receive them. An untrusted project's
/// <c>.agent/config.yaml</c> cannot set them: a cloned repository could otherwise loosen a plugin's own safeguards
/// (the web plugin's private-address block, the git plugin's program). They apply once the user runs <c>agent trust</c>.
/// </summary>
/// <remarks>Thread-safe. Trust is decided at most once, and only when the project file sets plugin settings.</remarks>
public sealed class PluginSettingsSource
{
    private const string Prefix = "plugins.settings";

    private readonly ConfigurationSnapshot _configuration;
    private readonly Lazy<bool> _projectTrusted;
    private readonly HashSet<string> _warned = new(StringComparer.Ordinal);

    /// <summary>Creates the source.</summary>
    /// <param name="configuration">The effective configuration.</param>
    /// <param name="trust">Loads the user's trusted projects (called only when the project sets plugin settings).</param>
    public PluginSettingsSource(ConfigurationSnapshot configuration, Func<ProjectTrust> trust)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(trust);
        _configuration = configuration;
        _projectTrusted = new Lazy<bool>(() => PermissionPolicy.FromConfiguration(configuration, trust()).Project is not { Trusted: false });
    }

    /// <summary>Receives one warning per plugin whose project settings were ignored.</summary>
    public Action<string>? Warn { get; set; }

    /// <summary>One plugin's settings, without the project file's when the project is not trusted.</summary>
    /// <param name="pluginId">The plugin id.</param>
    /// <returns>The settings with the <c>plugins.settings.&lt;id&gt;</c> prefix removed.</returns>
    public IReadOnlyDictionary<string, string> Get(string pluginId)
    {
        ArgumentNullException.ThrowIfNull(pluginId);
        var prefix = $"{Prefix}.{pluginId}";
        var fromProject = _configuration.Entries.Where(e => e.Layer == ConfigLayer.Project && ConfigKeys.IsUnder(e.Key, prefix)).ToList();
        if (fromProject.Count == 0 || _projectTrusted.Value)
        {
            return _configuration.GetPluginSettings(pluginId);
        }

        // What the other layers say: the project file's values are left out, and lower layers' values come back.
        var settings = new Dictionary<string, string>(ConfigKeys.Comparer);
        foreach (var entry in ConfigurationLayersBelowProject(prefix))
        {
            settings[entry.Key[(prefix.Length + 1)..]] = entry.Value;
        }

        foreach (var entry in _configuration.Entries.Where(e => e.Layer > ConfigLayer.Project && ConfigKeys.IsUnder(e.Key, prefix)))
        {
            settings[entry.Key[(prefix.Length + 1)..]] = entry.Value;
        }

        lock (_warned)
        {
            if (_warned.Add(pluginId))
            {
                var first = fromProject[0];
                Warn?.Invoke(
                    $"{first.File}:{first.Line}: project {_configuration.ProjectRoot} is not trusted: its settings for plugin '{pluginId}' " +
                    $"({string.Join(", ", fromProject.Select(e => e.Key[(prefix.Length + 1)..]))}) are ignored. If you trust this repository, run 'agent trust' in it.");
            }
        }

        return settings;
    }

    /// <summary>The global file's values under the prefix (the effective configuration keeps only the winning layer's).</summary>
    private IEnumerable<ConfigEntry> ConfigurationLayersBelowProject(string prefix) =>
        _configuration.GlobalConfigFile is { } file && File.Exists(file)
            ? YamlConfigLoader.Load(file, ConfigLayer.Global).Entries.Where(e => ConfigKeys.IsUnder(e.Key, prefix))
            : [];
}
