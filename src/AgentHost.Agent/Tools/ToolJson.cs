using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace AgentHost.Agent.Tools;

/// <summary>JSON conversions shared by the loop and the tool pipeline: arguments to text, canonical forms, results to text.</summary>
internal static class ToolJson
{
    /// <summary>The Microsoft.Extensions.AI defaults, written compactly.</summary>
    public static readonly JsonSerializerOptions Compact = new(AIJsonUtilities.DefaultOptions) { WriteIndented = false };

    private static readonly JsonWriterOptions CanonicalWriter = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Serialises a call's parsed arguments, or explains why the model's JSON could not be parsed.</summary>
    /// <param name="call">The call.</param>
    /// <param name="error">Why the arguments are unusable, when they are.</param>
    /// <returns>The arguments as a JSON object text, or <see langword="null"/> with <paramref name="error"/> set.</returns>
    public static string? ArgumentsToJson(FunctionCallContent call, out string? error)
    {
        if (call.Exception is { } exception)
        {
            var detail = exception.InnerException?.Message ?? exception.Message;
            error = $"the arguments are not valid JSON ({detail}). Send one JSON object that matches the tool's parameter schema.";
            return null;
        }

        error = null;
        if (call.Arguments is null || call.Arguments.Count == 0)
        {
            return "{}";
        }

        try
        {
            return JsonSerializer.Serialize(call.Arguments, Compact);
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException)
        {
            error = $"the arguments could not be read ({ex.Message}).";
            return null;
        }
    }

    /// <summary>Writes <paramref name="element"/> compactly with object properties sorted (ordinal), for call signatures.</summary>
    /// <param name="element">The value.</param>
    /// <returns>The canonical JSON text.</returns>
    public static string Canonical(JsonElement element)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, CanonicalWriter))
        {
            WriteCanonical(writer, element);
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>Turns a tool result into text for the model: strings as they are, other values as compact JSON.</summary>
    /// <param name="result">The result.</param>
    /// <returns>The text.</returns>
    public static string ResultToText(object? result) => result switch
    {
        null => "(no output)",
        string text => text,
        JsonElement { ValueKind: JsonValueKind.String } element => element.GetString() ?? string.Empty,
        JsonElement { ValueKind: JsonValueKind.Undefined or JsonValueKind.Null } => "(no output)",
        TextContent content => content.Text,
        _ => Serialize(result),
    };

    private static string Serialize(object value)
    {
        try
        {
            return JsonSerializer.Serialize(value, value.GetType(), Compact);
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException)
        {
            return value.ToString() ?? string.Empty;
        }
    }

    private static void WriteCanonical(Utf8JsonWriter writer, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(property.Name);
                    WriteCanonical(writer, property.Value);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    WriteCanonical(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }
}
