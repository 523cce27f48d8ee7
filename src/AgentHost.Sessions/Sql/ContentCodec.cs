using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentHost.Hosting.Security;
using Microsoft.Extensions.AI;

namespace AgentHost.Sessions.Sql;

/// <summary>
/// Turns message contents and properties into the JSON that is stored, and back: polymorphic
/// <see cref="AIContent"/> through <see cref="AIJsonUtilities.DefaultOptions"/>, every string scrubbed of secrets and
/// capped in size on the way in.
/// </summary>
/// <remarks>Thread-safe.</remarks>
internal sealed class ContentCodec
{
    /// <summary>Compact JSON with the Microsoft.Extensions.AI type information (polymorphic contents).</summary>
    public static readonly JsonSerializerOptions Json = new(AIJsonUtilities.DefaultOptions) { WriteIndented = false };

    private readonly SecretScrubber _scrubber;
    private readonly int _maxPartBytes;
    private readonly int _maxImageBytes;

    /// <param name="scrubber">Redacts secrets from stored text.</param>
    /// <param name="maxPartBytes">The cap of one stored text, and of an attachment that is not an image.</param>
    /// <param name="maxImageBytes">The cap of one stored image (recognised by its bytes), before encoding.</param>
    public ContentCodec(SecretScrubber scrubber, int maxPartBytes, int maxImageBytes = ImageFormats.DefaultMaxImageBytes)
    {
        _scrubber = scrubber;
        _maxPartBytes = maxPartBytes;
        _maxImageBytes = maxImageBytes;
    }

    /// <summary>Scrubs and caps one stored text.</summary>
    public string Clean(string text) => PayloadLimiter.Cap(_scrubber.Scrub(text), _maxPartBytes);

    /// <summary>Scrubs and caps optional text.</summary>
    public string? CleanOptional(string? text) => text is null ? null : Clean(text);

    /// <summary>The stored JSON array of a message's parts.</summary>
    public string EncodeContents(IEnumerable<AIContent> contents)
    {
        var parts = new JsonArray();
        foreach (var content in contents)
        {
            parts.Add(EncodePart(content));
        }

        return parts.ToJsonString(Json);
    }

    /// <summary>Reads stored parts (already clean) back into contents.</summary>
    public static List<AIContent> DecodeContents(string json) =>
        JsonSerializer.Deserialize<List<AIContent>>(json, Json) ?? [];

    /// <summary>Re-encodes parts read from an export (cleaning them again: imports are untrusted).</summary>
    public string ReencodeContents(JsonElement parts) => EncodeContents(JsonSerializer.Deserialize<List<AIContent>>(parts, Json) ?? []);

    /// <summary>The stored JSON of a message's additional properties, or <see langword="null"/> when there are none.</summary>
    public string? EncodeProperties(AdditionalPropertiesDictionary? properties)
    {
        if (properties is not { Count: > 0 })
        {
            return null;
        }

        var node = JsonSerializer.SerializeToNode(properties, Json);
        return node is null ? null : CleanTree(node).ToJsonString(Json);
    }

    /// <summary>Reads stored properties: JSON primitives become CLR values (<c>true</c> stays a <see cref="bool"/>).</summary>
    public static AdditionalPropertiesDictionary? DecodeProperties(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return null;
        }

        var raw = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json, Json);
        if (raw is null)
        {
            return null;
        }

        var properties = new AdditionalPropertiesDictionary();
        foreach (var (key, value) in raw)
        {
            properties[key] = value.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Number when value.TryGetInt64(out var whole) => whole,
                JsonValueKind.Number => value.GetDouble(),
                JsonValueKind.Null => null,
                _ => value.Clone(),
            };
        }

        return properties;
    }

    /// <summary>Whether a message is a compaction summary.</summary>
    public static bool IsSummary(ChatMessage message) =>
        message.AdditionalProperties?.TryGetValue(IConversationRecorder.SummaryMarker, out var marker) == true
        && marker switch
        {
            bool flag => flag,
            JsonElement { ValueKind: JsonValueKind.True } => true,
            string text => bool.TryParse(text, out var parsed) && parsed,
            _ => false,
        };

    private JsonNode EncodePart(AIContent content)
    {
        if (content.GetType() == typeof(TextContent) && content is TextContent { AdditionalProperties: null, Annotations: null } text)
        {
            // The common part, written as Microsoft.Extensions.AI would write it, without building the polymorphic
            // serializer metadata of every content type (the prompt is stored while the first request is built).
            return TextPart(Clean(text.Text));
        }

        if (FunctionPart(content) is { } function)
        {
            // Tool calls and results, likewise: the first step of a run would otherwise build that metadata.
            return CleanTree(function);
        }

        JsonNode? node;
        try
        {
            node = JsonSerializer.SerializeToNode(content, Json.GetTypeInfo(typeof(AIContent)));
        }
        catch (NotSupportedException)
        {
            // A content type Microsoft.Extensions.AI does not know (e.g. a plugin's own): keep a readable trace.
            node = null;
        }

        if (node is null)
        {
            return TextPart($"[unsupported content {content.GetType().Name}: not stored]");
        }

        if (content is DataContent image && ImageFormats.Detect(image.Data.Span) is not null)
        {
            // An image (by its bytes, as attached with @shot.png or --image) is stored base64-encoded up to its own cap;
            // its name is scrubbed, its bytes are not fed to the scrubber.
            return image.Data.Length <= Math.Max(_maxImageBytes, _maxPartBytes)
                ? CleanTree(node)
                : TextPart(string.Create(CultureInfo.InvariantCulture, $"{ImageFormats.Describe(image.Name is null ? null : _scrubber.Scrub(image.Name), image.MediaType, image.Data.Length)} not stored: larger than the {ImageFormats.Size(_maxImageBytes)} cap per stored image"));
        }

        if (node is JsonObject part && part["uri"] is JsonValue uri && uri.TryGetValue<string>(out var value)
            && IsDataUri(value) && value.Length > _maxPartBytes)
        {
            var media = content is DataContent data ? data.MediaType : "attachment";
            var name = content is DataContent { Name: { } n } ? " " + _scrubber.Scrub(n) : string.Empty;
            return TextPart(string.Create(CultureInfo.InvariantCulture, $"[attachment{name} ({media}, {value.Length} characters encoded) not stored: larger than the {_maxPartBytes}-byte cap]"));
        }

        return CleanTree(node);
    }

    /// <summary>
    /// A plain function call or result as <see cref="AIJsonUtilities.DefaultOptions"/> writes it
    /// (<c>{"$type":"functionCall","name":…,"arguments":{…},"informationalOnly":…,"callId":…}</c>,
    /// <c>{"$type":"functionResult","result":…,"callId":…}</c>), or <see langword="null"/> when the content has more
    /// than that (annotations, additional properties, values other than JSON, strings, numbers and booleans).
    /// </summary>
    internal static JsonObject? FunctionPart(AIContent content)
    {
        if (content.AdditionalProperties is not null || content.Annotations is not null)
        {
            return null;
        }

        if (content.GetType() == typeof(FunctionCallContent) && content is FunctionCallContent call)
        {
            JsonObject? arguments = null;
            if (call.Arguments is { } values)
            {
                arguments = [];
                foreach (var (name, value) in values)
                {
                    if (!TryNode(value, out var node))
                    {
                        return null;
                    }

                    arguments[name] = node;
                }
            }

            var part = new JsonObject { ["$type"] = "functionCall", ["name"] = call.Name };
            if (arguments is not null)
            {
                part["arguments"] = arguments;
            }

            part["informationalOnly"] = call.InformationalOnly;
            part["callId"] = call.CallId;
            return part;
        }

        if (content.GetType() == typeof(FunctionResultContent) && content is FunctionResultContent result
            && result.Result is not JsonElement { ValueKind: JsonValueKind.Null } && TryNode(result.Result, out var resultNode))
        {
            var part = new JsonObject { ["$type"] = "functionResult" };
            if (resultNode is not null)
            {
                part["result"] = resultNode;
            }

            part["callId"] = result.CallId;
            return part;
        }

        return null;
    }

    /// <summary>A value of a call's arguments or a result as a JSON node (<see langword="null"/> for null), when it is one of the plain kinds.</summary>
    private static bool TryNode(object? value, out JsonNode? node)
    {
        node = value switch
        {
            null => null,
            string text => JsonValue.Create(text),
            JsonElement { ValueKind: JsonValueKind.Null } => null,
            JsonElement { ValueKind: JsonValueKind.Undefined } => null,
            JsonElement { ValueKind: JsonValueKind.Object } element => JsonObject.Create(element),
            JsonElement { ValueKind: JsonValueKind.Array } element => JsonArray.Create(element),
            JsonElement element => JsonValue.Create(element),
            bool flag => JsonValue.Create(flag),
            int number => JsonValue.Create(number),
            long number => JsonValue.Create(number),
            double number => JsonValue.Create(number),
            _ => null,
        };
        return node is not null || value is null or JsonElement { ValueKind: JsonValueKind.Null };
    }

    /// <summary>A text part: <c>{"$type":"text","text":…}</c>, the shape <see cref="AIJsonUtilities.DefaultOptions"/> gives a plain <see cref="TextContent"/>.</summary>
    private static JsonObject TextPart(string text) => new() { ["$type"] = "text", ["text"] = text };

    /// <summary>Scrubs and caps every string value in a JSON tree, except attachment bytes and provider-opaque data.</summary>
    private JsonNode CleanTree(JsonNode node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var key in obj.Select(p => p.Key).ToList())
                {
                    if (key is "protectedData" || obj[key] is not { } child)
                    {
                        continue;
                    }

                    var cleaned = CleanTree(child);
                    if (!ReferenceEquals(cleaned, child))
                    {
                        obj[key] = cleaned;
                    }
                }

                return obj;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (array[i] is { } item && CleanTree(item) is var cleaned && !ReferenceEquals(cleaned, item))
                    {
                        array[i] = cleaned;
                    }
                }

                return array;
            case JsonValue value when value.GetValueKind() == JsonValueKind.String && value.GetValue<string>() is { } text && !IsDataUri(text):
                var clean = Clean(text);
                return ReferenceEquals(clean, text) || clean == text ? node : JsonValue.Create(clean);
            default:
                return node;
        }
    }

    private static bool IsDataUri(string text) =>
        text.StartsWith("data:", StringComparison.Ordinal) && text.Contains(";base64,", StringComparison.Ordinal);
}
