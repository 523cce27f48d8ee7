using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace AgentHost.Sdk.Tools;

/// <summary>
/// Typed reading of a call's arguments, whether they arrived as JSON from the host or as CLR values from a test or
/// another tool. Required readers throw a <see cref="ToolException"/> naming the argument and what was expected when
/// it is missing; every reader throws one when the argument has the wrong type, so the model can fix its call.
/// A JSON <c>null</c> counts as missing.
/// </summary>
public static class ToolArguments
{
    /// <summary>Reads a required string argument.</summary>
    /// <param name="arguments">The call's arguments.</param>
    /// <param name="name">The argument's name.</param>
    /// <returns>The string (possibly empty).</returns>
    /// <exception cref="ToolException">The argument is missing or not a string.</exception>
    public static string GetString(this AIFunctionArguments arguments, string name) =>
        arguments.GetOptionalString(name) ?? throw Missing(name, "a string");

    /// <summary>Reads an optional string argument.</summary>
    /// <param name="arguments">The call's arguments.</param>
    /// <param name="name">The argument's name.</param>
    /// <returns>The string, or <see langword="null"/> when absent.</returns>
    /// <exception cref="ToolException">The argument is present but not a string.</exception>
    public static string? GetOptionalString(this AIFunctionArguments arguments, string name) => Value(arguments, name) switch
    {
        null => null,
        string text => text,
        JsonElement { ValueKind: JsonValueKind.String } element => element.GetString(),
        var other => throw Wrong(name, "a string", other),
    };

    /// <summary>Reads a required integer argument.</summary>
    /// <param name="arguments">The call's arguments.</param>
    /// <param name="name">The argument's name.</param>
    /// <returns>The integer.</returns>
    /// <exception cref="ToolException">The argument is missing or not a whole number in range.</exception>
    public static int GetInt32(this AIFunctionArguments arguments, string name) =>
        arguments.GetOptionalInt32(name) ?? throw Missing(name, "an integer");

    /// <summary>Reads an optional integer argument.</summary>
    /// <param name="arguments">The call's arguments.</param>
    /// <param name="name">The argument's name.</param>
    /// <returns>The integer, or <see langword="null"/> when absent.</returns>
    /// <exception cref="ToolException">The argument is present but not a whole number in range.</exception>
    public static int? GetOptionalInt32(this AIFunctionArguments arguments, string name) => Value(arguments, name) switch
    {
        null => null,
        int number => number,
        long number when number is >= int.MinValue and <= int.MaxValue => (int)number,
        JsonElement { ValueKind: JsonValueKind.Number } element when element.TryGetInt32(out var number) => number,
        var other => throw Wrong(name, "an integer", other),
    };

    /// <summary>Reads a required boolean argument.</summary>
    /// <param name="arguments">The call's arguments.</param>
    /// <param name="name">The argument's name.</param>
    /// <returns>The boolean.</returns>
    /// <exception cref="ToolException">The argument is missing or not <c>true</c>/<c>false</c>.</exception>
    public static bool GetBoolean(this AIFunctionArguments arguments, string name) =>
        arguments.GetOptionalBoolean(name) ?? throw Missing(name, "true or false");

    /// <summary>Reads an optional boolean argument.</summary>
    /// <param name="arguments">The call's arguments.</param>
    /// <param name="name">The argument's name.</param>
    /// <returns>The boolean, or <see langword="null"/> when absent.</returns>
    /// <exception cref="ToolException">The argument is present but not <c>true</c>/<c>false</c>.</exception>
    public static bool? GetOptionalBoolean(this AIFunctionArguments arguments, string name) => Value(arguments, name) switch
    {
        null => null,
        bool flag => flag,
        JsonElement { ValueKind: JsonValueKind.True } => true,
        JsonElement { ValueKind: JsonValueKind.False } => false,
        var other => throw Wrong(name, "true or false", other),
    };

    /// <summary>Reads a required array of strings.</summary>
    /// <param name="arguments">The call's arguments.</param>
    /// <param name="name">The argument's name.</param>
    /// <returns>The strings.</returns>
    /// <exception cref="ToolException">The argument is missing or not an array of strings.</exception>
    public static IReadOnlyList<string> GetStringArray(this AIFunctionArguments arguments, string name) =>
        arguments.GetOptionalStringArray(name) ?? throw Missing(name, "an array of strings");

    /// <summary>Reads an optional array of strings.</summary>
    /// <param name="arguments">The call's arguments.</param>
    /// <param name="name">The argument's name.</param>
    /// <returns>The strings, or <see langword="null"/> when absent.</returns>
    /// <exception cref="ToolException">The argument is present but not an array of strings.</exception>
    public static IReadOnlyList<string>? GetOptionalStringArray(this AIFunctionArguments arguments, string name) => Value(arguments, name) switch
    {
        null => null,
        IEnumerable<string> many => [.. many],
        JsonElement { ValueKind: JsonValueKind.Array } array when array.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String) =>
            [.. array.EnumerateArray().Select(e => e.GetString() ?? string.Empty)],
        var other => throw Wrong(name, "an array of strings", other),
    };

    /// <summary>Reads a required enumeration argument, matching its names case-insensitively (<c>_</c> and <c>-</c> ignored).</summary>
    /// <typeparam name="TEnum">The enumeration.</typeparam>
    /// <param name="arguments">The call's arguments.</param>
    /// <param name="name">The argument's name.</param>
    /// <returns>The value.</returns>
    /// <exception cref="ToolException">The argument is missing or not one of the enumeration's names (the message lists them).</exception>
    public static TEnum GetEnum<TEnum>(this AIFunctionArguments arguments, string name)
        where TEnum : struct, Enum =>
        arguments.GetOptionalEnum<TEnum>(name) ?? throw Missing(name, OneOf<TEnum>());

    /// <summary>Reads an optional enumeration argument, matching its names case-insensitively (<c>_</c> and <c>-</c> ignored).</summary>
    /// <typeparam name="TEnum">The enumeration.</typeparam>
    /// <param name="arguments">The call's arguments.</param>
    /// <param name="name">The argument's name.</param>
    /// <returns>The value, or <see langword="null"/> when absent.</returns>
    /// <exception cref="ToolException">The argument is present but not one of the enumeration's names (the message lists them).</exception>
    public static TEnum? GetOptionalEnum<TEnum>(this AIFunctionArguments arguments, string name)
        where TEnum : struct, Enum
    {
        var value = Value(arguments, name);
        if (value is null)
        {
            return null;
        }

        if (value is TEnum typed)
        {
            return typed;
        }

        var text = value switch
        {
            string s => s,
            JsonElement { ValueKind: JsonValueKind.String } element => element.GetString(),
            _ => null,
        };
        if (text is not null)
        {
            var key = Simplify(text);
            foreach (var candidate in Enum.GetValues<TEnum>())
            {
                if (string.Equals(Simplify(candidate.ToString()), key, StringComparison.OrdinalIgnoreCase))
                {
                    return candidate;
                }
            }
        }

        throw Wrong(name, OneOf<TEnum>(), value);
    }

    private static object? Value(AIFunctionArguments arguments, string name)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(name);
        return arguments.TryGetValue(name, out var value)
            ? value is JsonElement { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined } ? null : value
            : null;
    }

    private static ToolException Missing(string name, string expected) =>
        new($"argument '{name}' is required: {expected}.");

    private static ToolException Wrong(string name, string expected, object? value) =>
        new($"argument '{name}' must be {expected}, not {Describe(value)}.");

    private static string Describe(object? value) => value switch
    {
        JsonElement element => element.ValueKind switch
        {
            JsonValueKind.String => $"the string {Quote(element.GetString())}",
            JsonValueKind.Number => $"the number {element.GetRawText()}",
            JsonValueKind.True or JsonValueKind.False => $"{element.GetRawText()}",
            JsonValueKind.Array => "an array" + (element.GetArrayLength() > 0 ? " with non-string items" : string.Empty),
            JsonValueKind.Object => "an object",
            _ => element.ValueKind.ToString().ToLowerInvariant(),
        },
        string text => $"the string {Quote(text)}",
        bool flag => flag ? "true" : "false",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) is { Length: > 0 and <= 40 } text ? text : value?.GetType().Name ?? "null",
    };

    private static string Quote(string? text) =>
        text is null ? "\"\"" : text.Length <= 40 ? $"\"{text}\"" : $"\"{text[..40]}…\"";

    private static string OneOf<TEnum>()
        where TEnum : struct, Enum =>
        "one of " + string.Join(", ", Enum.GetNames<TEnum>().Select(n => ToSnake(n)));

    private static string Simplify(string text) => text.Replace("_", string.Empty, StringComparison.Ordinal).Replace("-", string.Empty, StringComparison.Ordinal);

    private static string ToSnake(string name)
    {
        var builder = new System.Text.StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                builder.Append('_');
            }

            builder.Append(char.ToLowerInvariant(name[i]));
        }

        return builder.ToString();
    }
}
