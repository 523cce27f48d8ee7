using AgentHost.Hosting.Configuration;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Installed;
using AgentHost.Hosting.Plugins.Settings;
using YamlDotNet.RepresentationModel;

namespace AgentHost.Cli.Commands.Config;

/// <summary>
/// Checks <c>plugins.settings.&lt;id&gt;</c> against what each plugin's manifest declares (<see cref="PluginSettingsCheck"/>)
/// for <c>agent config set</c>, before the file is written (<c>agent config validate</c> and <c>agent doctor</c> use
/// <see cref="ConfigurationCheck"/>).
/// </summary>
internal static class PluginSettingsValidation
{
    private const string Prefix = "plugins.settings.";

    /// <summary>
    /// For a key being set under <c>plugins.settings</c>: the problems of that plugin's settings in the edited file
    /// (<paramref name="root"/>) that concern the key; notes when the plugin is unknown or declares nothing.
    /// </summary>
    public static IReadOnlyList<ConfigProblem> CheckEdit(PluginStore store, YamlMappingNode root, string key, Action<string> note)
    {
        if (!ConfigurationCheck.IsPluginSetting(key))
        {
            return [];
        }

        var id = ConfigurationCheck.PluginIdOf(key, store.KnownIds());
        var manifest = store.FindManifest(id);
        if (manifest is null)
        {
            note($"note: no installed or bundled plugin is called '{id}', so nothing reads {key} until one is installed ('agent plugin list' shows what is installed).");
            return [];
        }

        if (manifest.Settings is not { } declared)
        {
            note($"note: plugin '{id}' does not declare its settings in its plugin.yaml, so the value is checked only when the plugin loads.");
            return [];
        }

        var section = Prefix + id + ".";
        var values = Flatten(root)
            .Where(pair => pair.Key.StartsWith(section, StringComparison.OrdinalIgnoreCase))
            .ToDictionary(pair => pair.Key[section.Length..], pair => pair.Value, StringComparer.OrdinalIgnoreCase);
        return [.. PluginSettingsCheck.Problems(id, declared, values)
            .Where(problem => problem.Key.Equals(key, StringComparison.OrdinalIgnoreCase) || key.StartsWith(problem.Key + ".", StringComparison.OrdinalIgnoreCase) || problem.Key.StartsWith(key + ".", StringComparison.OrdinalIgnoreCase))
            .Select(problem => new ConfigProblem(ConfigSeverity.Error, null, null, problem.Key, $"key '{problem.Key}': {problem.Message}"))];
    }

    private static IEnumerable<KeyValuePair<string, string>> Flatten(YamlNode node, string prefix = "")
    {
        switch (node)
        {
            case YamlMappingNode mapping:
                foreach (var (key, value) in mapping.Children)
                {
                    foreach (var pair in Flatten(value, prefix + ((YamlScalarNode)key).Value + "."))
                    {
                        yield return pair;
                    }
                }

                break;
            case YamlSequenceNode sequence:
                for (var i = 0; i < sequence.Children.Count; i++)
                {
                    foreach (var pair in Flatten(sequence.Children[i], prefix + i.ToString(System.Globalization.CultureInfo.InvariantCulture) + "."))
                    {
                        yield return pair;
                    }
                }

                break;
            case YamlScalarNode scalar:
                yield return new(prefix.TrimEnd('.'), scalar.Value ?? string.Empty);
                break;
        }
    }
}
