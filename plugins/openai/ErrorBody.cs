using System.Globalization;
using System.Text.Json;

namespace AgentHost.Plugins.OpenAI;

/// <summary>
/// What an error body says, across the shapes OpenAI-compatible servers use: <c>{"error": {"message", "type",
/// "code"}}</c> (OpenAI, DeepSeek, OpenRouter with a numeric code, llama.cpp), <c>{"error": "text"}</c>,
/// <c>{"message", "type", "code"}</c> (older vLLM) and <c>{"detail": "text"}</c>.
/// </summary>
internal readonly record struct ErrorBody(string? Message, string? Type, string? Code)
{
    /// <summary>The code when it is a number (OpenRouter puts the HTTP status there).</summary>
    public int? NumericCode => int.TryParse(Code, NumberStyles.Integer, CultureInfo.InvariantCulture, out var code) ? code : null;

    /// <summary>Reads a body; anything unreadable gives an empty result.</summary>
    /// <param name="json">The body, or the <c>error</c> value itself when <paramref name="wrapped"/> is false.</param>
    /// <param name="wrapped">Whether <paramref name="json"/> is a whole response body.</param>
    /// <returns>What it says.</returns>
    public static ErrorBody Parse(ReadOnlyMemory<byte> json, bool wrapped)
    {
        if (json.IsEmpty)
        {
            return default;
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (!wrapped)
            {
                return From(root);
            }

            return root.ValueKind != JsonValueKind.Object ? default
                : root.TryGetProperty("error", out var error) && error.ValueKind is JsonValueKind.Object or JsonValueKind.String ? From(error)
                : root.TryGetProperty("detail", out var detail) && detail.ValueKind == JsonValueKind.String ? new ErrorBody(detail.GetString(), null, null)
                : From(root);
        }
        catch (JsonException)
        {
            var text = System.Text.Encoding.UTF8.GetString(json.Span).Trim();
            return text.Length is > 0 and <= 500 && !text.StartsWith('<') ? new ErrorBody(text, null, null) : default;
        }
    }

    private static ErrorBody From(JsonElement error) => error.ValueKind switch
    {
        JsonValueKind.String => new ErrorBody(error.GetString(), null, null),
        JsonValueKind.Object => new ErrorBody(Text(error, "message"), Text(error, "type"), Text(error, "code")),
        _ => default,
    };

    private static string? Text(JsonElement element, string name) =>
        !element.TryGetProperty(name, out var value) ? null
        : value.ValueKind switch
        {
            JsonValueKind.String => value.GetString() is { Length: > 0 } text ? text : null,
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        };
}
