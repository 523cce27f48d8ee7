using System.Globalization;
using System.Text.Json;

namespace AgentHost.Agent.Engine;

/// <summary>
/// Checks tool arguments against the JSON schema subset that <c>AIFunctionFactory</c> and MCP servers emit:
/// <c>type</c> (also arrays such as <c>["string","null"]</c>), <c>properties</c>, <c>required</c>,
/// <c>additionalProperties</c>, <c>enum</c>, <c>const</c>, <c>items</c>, <c>minItems</c>/<c>maxItems</c>,
/// <c>minLength</c>/<c>maxLength</c>, <c>minimum</c>/<c>maximum</c> (and the exclusive forms), <c>anyOf</c>,
/// <c>oneOf</c> (as any-of) and <c>allOf</c>. Other keywords (<c>format</c>, <c>pattern</c>, <c>$ref</c>, …) are ignored.
/// </summary>
/// <remarks>
/// A call's own arguments (the top level) are closed unless the schema says otherwise: a name the schema's
/// <c>properties</c> do not list is an error when <c>additionalProperties</c> is absent, because binding would drop it
/// silently (<c>AIFunctionFactory</c> binds declared parameters only, and so do most MCP servers' validators); a schema
/// with <c>additionalProperties: true</c> or a schema for them, or without <c>properties</c>, takes any. Nested objects
/// follow JSON Schema (open unless <c>additionalProperties: false</c>).
/// <c>integer</c> is strict: a number written with a fraction or exponent is not an integer, because binding it to an
/// integer parameter would fail later with a less helpful message. Stateless and thread-safe.
/// </remarks>
internal static class ToolArgumentValidator
{
    /// <summary>Validates <paramref name="arguments"/>; returns the problems (empty when valid), at most <paramref name="maxErrors"/>.</summary>
    /// <param name="schema">The tool's parameter schema.</param>
    /// <param name="arguments">The arguments object.</param>
    /// <param name="maxErrors">The most problems reported.</param>
    /// <returns>One line per problem, naming the argument path.</returns>
    public static IReadOnlyList<string> Validate(JsonElement schema, JsonElement arguments, int maxErrors = 8)
    {
        var errors = new List<string>();
        if (schema.ValueKind is JsonValueKind.Object or JsonValueKind.False)
        {
            Check(schema, arguments, string.Empty, errors, maxErrors);
            CheckUndeclared(schema, arguments, errors, maxErrors);
        }

        return errors;
    }

    private static void Check(JsonElement schema, JsonElement value, string path, List<string> errors, int maxErrors)
    {
        if (errors.Count >= maxErrors)
        {
            return;
        }

        if (schema.ValueKind == JsonValueKind.False)
        {
            errors.Add($"{Name(path)} is not allowed");
            return;
        }

        if (schema.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        if (schema.TryGetProperty("type", out var type) && !MatchesType(type, value))
        {
            errors.Add($"{Name(path)} must be {Describe(type)}, but got {KindOf(value)}");
            return;
        }

        if (schema.TryGetProperty("enum", out var allowed) && allowed.ValueKind == JsonValueKind.Array
            && !allowed.EnumerateArray().Any(a => JsonElement.DeepEquals(a, value)))
        {
            errors.Add($"{Name(path)} must be one of {string.Join(", ", allowed.EnumerateArray().Select(a => a.GetRawText()))}, but got {Short(value)}");
            return;
        }

        if (schema.TryGetProperty("const", out var constant) && !JsonElement.DeepEquals(constant, value))
        {
            errors.Add($"{Name(path)} must be {constant.GetRawText()}");
            return;
        }

        CheckCombinators(schema, value, path, errors, maxErrors);
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                CheckObject(schema, value, path, errors, maxErrors);
                break;
            case JsonValueKind.Array:
                CheckArray(schema, value, path, errors, maxErrors);
                break;
            case JsonValueKind.Number:
                CheckNumber(schema, value, path, errors);
                break;
            case JsonValueKind.String:
                CheckLength(schema, value.GetString()!.Length, "minLength", "maxLength", "characters", path, errors);
                break;
        }
    }

    /// <summary>The top level's names its schema does not declare, when it says nothing of others (see the remarks).</summary>
    private static void CheckUndeclared(JsonElement schema, JsonElement arguments, List<string> errors, int maxErrors)
    {
        if (schema.ValueKind != JsonValueKind.Object || arguments.ValueKind != JsonValueKind.Object
            || schema.TryGetProperty("additionalProperties", out _)
            || !schema.TryGetProperty("properties", out var properties) || properties.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        foreach (var property in arguments.EnumerateObject().Where(p => !properties.TryGetProperty(p.Name, out _)))
        {
            if (errors.Count >= maxErrors)
            {
                return;
            }

            var known = properties.EnumerateObject().Select(p => p.Name).ToList();
            errors.Add($"{Name(property.Name)} is not a known argument (allowed: {(known.Count == 0 ? "none" : string.Join(", ", known))})");
        }
    }

    private static void CheckCombinators(JsonElement schema, JsonElement value, string path, List<string> errors, int maxErrors)
    {
        if (schema.TryGetProperty("allOf", out var all) && all.ValueKind == JsonValueKind.Array)
        {
            foreach (var branch in all.EnumerateArray())
            {
                Check(branch, value, path, errors, maxErrors);
            }
        }

        foreach (var keyword in (ReadOnlySpan<string>)["anyOf", "oneOf"])
        {
            if (schema.TryGetProperty(keyword, out var any) && any.ValueKind == JsonValueKind.Array && any.GetArrayLength() > 0
                && !any.EnumerateArray().Any(branch => Validate(branch, value, maxErrors: 1).Count == 0))
            {
                var forms = any.EnumerateArray().Select(b => b.ValueKind == JsonValueKind.Object && b.TryGetProperty("type", out var t) ? Describe(t) : "another form");
                errors.Add($"{Name(path)} matches none of the allowed forms ({string.Join("; ", forms)}), but got {KindOf(value)}");
            }
        }
    }

    private static void CheckObject(JsonElement schema, JsonElement value, string path, List<string> errors, int maxErrors)
    {
        schema.TryGetProperty("properties", out var properties);
        var hasProperties = properties.ValueKind == JsonValueKind.Object;
        if (schema.TryGetProperty("required", out var required) && required.ValueKind == JsonValueKind.Array)
        {
            foreach (var name in required.EnumerateArray())
            {
                if (name.ValueKind == JsonValueKind.String && !value.TryGetProperty(name.GetString()!, out _))
                {
                    errors.Add($"{Name(Join(path, name.GetString()!))} is required but missing");
                }
            }
        }

        schema.TryGetProperty("additionalProperties", out var additional);
        foreach (var property in value.EnumerateObject())
        {
            if (hasProperties && properties.TryGetProperty(property.Name, out var propertySchema))
            {
                Check(propertySchema, property.Value, Join(path, property.Name), errors, maxErrors);
            }
            else if (additional.ValueKind == JsonValueKind.False)
            {
                var known = hasProperties ? string.Join(", ", properties.EnumerateObject().Select(p => p.Name)) : "none";
                errors.Add($"{Name(Join(path, property.Name))} is not a known argument (allowed: {known})");
            }
            else if (additional.ValueKind == JsonValueKind.Object)
            {
                Check(additional, property.Value, Join(path, property.Name), errors, maxErrors);
            }
        }
    }

    private static void CheckArray(JsonElement schema, JsonElement value, string path, List<string> errors, int maxErrors)
    {
        CheckLength(schema, value.GetArrayLength(), "minItems", "maxItems", "items", path, errors);
        if (schema.TryGetProperty("items", out var items) && items.ValueKind is JsonValueKind.Object or JsonValueKind.False)
        {
            var index = 0;
            foreach (var item in value.EnumerateArray())
            {
                Check(items, item, $"{path}[{index++}]", errors, maxErrors);
            }
        }
    }

    private static void CheckNumber(JsonElement schema, JsonElement value, string path, List<string> errors)
    {
        var number = value.GetDouble();
        if (Bound(schema, "minimum") is { } min && number < min)
        {
            errors.Add($"{Name(path)} must be at least {Format(min)}, but got {value.GetRawText()}");
        }

        if (Bound(schema, "maximum") is { } max && number > max)
        {
            errors.Add($"{Name(path)} must be at most {Format(max)}, but got {value.GetRawText()}");
        }

        if (Bound(schema, "exclusiveMinimum") is { } exclusiveMin && number <= exclusiveMin)
        {
            errors.Add($"{Name(path)} must be greater than {Format(exclusiveMin)}, but got {value.GetRawText()}");
        }

        if (Bound(schema, "exclusiveMaximum") is { } exclusiveMax && number >= exclusiveMax)
        {
            errors.Add($"{Name(path)} must be less than {Format(exclusiveMax)}, but got {value.GetRawText()}");
        }
    }

    private static void CheckLength(JsonElement schema, int length, string minKeyword, string maxKeyword, string unit, string path, List<string> errors)
    {
        if (Bound(schema, minKeyword) is { } min && length < min)
        {
            errors.Add($"{Name(path)} must have at least {Format(min)} {unit}, but has {length}");
        }

        if (Bound(schema, maxKeyword) is { } max && length > max)
        {
            errors.Add($"{Name(path)} must have at most {Format(max)} {unit}, but has {length}");
        }
    }

    private static bool MatchesType(JsonElement type, JsonElement value) => type.ValueKind switch
    {
        JsonValueKind.String => Matches(type.GetString()!, value),
        JsonValueKind.Array => type.EnumerateArray().Any(t => t.ValueKind == JsonValueKind.String && Matches(t.GetString()!, value)),
        _ => true,
    };

    private static bool Matches(string type, JsonElement value) => type switch
    {
        "object" => value.ValueKind == JsonValueKind.Object,
        "array" => value.ValueKind == JsonValueKind.Array,
        "string" => value.ValueKind == JsonValueKind.String,
        "number" => value.ValueKind == JsonValueKind.Number,
        "integer" => value.ValueKind == JsonValueKind.Number && value.GetRawText().AsSpan().IndexOfAny('.', 'e', 'E') < 0,
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "null" => value.ValueKind == JsonValueKind.Null,
        _ => true,
    };

    private static string Describe(JsonElement type) => type.ValueKind == JsonValueKind.Array
        ? string.Join(" or ", type.EnumerateArray().Select(t => Article(t.GetString() ?? "?")))
        : Article(type.GetString() ?? "?");

    private static string Article(string type) => type switch
    {
        "null" => "null",
        "array" or "object" or "integer" => "an " + type,
        _ => "a " + type,
    };

    private static string KindOf(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => $"a string ({Short(value)})",
        JsonValueKind.Number => $"a number ({value.GetRawText()})",
        JsonValueKind.True or JsonValueKind.False => $"a boolean ({value.GetRawText()})",
        _ => "null",
    };

    private static string Short(JsonElement value)
    {
        var text = value.GetRawText();
        return text.Length <= 60 ? text : string.Concat(text.AsSpan(0, 57), "...");
    }

    private static double? Bound(JsonElement schema, string keyword) =>
        schema.TryGetProperty(keyword, out var bound) && bound.ValueKind == JsonValueKind.Number ? bound.GetDouble() : null;

    private static string Format(double value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    private static string Name(string path) => path.Length == 0 ? "the arguments" : $"'{path}'";
}
