using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentHost.Workflows.Expressions;

/// <summary>The value rules of conditions and templates: truthiness, equality, ordering and text form.</summary>
internal static class WorkflowValues
{
    private static readonly JsonSerializerOptions Compact = new()
    {
        WriteIndented = false,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Whether a value counts as true: not missing, null, false, 0, "" or an empty array or object.</summary>
    /// <param name="value">The value.</param>
    /// <returns>Its truth.</returns>
    public static bool IsTruthy(JsonNode? value) => value switch
    {
        null => false,
        JsonArray array => array.Count > 0,
        JsonObject obj => obj.Count > 0,
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.True => true,
            JsonValueKind.String => v.GetValue<string>().Length > 0,
            JsonValueKind.Number => TryNumber(v, out var n) && n != 0,
            _ => false,
        },
        _ => false,
    };

    /// <summary>Equality: numbers numerically, strings ordinally, arrays and objects deeply; null equals only null.</summary>
    /// <param name="left">One value.</param>
    /// <param name="right">The other.</param>
    /// <returns>Whether they are equal.</returns>
    public static bool AreEqual(JsonNode? left, JsonNode? right)
    {
        if (IsNull(left) || IsNull(right))
        {
            return IsNull(left) && IsNull(right);
        }

        if (TryNumber(left, out var a) && TryNumber(right, out var b))
        {
            return a == b;
        }

        if (left is JsonValue && right is JsonValue)
        {
            return left.GetValueKind() == right.GetValueKind() && left.GetValueKind() switch
            {
                JsonValueKind.String => string.Equals(left.GetValue<string>(), right.GetValue<string>(), StringComparison.Ordinal),
                _ => true, // true == true, false == false
            };
        }

        if (left is JsonArray la && right is JsonArray ra)
        {
            return la.Count == ra.Count && la.Zip(ra).All(pair => AreEqual(pair.First, pair.Second));
        }

        if (left is JsonObject lo && right is JsonObject ro)
        {
            return lo.Count == ro.Count && lo.All(p => ro.TryGetPropertyValue(p.Key, out var other) && AreEqual(p.Value, other));
        }

        return false;
    }

    /// <summary>Orders two numbers numerically or two strings ordinally; null for any other pair.</summary>
    /// <param name="left">One value.</param>
    /// <param name="right">The other.</param>
    /// <returns>The sign of the comparison, or null when the values are not comparable.</returns>
    public static int? Compare(JsonNode? left, JsonNode? right)
    {
        if (TryNumber(left, out var a) && TryNumber(right, out var b))
        {
            return a.CompareTo(b);
        }

        if (TryString(left, out var s) && TryString(right, out var t))
        {
            return Math.Sign(string.CompareOrdinal(s, t));
        }

        return null;
    }

    /// <summary><c>contains</c>: a substring of a string, an element of an array, a key of an object.</summary>
    /// <param name="container">The left side.</param>
    /// <param name="item">The right side.</param>
    /// <returns>Whether it contains the item.</returns>
    public static bool Contains(JsonNode? container, JsonNode? item) => container switch
    {
        JsonArray array => array.Any(element => AreEqual(element, item)),
        JsonObject obj => TryString(item, out var key) && obj.ContainsKey(key),
        _ => TryString(container, out var text) && TryString(item, out var part) && text.Contains(part, StringComparison.Ordinal),
    };

    /// <summary>The text a template inserts: strings as they are, null as nothing, anything else as compact JSON.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The text.</returns>
    public static string ToText(JsonNode? value) =>
        IsNull(value) ? string.Empty : TryString(value, out var text) ? text : ToJson(value);

    /// <summary>Compact JSON without escaping non-ASCII letters or HTML characters.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The JSON text (<c>null</c> for null).</returns>
    public static string ToJson(JsonNode? value) => value is null ? "null" : value.ToJsonString(Compact);

    /// <summary>Reads a JSON number as a decimal (or, when too large, as the nearest decimal of its double).</summary>
    /// <param name="value">The value.</param>
    /// <param name="number">The number.</param>
    /// <returns>Whether the value is a number.</returns>
    public static bool TryNumber(JsonNode? value, out decimal number)
    {
        number = 0;
        if (value is not JsonValue v || v.GetValueKind() != JsonValueKind.Number)
        {
            return false;
        }

        var text = v.ToJsonString();
        if (decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out number))
        {
            return true;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
        {
            number = d > (double)decimal.MaxValue ? decimal.MaxValue : d < (double)decimal.MinValue ? decimal.MinValue : (decimal)d;
            return true;
        }

        return false;
    }

    private static bool TryString(JsonNode? value, out string text)
    {
        if (value is JsonValue v && v.GetValueKind() == JsonValueKind.String)
        {
            text = v.GetValue<string>();
            return true;
        }

        text = string.Empty;
        return false;
    }

    private static bool IsNull(JsonNode? value) => value is null || (value is JsonValue v && v.GetValueKind() == JsonValueKind.Null);
}
