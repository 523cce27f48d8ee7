using AgentHost.Hosting.Configuration;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Installed;
using AgentHost.Hosting.Plugins.Settings;

namespace AgentHost.Cli.Commands;

/// <summary>
/// The JSON Schema of <c>config.yaml</c> as this agent knows it (the key table and the settings that the installed and
/// bundled plugins declare), and the files that point editors at it: <c>config.schema.json</c> beside a <c>config.yaml</c>
/// whose first line is <see cref="ConfigJsonSchema.Modeline"/>.
/// </summary>
internal static class ConfigSchemaFiles
{
    /// <summary>The schema text, with the declared settings of every plugin the store knows.</summary>
    public static string Generate(PluginStore store) =>
        ConfigJsonSchema.Generate(store.KnownIds()
            .Select(id => (Id: id, Settings: store.FindManifest(id)?.Settings))
            .Where(pair => pair.Settings is not null)
            .ToDictionary(pair => pair.Id, pair => PluginSettingsSchema.Of(pair.Settings!), StringComparer.Ordinal));

    /// <summary>
    /// Writes <c>config.schema.json</c> beside <paramref name="configFile"/> and makes the modeline the file's first line
    /// (a missing file is created holding only the modeline). Returns the schema file.
    /// </summary>
    public static string Write(PluginStore store, string configFile)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(configFile))!;
        Directory.CreateDirectory(folder);
        var schemaFile = Path.Combine(folder, ConfigJsonSchema.FileName);
        File.WriteAllText(schemaFile, Generate(store));
        if (!File.Exists(configFile))
        {
            File.WriteAllText(configFile, ConfigJsonSchema.Modeline + "\n");
        }
        else if (!HasModeline(File.ReadAllText(configFile)))
        {
            File.WriteAllText(configFile, ConfigJsonSchema.Modeline + "\n" + File.ReadAllText(configFile));
        }

        return schemaFile;
    }

    /// <summary>Whether the text starts with a yaml-language-server schema modeline (ours or the user's own).</summary>
    public static bool HasModeline(string text) =>
        text.TrimStart('\uFEFF').StartsWith("# yaml-language-server:", StringComparison.Ordinal);
}
