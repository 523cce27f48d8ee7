using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentHost.Hosting.Text;
using AgentHost.Workflows.Model;
using YamlDotNet.RepresentationModel;

namespace AgentHost.Workflows.Parsing;

/// <summary>Typed reads of one YAML mapping's fields, each wrong value reported with its line and dotted field name.</summary>
/// <param name="map">The mapping.</param>
/// <param name="prefix">The field-name prefix (<c>verify.</c>, <c>budget.</c>, or empty).</param>
/// <param name="problems">Where problems go.</param>
internal sealed class YamlFields(YamlMappingNode map, string prefix, WorkflowProblems problems)
{
    /// <summary>The mapping.</summary>
    public YamlMappingNode Map { get; } = map;

    /// <summary>The problems.</summary>
    public WorkflowProblems Problems { get; } = problems;

    /// <summary>The dotted name of a field.</summary>
    /// <param name="key">The key.</param>
    /// <returns><c>prefix + key</c>.</returns>
    public string Name(string key) => prefix + key;

    /// <summary>The value of a key, or null when absent.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The node.</returns>
    public YamlNode? Get(string key) => Map.Children.TryGetValue(new YamlScalarNode(key), out var node) ? node : null;

    /// <summary>Whether the key is present (even with a null value).</summary>
    /// <param name="key">The key.</param>
    /// <returns>Whether it is there.</returns>
    public bool Has(string key) => Get(key) is not null;

    /// <summary>Reports every key not in <paramref name="allowed"/>, with a "did you mean".</summary>
    /// <param name="allowed">The fields this mapping may have.</param>
    /// <param name="what">What the mapping is (<c>an agent node</c>), for the fix.</param>
    /// <param name="owner">For a key that is valid elsewhere: the kind of thing it belongs to, or null.</param>
    public void RejectUnknown(IReadOnlyCollection<string> allowed, string what, Func<string, string?>? owner = null)
    {
        foreach (var key in Map.Children.Keys)
        {
            var name = (key as YamlScalarNode)?.Value ?? key.ToString();
            if (allowed.Contains(name))
            {
                continue;
            }

            var elsewhere = owner?.Invoke(name);
            var hint = WorkflowProblems.DidYouMean(name, allowed);
            Problems.Add(key, Name(name), elsewhere is null ? "unknown field" : $"is not a field of {what} (it belongs to {elsewhere})",
                $"{hint}the fields of {what} are: {string.Join(", ", allowed)}");
        }
    }

    /// <summary>Reads a text field; any non-null scalar counts as text.</summary>
    /// <param name="key">The key.</param>
    /// <param name="required">Whether it must be present and non-empty.</param>
    /// <param name="fix">The fix when missing.</param>
    /// <returns>The text, or null.</returns>
    public string? Text(string key, bool required = false, string? fix = null)
    {
        var node = Get(key);
        if (node is null)
        {
            if (required)
            {
                Problems.Add(Map, Name(key), "is required", fix ?? $"add '{key}:'");
            }

            return null;
        }

        if (node is not YamlScalarNode scalar)
        {
            Problems.Add(node, Name(key), $"must be a text value, found {Describe(node)}", "write it on one line, or as a block with '|'");
            return null;
        }

        if (YamlJson.IsPlain(scalar) && YamlJson.Scalar(scalar) is null || scalar.Value is null || (required && scalar.Value.Trim().Length == 0))
        {
            if (required)
            {
                Problems.Add(node, Name(key), "must not be empty", fix ?? $"give '{key}' a value");
            }

            return null;
        }

        return scalar.Value;
    }

    /// <summary>Reads a text field that must be one of <paramref name="options"/>.</summary>
    /// <param name="key">The key.</param>
    /// <param name="options">The allowed values.</param>
    /// <returns>The value, or null when absent or wrong.</returns>
    public string? Choice(string key, IReadOnlyList<string> options)
    {
        var value = Text(key);
        if (value is null || options.Contains(value))
        {
            return value;
        }

        Problems.Add(Get(key), Name(key), $"'{value}' is not one of {string.Join(", ", options)}", $"{WorkflowProblems.DidYouMean(value, options)}use one of: {string.Join(", ", options)}");
        return null;
    }

    /// <summary>Reads an integer in a range.</summary>
    /// <param name="key">The key.</param>
    /// <param name="min">The smallest allowed.</param>
    /// <param name="max">The largest allowed.</param>
    /// <param name="required">Whether it must be present.</param>
    /// <param name="fix">The fix when missing or out of range.</param>
    /// <returns>The value, or null.</returns>
    public int? Integer(string key, int min, int max = int.MaxValue, bool required = false, string? fix = null)
    {
        var node = Get(key);
        var range = max == int.MaxValue ? $"at least {min}" : $"from {min} to {max}";
        if (node is null)
        {
            if (required)
            {
                Problems.Add(Map, Name(key), "is required", fix ?? $"add '{key}:' with a whole number {range}");
            }

            return null;
        }

        var value = Value(node);
        if (!WorkflowValuesKind.IsInteger(value, out var number))
        {
            Problems.Add(node, Name(key), $"must be a whole number, found {Describe(node)}", fix ?? $"write a whole number {range}");
            return null;
        }

        if (number < min || number > max)
        {
            Problems.Add(node, Name(key), $"must be {range}, found {number.ToString(CultureInfo.InvariantCulture)}", fix ?? $"write a whole number {range}");
            return null;
        }

        return (int)number;
    }

    /// <summary>Reads a positive number.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The value, or null.</returns>
    public decimal? PositiveNumber(string key)
    {
        var node = Get(key);
        if (node is null)
        {
            return null;
        }

        if (!Expressions.WorkflowValues.TryNumber(Value(node), out var number) || number <= 0)
        {
            Problems.Add(node, Name(key), $"must be a number above 0, found {Describe(node)}", "write a number such as 2.50");
            return null;
        }

        return number;
    }

    /// <summary>Reads a boolean.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The value, or null.</returns>
    public bool? Boolean(string key)
    {
        var node = Get(key);
        if (node is null)
        {
            return null;
        }

        var value = Value(node);
        if (value is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False)
        {
            return v.GetValueKind() == JsonValueKind.True;
        }

        Problems.Add(node, Name(key), $"must be true or false, found {Describe(node)}", $"write '{key}: true' or '{key}: false'");
        return null;
    }

    /// <summary>Reads a duration (<c>90s</c>, <c>10m</c>, <c>2h</c>, <c>1h30m</c>).</summary>
    /// <param name="key">The key.</param>
    /// <returns>The value, or null.</returns>
    public TimeSpan? Duration(string key)
    {
        var node = Get(key);
        if (node is null)
        {
            return null;
        }

        var text = (node as YamlScalarNode)?.Value?.Trim() ?? string.Empty;
        if (DurationText.TryParse(text, out var duration))
        {
            return duration;
        }

        Problems.Add(node, Name(key), $"'{(node is YamlScalarNode ? text : Describe(node))}' is not a duration", "write a duration such as 90s, 10m, 2h or 1h30m");
        return null;
    }

    /// <summary>Reads a list of non-empty texts.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The texts (empty when absent), or null when wrong.</returns>
    public IReadOnlyList<string>? TextList(string key)
    {
        var node = Get(key);
        if (node is null)
        {
            return [];
        }

        if (node is not YamlSequenceNode sequence)
        {
            Problems.Add(node, Name(key), $"must be a list, found {Describe(node)}", $"write a list: '{key}: [a, b]' or one '- item' a line");
            return null;
        }

        var result = new List<string>();
        foreach (var item in sequence.Children)
        {
            if (item is YamlScalarNode { Value: { Length: > 0 } text } && !(YamlJson.IsPlain((YamlScalarNode)item) && YamlJson.Scalar((YamlScalarNode)item) is null))
            {
                result.Add(text);
            }
            else
            {
                Problems.Add(item, Name(key), $"items must be non-empty text values, found {Describe(item)}", "write each item as text");
                return null;
            }
        }

        return result;
    }

    /// <summary>Describes a node's shape for messages: <c>a list</c>, <c>a mapping</c>, <c>'text'</c>.</summary>
    /// <param name="node">The node.</param>
    /// <returns>The description.</returns>
    public static string Describe(YamlNode node) => node switch
    {
        YamlSequenceNode => "a list",
        YamlMappingNode => "a mapping",
        YamlScalarNode s when YamlJson.IsPlain(s) && YamlJson.Scalar(s) is null => "nothing",
        YamlScalarNode s => $"'{s.Value}'",
        _ => "an alias",
    };

    private static JsonNode? Value(YamlNode node) => YamlJson.Convert(node);

}

/// <summary>JSON kind checks for input types and defaults.</summary>
internal static class WorkflowValuesKind
{
    /// <summary>Whether a value is a whole number.</summary>
    /// <param name="value">The value.</param>
    /// <param name="number">The number.</param>
    /// <returns>Whether it is one.</returns>
    public static bool IsInteger(JsonNode? value, out decimal number) =>
        Expressions.WorkflowValues.TryNumber(value, out number) && number == decimal.Truncate(number);

    /// <summary>Whether a value has the JSON type.</summary>
    /// <param name="value">The value.</param>
    /// <param name="type">The type.</param>
    /// <returns>Whether it matches.</returns>
    public static bool Matches(JsonNode? value, Model.WorkflowValueType type) => type switch
    {
        Model.WorkflowValueType.String => value is JsonValue v && v.GetValueKind() == JsonValueKind.String,
        Model.WorkflowValueType.Integer => IsInteger(value, out _),
        Model.WorkflowValueType.Number => Expressions.WorkflowValues.TryNumber(value, out _),
        Model.WorkflowValueType.Boolean => value is JsonValue b && b.GetValueKind() is JsonValueKind.True or JsonValueKind.False,
        Model.WorkflowValueType.Object => value is JsonObject,
        Model.WorkflowValueType.Array => value is JsonArray,
        _ => false,
    };
}
