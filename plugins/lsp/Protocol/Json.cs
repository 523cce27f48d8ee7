using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentHost.Plugins.Lsp.Protocol;

/// <summary>Small readers and builders for LSP JSON shapes.</summary>
internal static class Json
{
    /// <summary>The start (line, character) of an object with a <c>range</c>, or of a range itself.</summary>
    public static (int Line, int Character) Start(JsonElement withRange)
    {
        var range = withRange.TryGetProperty("range", out var r) ? r : withRange;
        return Position(range.TryGetProperty("start", out var start) ? start : default);
    }

    public static (int Line, int Character) End(JsonElement range) =>
        Position(range.TryGetProperty("end", out var end) ? end : default);

    public static (int Line, int Character) Position(JsonElement position) =>
        position.ValueKind == JsonValueKind.Object
            ? (Int(position, "line"), Int(position, "character"))
            : (0, 0);

    public static int Int(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.TryGetInt32(out var n) ? n : 0;

    public static string? String(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public static JsonObject TextDocument(string uri) => new() { ["uri"] = uri };

    public static JsonObject PositionParams(string uri, int line, int character) => new()
    {
        ["textDocument"] = TextDocument(uri),
        ["position"] = new JsonObject { ["line"] = line, ["character"] = character },
    };

    /// <summary>Locations from a definition/references result: <c>Location</c>, <c>Location[]</c> or <c>LocationLink[]</c>.</summary>
    public static IEnumerable<(string Uri, JsonElement Range)> Locations(JsonElement result)
    {
        if (result.ValueKind == JsonValueKind.Object)
        {
            if (Location(result) is { } one)
            {
                yield return one;
            }

            yield break;
        }

        if (result.ValueKind != JsonValueKind.Array)
        {
            yield break;
        }

        foreach (var item in result.EnumerateArray())
        {
            if (Location(item) is { } location)
            {
                yield return location;
            }
        }
    }

    private static (string, JsonElement)? Location(JsonElement item)
    {
        if (String(item, "uri") is { } uri && item.TryGetProperty("range", out var range))
        {
            return (uri, range);
        }

        if (String(item, "targetUri") is { } target)
        {
            return (target, item.TryGetProperty("targetSelectionRange", out var selection) ? selection : item.GetProperty("targetRange"));
        }

        return null;
    }
}
