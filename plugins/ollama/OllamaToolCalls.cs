using System.Text.Json;
using Microsoft.Extensions.AI;

namespace AgentHost.Plugins.Ollama;

/// <summary>Ollama tool calls as <see cref="FunctionCallContent"/>.</summary>
internal static class OllamaToolCalls
{
    /// <summary>
    /// Converts one call. Ollama sends the arguments as a JSON object and (before 0.12) no id, so an id is generated;
    /// arguments that are a JSON string are parsed; anything else becomes a call whose <see cref="FunctionCallContent.Exception"/>
    /// the host reports back to the model.
    /// </summary>
    public static FunctionCallContent ToContent(OllamaToolCall call)
    {
        var id = string.IsNullOrWhiteSpace(call.Id) ? $"call_{Guid.NewGuid():N}" : call.Id;
        var name = call.Function?.Name ?? string.Empty;
        var arguments = call.Function?.Arguments;
        return arguments switch
        {
            null or { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined } => new FunctionCallContent(id, name, new Dictionary<string, object?>()),
            { ValueKind: JsonValueKind.Object } element => new FunctionCallContent(id, name, ToDictionary(element)),
            { ValueKind: JsonValueKind.String } text => FunctionCallContent.CreateFromParsedArguments(text.GetString() ?? "{}", id, name, Parse),
            { } other => new FunctionCallContent(id, name)
            {
                Exception = new InvalidDataException($"the tool arguments must be a JSON object, but the model sent {other.GetRawText()}"),
            },
        };
    }

    private static Dictionary<string, object?> Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.ValueKind == JsonValueKind.Object
            ? ToDictionary(document.RootElement)
            : throw new JsonException("the tool arguments must be a JSON object");
    }

    private static Dictionary<string, object?> ToDictionary(JsonElement element)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            result[property.Name] = property.Value.Clone();
        }

        return result;
    }
}
