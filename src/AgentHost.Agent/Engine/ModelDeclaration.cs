using System.Buffers;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace AgentHost.Agent.Engine;

/// <summary>
/// A tool as the model is given it: its name, its description and its JSON schema without the text only a validator
/// needs — <c>"default": null</c>, <c>"default": false</c> of a boolean, and <c>"null"</c> in the type of a property
/// that is not required (.NET's optional parameters say all three; the model leaves such a property out). The tool
/// itself keeps its full schema: calls are validated against it (<see cref="ToolArgumentValidator"/>).
/// </summary>
/// <remarks>Immutable and thread-safe.</remarks>
internal sealed class ModelDeclaration : AIFunctionDeclaration
{
    private const int SummaryLength = 90;

    private ModelDeclaration(string name, string description, JsonElement schema)
    {
        Name = name;
        Description = description;
        JsonSchema = schema;
    }

    public override string Name { get; }

    public override string Description { get; }

    public override JsonElement JsonSchema { get; }

    /// <summary>The declaration of <paramref name="function"/> with its schema compacted.</summary>
    /// <param name="function">The registered tool's function.</param>
    /// <returns>The declaration.</returns>
    public static ModelDeclaration Of(AIFunction function) => new(function.Name, function.Description ?? string.Empty, Compact(function.JsonSchema));

    /// <summary>The first sentence of a description (at most 90 characters, cut at a word): what a deferred tool is listed with.</summary>
    /// <param name="description">The tool's description.</param>
    /// <returns>The summary; empty when there is no description.</returns>
    public static string Summary(string? description)
    {
        if (string.IsNullOrWhiteSpace(description))
        {
            return string.Empty;
        }

        var text = description.Trim();
        var end = text.Length;
        var line = text.IndexOfAny(['\r', '\n']);
        if (line >= 0)
        {
            end = line;
        }

        var sentence = text.IndexOf(". ", StringComparison.Ordinal);
        if (sentence >= 0 && sentence < end)
        {
            end = sentence + 1;
        }

        var summary = text[..end].TrimEnd();
        if (summary.Length <= SummaryLength)
        {
            return summary;
        }

        var cut = summary.LastIndexOf(' ', SummaryLength - 1);
        return summary[..(cut > SummaryLength / 2 ? cut : SummaryLength - 1)].TrimEnd(' ', ',', ';', ':', '(') + "…";
    }

    /// <summary>The schema without what the model does not need (see the class remarks); other schemas unchanged.</summary>
    /// <param name="schema">A tool's JSON schema.</param>
    /// <returns>The compacted schema.</returns>
    public static JsonElement Compact(JsonElement schema)
    {
        if (schema.ValueKind != JsonValueKind.Object)
        {
            return schema;
        }

        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteSchema(writer, schema, optional: false);
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    /// <summary>Writes one (sub)schema; <paramref name="optional"/>: it describes a property that is not required.</summary>
    private static void WriteSchema(Utf8JsonWriter writer, JsonElement schema, bool optional)
    {
        if (schema.ValueKind != JsonValueKind.Object)
        {
            schema.WriteTo(writer);
            return;
        }

        var boolean = IsBoolean(schema);
        writer.WriteStartObject();
        foreach (var property in schema.EnumerateObject())
        {
            switch (property.Name)
            {
                case "default" when property.Value.ValueKind == JsonValueKind.Null || (boolean && property.Value.ValueKind == JsonValueKind.False):
                    break;
                case "type" when optional && property.Value.ValueKind == JsonValueKind.Array:
                    WriteTypeWithoutNull(writer, property.Value);
                    break;
                case "properties" when property.Value.ValueKind == JsonValueKind.Object:
                    var required = Required(schema);
                    writer.WriteStartObject(property.Name);
                    foreach (var child in property.Value.EnumerateObject())
                    {
                        writer.WritePropertyName(child.Name);
                        WriteSchema(writer, child.Value, optional: !required.Contains(child.Name));
                    }

                    writer.WriteEndObject();
                    break;
                case "items":
                    writer.WritePropertyName(property.Name);
                    WriteSchema(writer, property.Value, optional: true);
                    break;
                default:
                    property.WriteTo(writer);
                    break;
            }
        }

        writer.WriteEndObject();
    }

    private static void WriteTypeWithoutNull(Utf8JsonWriter writer, JsonElement types)
    {
        var kept = types.EnumerateArray().Where(t => t.ValueKind != JsonValueKind.String || t.GetString() != "null").ToList();
        writer.WritePropertyName("type");
        if (kept.Count == 1)
        {
            kept[0].WriteTo(writer);
            return;
        }

        writer.WriteStartArray();
        foreach (var type in kept.Count == 0 ? types.EnumerateArray().ToList() : kept)
        {
            type.WriteTo(writer);
        }

        writer.WriteEndArray();
    }

    private static bool IsBoolean(JsonElement schema) =>
        schema.TryGetProperty("type", out var type)
        && (type.ValueKind == JsonValueKind.String ? type.GetString() == "boolean"
            : type.ValueKind == JsonValueKind.Array && type.EnumerateArray().Any(t => t.ValueKind == JsonValueKind.String && t.GetString() == "boolean"));

    private static HashSet<string> Required(JsonElement schema)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        if (schema.TryGetProperty("required", out var required) && required.ValueKind == JsonValueKind.Array)
        {
            foreach (var name in required.EnumerateArray())
            {
                if (name.ValueKind == JsonValueKind.String)
                {
                    names.Add(name.GetString()!);
                }
            }
        }

        return names;
    }
}
