using AgentHost.Hosting.Configuration;
using AgentHost.Hosting.Plugins.Settings;

namespace AgentHost.Hosting.Plugins.Installed;

/// <summary>
/// The one check of a resolved configuration that <c>agent config validate</c> and <c>agent doctor</c> both report:
/// the configuration's own problems (syntax, unknown keys, values, key sources) and each configured plugin's settings
/// against what its manifest declares (a value that would keep the plugin from loading), located where each was set.
/// </summary>
public static class ConfigurationCheck
{
    private const string Prefix = "plugins.settings.";

    /// <summary>Every problem of the configuration, errors and warnings.</summary>
    /// <param name="configuration">The resolved configuration.</param>
    /// <param name="store">The installed and bundled plugins, whose manifests declare their settings.</param>
    /// <returns>The problems, in the order found.</returns>
    public static IReadOnlyList<ConfigProblem> Problems(ConfigurationSnapshot configuration, PluginStore store)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(store);
        return [.. configuration.Problems, .. PluginSettingProblems(configuration, store)];
    }

    /// <summary>Whether a key is under <c>plugins.settings.&lt;id&gt;</c>.</summary>
    /// <param name="key">The dotted key.</param>
    /// <returns>Whether it is a plugin's setting.</returns>
    public static bool IsPluginSetting(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) && key.Length > Prefix.Length;
    }

    /// <summary>The plugin a settings key is for: the longest known id it starts with (ids may hold dots), else its first segment.</summary>
    /// <param name="key">A key under <c>plugins.settings.</c>.</param>
    /// <param name="ids">The known plugin ids.</param>
    /// <returns>The plugin id.</returns>
    public static string PluginIdOf(string key, IReadOnlyList<string> ids)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(ids);
        var rest = key[Prefix.Length..];
        return ids.Where(id => rest.Equals(id, StringComparison.OrdinalIgnoreCase) || rest.StartsWith(id + ".", StringComparison.OrdinalIgnoreCase))
            .MaxBy(id => id.Length)
            ?? rest.Split('.')[0];
    }

    private static List<ConfigProblem> PluginSettingProblems(ConfigurationSnapshot configuration, PluginStore store)
    {
        var keys = configuration.Entries.Select(entry => entry.Key).Where(IsPluginSetting).ToList();
        var problems = new List<ConfigProblem>();
        if (keys.Count == 0)
        {
            return problems;
        }

        var ids = store.KnownIds();
        foreach (var id in keys.Select(key => PluginIdOf(key, ids)).Distinct(StringComparer.Ordinal))
        {
            if (store.FindManifest(id) is not { Settings: { } declared })
            {
                continue;
            }

            foreach (var problem in PluginSettingsCheck.Problems(id, declared, configuration.GetPluginSettings(id)))
            {
                var entry = configuration.Entries.FirstOrDefault(e => e.Key.Equals(problem.Key, StringComparison.OrdinalIgnoreCase) || e.Key.StartsWith(problem.Key + ".", StringComparison.OrdinalIgnoreCase));
                problems.Add(entry is null
                    ? new ConfigProblem(ConfigSeverity.Error, null, null, problem.Key, $"key '{problem.Key}': {problem.Message}")
                    : ConfigProblem.At(ConfigSeverity.Error, entry, problem.Key, problem.Message));
            }
        }

        return problems;
    }
}
