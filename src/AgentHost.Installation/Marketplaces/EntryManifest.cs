using System.Text.Json;
using System.Text.Json.Nodes;
using AgentHost.Hosting;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Manifests;

namespace AgentHost.Installation.Marketplaces;

/// <summary>
/// Applies the plugin parts a marketplace entry defines itself to the staged copy of the plugin, as Claude Code does:
/// the result is the copy's <c>.claude-plugin/plugin.json</c>, which the plugin reader then reads like any other and
/// the lock hashes with the rest. The source folder is never written to.
/// </summary>
/// <remarks>
/// <c>strict: false</c>: the entry is the whole definition; a plugin.json that defines parts too is a conflict (Claude
/// Code refuses such a plugin). <c>strict: true</c> (the default): the plugin's own plugin.json leads and the entry adds
/// what it lacks — a field it does not have, servers or hook events it does not name, further paths.
/// </remarks>
internal static class EntryManifest
{
    private static readonly JsonDocumentOptions ReadOptions = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <summary>Writes the merged <c>plugin.json</c> into <paramref name="staging"/>.</summary>
    /// <param name="staging">The staged copy of the plugin folder.</param>
    /// <param name="definition">The entry's definition.</param>
    /// <param name="origin">The plugin as the user named it (<c>name@marketplace</c>), for messages.</param>
    /// <exception cref="AgentHostException">The plugin's own plugin.json is unreadable, or conflicts with a <c>strict: false</c> entry.</exception>
    public static void Apply(string staging, EntryDefinition definition, string origin)
    {
        var file = Path.Combine(staging, ClaudePluginReader.ManifestPath);
        var entry = JsonNode.Parse(definition.Json)!.AsObject();
        var own = File.Exists(file) ? ReadOwn(file, origin) : null;
        var merged = definition.Strict ? Supplement(own, entry) : Replace(own, entry, origin);

        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, merged.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    private static JsonObject ReadOwn(string file, string origin)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(file), documentOptions: ReadOptions) as JsonObject
                ?? throw new AgentHostException(ErrorKind.Plugin, $"{origin}: its {ClaudePluginReader.ManifestPath} must be a JSON object.");
        }
        catch (JsonException ex)
        {
            throw new AgentHostException(ErrorKind.Plugin, $"{origin}: its {ClaudePluginReader.ManifestPath} is not valid JSON (line {(ex.LineNumber ?? 0) + 1}); fix it or ask the plugin's author.", ex);
        }
    }

    /// <summary><c>strict: false</c>: the entry defines the parts; the plugin's own file may only add metadata.</summary>
    private static JsonObject Replace(JsonObject? own, JsonObject entry, string origin)
    {
        if (own is not null && MarketplaceFile.DefinitionFields.Where(own.ContainsKey).ToList() is { Count: > 0 } both)
        {
            throw new AgentHostException(
                ErrorKind.Plugin,
                $"{origin}: the marketplace entry sets \"strict\": false and defines the plugin's parts, but the plugin's own {ClaudePluginReader.ManifestPath} defines {string.Join(", ", both.Select(f => $"\"{f}\""))} too; Claude Code refuses such a plugin as a conflict. Ask the marketplace's owner to drop one of them, or install the plugin's folder or repository directly. Nothing was installed.");
        }

        var result = own ?? [];
        foreach (var (key, value) in entry)
        {
            result[key] = value?.DeepClone();
        }

        return result;
    }

    /// <summary><c>strict: true</c>: the plugin's own file leads; the entry adds what it lacks.</summary>
    private static JsonObject Supplement(JsonObject? own, JsonObject entry)
    {
        var result = own ?? [];
        foreach (var (key, value) in entry)
        {
            if (value is null)
            {
                continue;
            }

            if (result[key] is not { } mine)
            {
                result[key] = value.DeepClone();
            }
            else if (MarketplaceFile.DefinitionFields.Contains(key, StringComparer.Ordinal))
            {
                result[key] = Combine(mine, value);
            }
        }

        return result;
    }

    /// <summary>Two definitions of one part: objects add the names the plugin's lacks; paths are joined; otherwise the plugin's stays.</summary>
    private static JsonNode Combine(JsonNode mine, JsonNode theirs)
    {
        if (mine is JsonObject ownObject && theirs is JsonObject entryObject)
        {
            var result = ownObject.DeepClone().AsObject();
            foreach (var (key, value) in entryObject)
            {
                if (!result.ContainsKey(key))
                {
                    result[key] = value?.DeepClone();
                }
            }

            return result;
        }

        if (Paths(mine) is { } ownPaths && Paths(theirs) is { } entryPaths)
        {
            return new JsonArray([.. ownPaths.Concat(entryPaths).Distinct(StringComparer.Ordinal).Select(p => (JsonNode)JsonValue.Create(p))]);
        }

        return mine.DeepClone();
    }

    private static List<string>? Paths(JsonNode node) => node switch
    {
        JsonValue value when value.TryGetValue<string>(out var one) => [one],
        JsonArray array when array.All(i => i is JsonValue v && v.TryGetValue<string>(out _)) => [.. array.Select(i => i!.GetValue<string>())],
        _ => null,
    };
}
