using AgentHost.Hosting.Configuration;
using AgentHost.Hosting.Trust;
using AgentHost.Permissions;
using AgentHost.Permissions.Rules;
namespace AgentHost.Agent.Plugins;

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

    /// <summary>Whether the project is trusted (decided once, on first use): its plugin settings and plugin switches then apply.</summary>
    public bool ProjectTrusted => _projectTrusted.Value;

    /// <summary>Receives one warning per plugin whose project settings were ignored.</summary>
    public Action<string>? Warn { get; set; }

    /// <summary>
    /// The settings of <paramref name="pluginId"/>: <c>plugins.settings.&lt;id&gt;.*</c>, without an untrusted project's values
    /// (warned once per plugin). The LSP bridge (<c>lsp</c>) also gets the top-level <c>lsp.servers.*</c> section as
    /// <c>servers.*</c>, under the same trust rule: an untrusted repository cannot define a command for it to run.
    /// </summary>
    /// <param name="pluginId">The plugin id.</param>
    /// <returns>The settings, keys relative to the plugin's section.</returns>
    public IReadOnlyDictionary<string, string> Get(string pluginId)
    {
        ArgumentNullException.ThrowIfNull(pluginId);
        var settings = Section($"{Prefix}.{pluginId}", pluginId, string.Empty);
        if (pluginId == LspBridgeId)
        {
            foreach (var (key, value) in Section(LspServersKey, pluginId, "servers."))
            {
                settings.TryAdd(key, value); // plugins.settings.lsp.servers.* wins over lsp.servers.*
            }
        }

        return settings;
    }

    private const string LspBridgeId = "lsp";
    private const string LspServersKey = "lsp.servers";

    /// <summary>The entries under <paramref name="prefix"/>, keys made relative and prefixed with <paramref name="keyPrefix"/>.</summary>
    private Dictionary<string, string> Section(string prefix, string pluginId, string keyPrefix)
    {
        var settings = new Dictionary<string, string>(ConfigKeys.Comparer);
        var fromProject = _configuration.Entries.Where(e => e.Layer == ConfigLayer.Project && ConfigKeys.IsUnder(e.Key, prefix)).ToList();
        if (fromProject.Count == 0 || _projectTrusted.Value)
        {
            foreach (var entry in _configuration.Entries.Where(e => ConfigKeys.IsUnder(e.Key, prefix)))
            {
                settings[keyPrefix + entry.Key[(prefix.Length + 1)..]] = entry.Value;
            }

            return settings;
        }

        // What the other layers say: the project file's values are left out, and lower layers' values come back.
        foreach (var entry in ConfigurationLayersBelowProject(prefix).Concat(_configuration.Entries.Where(e => e.Layer > ConfigLayer.Project && ConfigKeys.IsUnder(e.Key, prefix))))
        {
            settings[keyPrefix + entry.Key[(prefix.Length + 1)..]] = entry.Value;
        }

        lock (_warned)
        {
            if (_warned.Add(prefix))
            {
                var first = fromProject[0];
                Warn?.Invoke(
                    $"{first.File}:{first.Line}: project {_configuration.ProjectRoot} is not trusted: its settings for plugin '{pluginId}' " +
                    $"({string.Join(", ", fromProject.Select(e => e.Key[(prefix.Length + 1)..]))}) are ignored. If you trust this repository, run 'agent trust' in it.");
            }
        }

        return settings;
    }

    private IEnumerable<ConfigEntry> ConfigurationLayersBelowProject(string prefix) =>
        _configuration.GlobalConfigFile is { } file && File.Exists(file)
            ? YamlConfigLoader.Load(file, ConfigLayer.Global).Entries.Where(e => ConfigKeys.IsUnder(e.Key, prefix))
            : [];
}
