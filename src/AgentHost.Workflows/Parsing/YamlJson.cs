using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace AgentHost.Workflows.Parsing;

/// <summary>
/// Converts YAML nodes to JSON (the YAML 1.2 core schema: plain <c>null</c>/<c>~</c>/empty are null, <c>true</c>/<c>false</c>
/// booleans, plain numbers numbers; quoted and block scalars are always text).
/// </summary>
internal static partial class YamlJson
{
    /// <summary>Converts a node and everything below it.</summary>
    /// <param name="node">The YAML node.</param>
    /// <returns>The JSON value (null for a YAML null).</returns>
    public static JsonNode? Convert(YamlNode node) => node switch
    {
        YamlScalarNode scalar => Scalar(scalar),
        YamlSequenceNode sequence => new JsonArray(sequence.Children.Select(Convert).ToArray()),
        YamlMappingNode mapping => Mapping(mapping),
        _ => null,
    };

    /// <summary>Whether a scalar is written plain (not quoted, not a block), so that it may be a number, boolean or null.</summary>
    /// <param name="scalar">The scalar.</param>
    /// <returns>Whether it is plain and untagged.</returns>
    public static bool IsPlain(YamlScalarNode scalar) =>
        scalar.Style is ScalarStyle.Plain or ScalarStyle.Any && (scalar.Tag.IsEmpty || scalar.Tag.Value == "?");

    /// <summary>The JSON value of one scalar.</summary>
    /// <param name="scalar">The scalar.</param>
    /// <returns>The value.</returns>
    public static JsonNode? Scalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? string.Empty;
        if (!IsPlain(scalar))
        {
            return JsonValue.Create(text);
        }

        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE":
                return JsonValue.Create(true);
            case "false" or "False" or "FALSE":
                return JsonValue.Create(false);
        }

        if (IntegerPattern().IsMatch(text))
        {
            if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
            {
                return Number(integer.ToString(CultureInfo.InvariantCulture));
            }

            if (decimal.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var big))
            {
                return Number(big.ToString(CultureInfo.InvariantCulture));
            }
        }

        if (FloatPattern().IsMatch(text))
        {
            if (decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
            {
                return Number(number.ToString(CultureInfo.InvariantCulture));
            }

            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d))
            {
                return Number(d.ToString("R", CultureInfo.InvariantCulture));
            }
        }

        return JsonValue.Create(text);
    }

    /// <summary>A number backed by its JSON text, so that <c>GetValue&lt;int&gt;</c>, <c>&lt;long&gt;</c>, <c>&lt;decimal&gt;</c> and <c>&lt;double&gt;</c> all work.</summary>
    private static JsonNode? Number(string json) => JsonNode.Parse(json);

    private static JsonObject Mapping(YamlMappingNode mapping)
    {
        var result = new JsonObject();
        foreach (var (key, value) in mapping.Children)
        {
            var name = key is YamlScalarNode scalar ? scalar.Value ?? string.Empty : key.ToString();
            result[name] = Convert(value);
        }

        return result;
    }

    [GeneratedRegex(@"^[-+]?[0-9]+$", RegexOptions.CultureInvariant)]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex FloatPattern();
}
