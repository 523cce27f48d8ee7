using System.Text.Json.Nodes;
using AgentHost.Hosting.Plugins.Manifests;

namespace AgentHost.Hosting.Plugins.Settings;

/// <summary>The JSON Schema of one plugin's settings, from what its manifest declares (for the config.yaml schema).</summary>
public static class PluginSettingsSchema
{
    /// <summary>An object schema with one property per declared setting; no other key.</summary>
    /// <param name="declared">The declarations (<see cref="PluginManifest.Settings"/>).</param>
    /// <returns>The schema.</returns>
    public static JsonObject Of(IReadOnlyDictionary<string, PluginSettingDeclaration> declared)
    {
        ArgumentNullException.ThrowIfNull(declared);
        var settings = new JsonObject();
        foreach (var setting in declared.Values.OrderBy(setting => setting.Name, StringComparer.Ordinal))
        {
            settings[setting.Name] = Setting(setting);
        }

        return new JsonObject { ["type"] = "object", ["properties"] = settings, ["additionalProperties"] = false };
    }

    private static JsonObject Setting(PluginSettingDeclaration setting)
    {
        var node = setting.Type switch
        {
            PluginSettingType.WholeNumber => new JsonObject { ["type"] = "integer" },
            PluginSettingType.Number => new JsonObject { ["type"] = "number" },
            PluginSettingType.Boolean => new JsonObject { ["type"] = "boolean" },
            PluginSettingType.List => new JsonObject { ["type"] = new JsonArray("array", "string") },
            PluginSettingType.Map => new JsonObject { ["type"] = "object" },
            _ when setting.Values.Count > 0 => new JsonObject { ["enum"] = new JsonArray([.. setting.Values.Select(value => (JsonNode?)value)]) },
            _ => new JsonObject { ["type"] = "string" },
        };
        if (setting.Minimum is { } min)
        {
            node["minimum"] = min;
        }

        if (setting.Maximum is { } max)
        {
            node["maximum"] = max;
        }

        if (setting.Description is { } description)
        {
            node["description"] = description;
        }

        return node;
    }
}
