using System.Text.Json;

namespace AgentHost.Sessions;

/// <summary>
/// The session store's small JSON columns (settings as a string map, file lists) written with
/// <see cref="Utf8JsonWriter"/> and read with <see cref="JsonDocument"/>: the reflection serializer would compile its
/// whole converter table at run time on the way to a run's first model request. The text is what
/// <see cref="JsonSerializer"/> writes for the same values.
/// </summary>
internal static class StringJson
{
    /// <summary><c>{"key":"value",…}</c>.</summary>
    public static string Map(IEnumerable<KeyValuePair<string, string>> entries) => Write(writer =>
    {
        writer.WriteStartObject();
        foreach (var (key, value) in entries)
        {
            writer.WriteString(key, value);
        }

        writer.WriteEndObject();
    });

    /// <summary><c>["a","b",…]</c>.</summary>
    public static string List(IEnumerable<string> items) => Write(writer =>
    {
        writer.WriteStartArray();
        foreach (var item in items)
        {
            writer.WriteStringValue(item);
        }

        writer.WriteEndArray();
    });

    /// <summary>Reads a map written by <see cref="Map"/>; <c>null</c> gives an empty map. Non-string values are kept as their JSON text.</summary>
    /// <exception cref="JsonException">The text is not a JSON object.</exception>
    public static Dictionary<string, string> ReadMap(string json)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        using var document = JsonDocument.Parse(json);
        if (document.RootElement.ValueKind == JsonValueKind.Null)
        {
            return map;
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw new JsonException($"expected a JSON object, got {document.RootElement.ValueKind}");
        }

        foreach (var property in document.RootElement.EnumerateObject())
        {
            map[property.Name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText();
        }

        return map;
    }

    /// <summary>Reads a list written by <see cref="List"/>; <c>null</c> gives an empty list.</summary>
    /// <exception cref="JsonException">The text is not a JSON array of strings.</exception>
    public static List<string> ReadList(string json)
    {
        using var document = JsonDocument.Parse(json);
        if (document.RootElement.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (document.RootElement.ValueKind != JsonValueKind.Array)
        {
            throw new JsonException($"expected a JSON array, got {document.RootElement.ValueKind}");
        }

        return [.. document.RootElement.EnumerateArray().Select(item => item.ValueKind == JsonValueKind.String ? item.GetString()! : throw new JsonException("expected a list of strings"))];
    }

    private static string Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
