using System.Text.Json;
using AgentHost.Agent.Tools;
using AgentHost.Sdk.Tools;

namespace AgentHost.Agent.Engine;

/// <summary>Turns tool results into text for the model and caps text shown in events.</summary>
internal static class ToolOutput
{
    /// <summary>The start of <paramref name="text"/>, at most <paramref name="maxCharacters"/> long, with <c>…</c> when cut.</summary>
    /// <param name="text">The text.</param>
    /// <param name="maxCharacters">The limit.</param>
    /// <returns>The preview.</returns>
    public static string Preview(string text, int maxCharacters) =>
        text.Length <= maxCharacters ? text : string.Concat(text.AsSpan(0, Math.Max(0, maxCharacters - 1)), "…");

    /// <summary>
    /// The text the model receives for a successful result: a <see cref="ToolResult"/>'s text, else the JSON of its
    /// structured value; strings as they are; other values as compact JSON.
    /// </summary>
    /// <param name="result">What the tool (and middleware) returned.</param>
    /// <param name="structured">The serialized structured value of a <see cref="ToolResult"/>, when any.</param>
    /// <returns>The text.</returns>
    public static string ResultText(object? result, JsonElement? structured) => result switch
    {
        ToolResult { Text: { } text } => text,
        ToolResult => structured is { } value ? ToolJson.ResultToText(value) : "(no output)",
        _ => ToolJson.ResultToText(result),
    };

    /// <summary>Serializes a <see cref="ToolResult"/>'s structured value with the tool's JSON options.</summary>
    /// <param name="result">The result.</param>
    /// <param name="options">The function's <see cref="Microsoft.Extensions.AI.AIFunction.JsonSerializerOptions"/>.</param>
    /// <returns>The JSON, or <see langword="null"/> when there is no structured value.</returns>
    /// <exception cref="NotSupportedException">The value cannot be serialized.</exception>
    /// <exception cref="JsonException">The value cannot be serialized.</exception>
    public static JsonElement? SerializeStructured(ToolResult result, JsonSerializerOptions options) => result.Structured switch
    {
        null => null,
        JsonElement element => element.Clone(),
        var value => JsonSerializer.SerializeToElement(value, value.GetType(), options),
    };

    /// <summary>Makes <paramref name="text"/> one line: line breaks and tabs become spaces.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The line.</returns>
    public static string OneLine(string text) =>
        text.AsSpan().IndexOfAny("\r\n\t") < 0 ? text : string.Join(' ', text.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries));
}
