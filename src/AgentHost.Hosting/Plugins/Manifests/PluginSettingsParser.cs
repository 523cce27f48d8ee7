using System.Globalization;
using AgentHost.Hosting.Plugins.Settings;
using YamlDotNet.RepresentationModel;

namespace AgentHost.Hosting.Plugins.Manifests;

/// <summary>Reads a manifest's <c>settings:</c> declarations (name → <c>{type, description, values, min, max}</c>).</summary>
internal static class PluginSettingsParser
{
    private static readonly string[] Fields = ["type", "description", "values", "min", "max"];

    private static readonly Dictionary<string, PluginSettingType> TypeNames = new(StringComparer.Ordinal)
    {
        ["string"] = PluginSettingType.Text,
        ["integer"] = PluginSettingType.WholeNumber,
        ["number"] = PluginSettingType.Number,
        ["boolean"] = PluginSettingType.Boolean,
        ["list"] = PluginSettingType.List,
        ["map"] = PluginSettingType.Map,
    };

    /// <summary>The declared settings, or <see langword="null"/> when the manifest declares none (then they are not checked).</summary>
    public static IReadOnlyDictionary<string, PluginSettingDeclaration>? Parse(YamlMappingNode root, ParseContext ctx)
    {
        if (!root.Children.TryGetValue(new YamlScalarNode("settings"), out var node))
        {
            return null;
        }

        if (node is not YamlMappingNode map)
        {
            ctx.Error(node, "settings", "must be a mapping of setting names to {type, description, values, min, max}, e.g. timeout_ms: { type: integer, min: 1000 }");
            return null;
        }

        var result = new Dictionary<string, PluginSettingDeclaration>(StringComparer.Ordinal);
        foreach (var (key, value) in map.Children)
        {
            var name = (key as YamlScalarNode)?.Value ?? string.Empty;
            if (!IsName(name))
            {
                ctx.Error(key, "settings", $"'{name}' is not a setting name; use letters, digits, '_' and '-', starting with a letter (e.g. timeout_ms)");
                continue;
            }

            if (Declaration(name, value, ctx) is { } declaration)
            {
                result[name] = declaration;
            }
        }

        return result;
    }

    private static PluginSettingDeclaration? Declaration(string name, YamlNode node, ParseContext ctx)
    {
        var field = "settings." + name;
        if (node is YamlScalarNode { Value: { } shorthand })
        {
            return Type(shorthand, node, field + ".type", ctx) is { } only ? new PluginSettingDeclaration(name, only, null, [], null, null) : null;
        }

        if (node is not YamlMappingNode map)
        {
            ctx.Error(node, field, "must be a type name (string, integer, number, boolean, list, map) or a mapping {type, description, values, min, max}");
            return null;
        }

        foreach (var key in map.Children.Keys.OfType<YamlScalarNode>().Where(k => !Fields.Contains(k.Value, StringComparer.Ordinal)))
        {
            ctx.Error(key, field, $"unknown field '{key.Value}'; known fields are {string.Join(", ", Fields)}");
        }

        var typeText = ctx.RequiredScalar(map, "type", "add 'type: string' (or integer, number, boolean, list, map)", field + ".");
        var type = typeText is null ? null : Type(typeText, map.Children[new YamlScalarNode("type")], field + ".type", ctx);
        var values = ctx.StringList(map, "values", field + ".");
        var min = Number(map, "min", field, ctx);
        var max = Number(map, "max", field, ctx);
        if (type is null)
        {
            return null;
        }

        if (values.Count > 0 && type != PluginSettingType.Text)
        {
            ctx.Error(map, field + ".values", "only a string setting has allowed values");
        }

        if ((min is not null || max is not null) && type is not (PluginSettingType.WholeNumber or PluginSettingType.Number))
        {
            ctx.Error(map, field, "only an integer or number setting has min and max");
        }

        if (min > max)
        {
            ctx.Error(map, field, $"min ({min}) is greater than max ({max})");
        }

        return new PluginSettingDeclaration(name, type.Value, ctx.OptionalScalar(map, "description", field + "."), values, min, max);
    }

    private static PluginSettingType? Type(string text, YamlNode node, string field, ParseContext ctx)
    {
        if (TypeNames.TryGetValue(text, out var type))
        {
            return type;
        }

        ctx.Error(node, field, $"'{text}' is not a setting type; write one of {string.Join(", ", TypeNames.Keys)}");
        return null;
    }

    private static double? Number(YamlMappingNode map, string key, string field, ParseContext ctx)
    {
        var text = ctx.OptionalScalar(map, key, field + ".");
        if (text is null)
        {
            return null;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number))
        {
            return number;
        }

        ctx.Error(map.Children[new YamlScalarNode(key)], field + "." + key, $"'{text}' is not a number");
        return null;
    }

    private static bool IsName(string name) =>
        name.Length is > 0 and <= 64 && char.IsAsciiLetter(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');
}
