using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentHost.Agent.Mcp;

/// <summary>
/// A tool's input schema in the form MCP clients read most widely: an optional property is typed as what it is
/// (<c>"type": "integer"</c>), not as <c>["integer", "null"]</c> (or <c>anyOf</c> with a null branch), which .NET's
/// schema exporter writes for nullable parameters and which the MCP inspector flags as less portable. Leaving an
/// optional property out means "not given", so the null branch says nothing a client needs. Required properties keep
/// their types, and nested object schemas are treated the same way.
/// </summary>
internal static class McpPortableSchema
{
    /// <summary>The portable form of <paramref name="schema"/> (the same element when nothing changes).</summary>
    public static JsonElement Of(JsonElement schema)
    {
        if (schema.ValueKind != JsonValueKind.Object)
        {
            return schema;
        }

        var node = JsonNode.Parse(schema.GetRawText())!;
        return Rewrite(node) ? JsonSerializer.SerializeToElement(node) : schema;
    }

    /// <summary>Rewrites the optional properties of every object schema under <paramref name="node"/>; whether any changed.</summary>
    private static bool Rewrite(JsonNode? node)
    {
        var changed = false;
        switch (node)
        {
            case JsonObject schema:
                if (schema["properties"] is JsonObject properties)
                {
                    var required = schema["required"] is JsonArray names
                        ? names.Select(n => n?.GetValue<string>()).OfType<string>().ToHashSet(StringComparer.Ordinal)
                        : [];
                    foreach (var (name, property) in properties.ToList())
                    {
                        if (!required.Contains(name) && property is JsonObject optional)
                        {
                            changed |= DropNull(optional);
                        }
                    }
                }

                foreach (var (_, child) in schema.ToList())
                {
                    changed |= Rewrite(child);
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    changed |= Rewrite(item);
                }

                break;
        }

        return changed;
    }

    /// <summary>Removes the null alternative from an optional property's type; whether there was one to remove.</summary>
    private static bool DropNull(JsonObject property)
    {
        var changed = false;
        if (property["type"] is JsonArray types && types.Any(IsNull) && types.Any(t => !IsNull(t)))
        {
            var kept = types.Where(t => !IsNull(t)).Select(t => t!.DeepClone()).ToList();
            property["type"] = kept.Count == 1 ? kept[0] : new JsonArray([.. kept]);
            changed = true;
        }

        foreach (var keyword in (string[])["anyOf", "oneOf"])
        {
            if (property[keyword] is JsonArray branches && branches.Any(IsNullSchema) && branches.Any(b => !IsNullSchema(b)))
            {
                var kept = branches.Where(b => !IsNullSchema(b)).Select(b => b!.DeepClone()).ToList();
                property.Remove(keyword);
                if (kept.Count == 1 && kept[0] is JsonObject only)
                {
                    foreach (var (key, value) in only.ToList())
                    {
                        property[key] ??= value?.DeepClone();
                    }
                }
                else
                {
                    property[keyword] = new JsonArray([.. kept]);
                }

                changed = true;
            }
        }

        if (changed && property["default"] is null && property.ContainsKey("default"))
        {
            // "default": null no longer fits the type; leaving the property out is the default.
            property.Remove("default");
        }

        return changed;
    }

    private static bool IsNull(JsonNode? type) => type is JsonValue value && value.TryGetValue<string>(out var name) && name == "null";

    private static bool IsNullSchema(JsonNode? branch) => branch is JsonObject { Count: 1 } only && IsNull(only["type"]);
}
