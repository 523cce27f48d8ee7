using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace AgentHost.Testing;

/// <summary>Turns the arguments a test passes (anonymous object, dictionary, JSON text or JSON value) into JSON text.</summary>
internal static class ToolArguments
{
    private static readonly JsonSerializerOptions Options = new() { TypeInfoResolver = new DefaultJsonTypeInfoResolver() };

    /// <summary>The arguments as JSON text; <c>{}</c> for <see langword="null"/>. Strings are taken as JSON as they are.</summary>
    public static string ToJson(object? arguments) => arguments switch
    {
        null => "{}",
        string json => string.IsNullOrWhiteSpace(json) ? "{}" : json,
        JsonElement element => element.GetRawText(),
        JsonNode node => node.ToJsonString(),
        _ => JsonSerializer.Serialize(arguments, arguments.GetType(), Options),
    };

    /// <summary>The arguments as the name/value map of a model's function call.</summary>
    /// <exception cref="ArgumentException">The arguments are not one JSON object.</exception>
    public static Dictionary<string, object?> ToDictionary(string toolName, object? arguments)
    {
        var json = ToJson(arguments);
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                return document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone(), StringComparer.Ordinal);
            }
        }
        catch (JsonException ex)
        {
            throw new ArgumentException($"the arguments of the scripted call to '{toolName}' are not valid JSON ({ex.Message}): {json}. Pass an anonymous object, a dictionary or one JSON object.", nameof(arguments), ex);
        }

        throw new ArgumentException($"the arguments of the scripted call to '{toolName}' must be one JSON object, but are: {json}. Pass an anonymous object such as new {{ name = \"Ada\" }}.", nameof(arguments));
    }
}
