using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentHost.Hosting;
using AgentHost.Workflows.Model;

namespace AgentHost.Workflows.Engine;

/// <summary>
/// Checks a run's inputs against the workflow's declarations: every given input must be declared, required ones must
/// be given, defaults fill the rest, and text (from <c>--input k=v</c>) becomes the declared integer, number, boolean,
/// object or array.
/// </summary>
internal static class WorkflowInputs
{
    /// <summary>The inputs object of the run's scope.</summary>
    /// <param name="definition">The workflow.</param>
    /// <param name="given">Input name → value (a string from the command line, or any JSON).</param>
    /// <returns>The inputs, each of its declared type.</returns>
    /// <exception cref="AgentHostException">An unknown, missing or ill-typed input (<see cref="ErrorKind.Usage"/>), named with the fix.</exception>
    public static JsonObject Bind(WorkflowDefinition definition, IReadOnlyDictionary<string, JsonNode?> given)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(given);
        var declared = definition.Inputs.ToDictionary(i => i.Name, StringComparer.Ordinal);
        foreach (var name in given.Keys.Where(k => !declared.ContainsKey(k)))
        {
            var known = declared.Count == 0 ? "it declares no inputs" : $"its inputs are {string.Join(", ", declared.Keys)}";
            throw new AgentHostException(ErrorKind.Usage, $"input '{name}': workflow '{definition.Name}' has no such input ({known}).");
        }

        var bound = new JsonObject();
        foreach (var input in definition.Inputs)
        {
            if (given.TryGetValue(input.Name, out var value))
            {
                bound[input.Name] = Convert(definition.Name, input, value);
            }
            else if (input.Default is { } fallback)
            {
                bound[input.Name] = fallback.DeepClone();
            }
            else if (input.Required)
            {
                throw new AgentHostException(
                    ErrorKind.Usage,
                    $"input '{input.Name}' of workflow '{definition.Name}' is required{(input.Description is { } d ? $" ({d})" : string.Empty)}: give it with --input {input.Name}=VALUE.");
            }
        }

        return bound;
    }

    private static JsonNode? Convert(string workflow, WorkflowInput input, JsonNode? value)
    {
        var text = value is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
        JsonNode? converted = input.Type switch
        {
            WorkflowValueType.String => text is not null ? JsonValue.Create(text) : value?.GetValueKind() is JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False ? JsonValue.Create(value.ToJsonString()) : null,
            WorkflowValueType.Integer when text is not null => long.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) ? JsonValue.Create(l) : null,
            WorkflowValueType.Integer => value is JsonValue n && n.TryGetValue<long>(out var l2) ? JsonValue.Create(l2) : value is JsonValue d && d.TryGetValue<double>(out var dd) && dd == Math.Floor(dd) ? JsonValue.Create((long)dd) : null,
            WorkflowValueType.Number when text is not null => decimal.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var m) ? JsonValue.Create(m) : null,
            WorkflowValueType.Number => value?.GetValueKind() == JsonValueKind.Number ? value.DeepClone() : null,
            WorkflowValueType.Boolean when text is not null => text.Trim().ToLowerInvariant() switch { "true" or "yes" or "1" => JsonValue.Create(true), "false" or "no" or "0" => JsonValue.Create(false), _ => null },
            WorkflowValueType.Boolean => value?.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? value.DeepClone() : null,
            WorkflowValueType.Object => Parsed(text, value) is JsonObject o ? o : null,
            WorkflowValueType.Array => Parsed(text, value) is JsonArray a ? a : null,
            _ => null,
        };
        return converted ?? throw new AgentHostException(
            ErrorKind.Usage,
            $"input '{input.Name}' of workflow '{workflow}' must be {Article(input.Type)}, not {Shown(value)}.");
    }

    private static JsonNode? Parsed(string? text, JsonNode? value)
    {
        if (text is null)
        {
            return value?.DeepClone();
        }

        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Article(WorkflowValueType type) => type switch
    {
        WorkflowValueType.Integer => "an integer (e.g. 3)",
        WorkflowValueType.Number => "a number (e.g. 2.5)",
        WorkflowValueType.Boolean => "a boolean (true or false)",
        WorkflowValueType.Object => "a JSON object (e.g. {\"a\": 1}, or use --input-file)",
        WorkflowValueType.Array => "a JSON array (e.g. [1, 2], or use --input-file)",
        _ => "a string",
    };

    private static string Shown(JsonNode? value) => value is null ? "null" : value.ToJsonString();
}
