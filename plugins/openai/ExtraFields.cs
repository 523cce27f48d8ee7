using System.Text.Json;
using OpenAI.Chat;

namespace AgentHost.Plugins.OpenAI;

/// <summary>
/// Reads and writes the fields OpenAI-compatible servers add to the Chat Completions wire format (DeepSeek's,
/// vLLM's and OpenRouter's <c>reasoning_content</c> / <c>reasoning</c>, DeepSeek's cache counters, in-band stream
/// errors) through the SDK's <c>JsonPatch</c>, which keeps every JSON member the SDK's models do not know.
/// </summary>
/// <remarks><c>JsonPatch</c> is marked experimental (SCME0001) by System.ClientModel; it is confined to this file.</remarks>
#pragma warning disable SCME0001
internal static class ExtraFields
{
    /// <summary>The reasoning delta of a streamed chunk (<c>delta.reasoning_content</c>, else <c>delta.reasoning</c>).</summary>
    /// <param name="update">The chunk.</param>
    /// <returns>The text, or <see langword="null"/>.</returns>
    public static string? Reasoning(StreamingChatCompletionUpdate update) =>
        String(ref update.Patch, "$.choices[0].delta.reasoning_content"u8) ?? String(ref update.Patch, "$.choices[0].delta.reasoning"u8);

    /// <summary>The reasoning of a whole completion (<c>message.reasoning_content</c>, else <c>message.reasoning</c>).</summary>
    /// <param name="completion">The completion.</param>
    /// <returns>The text, or <see langword="null"/>.</returns>
    public static string? Reasoning(ChatCompletion completion) =>
        String(ref completion.Patch, "$.choices[0].message.reasoning_content"u8) ?? String(ref completion.Patch, "$.choices[0].message.reasoning"u8);

    /// <summary>An error object sent inside a stream (<c>data: {"error": {…}}</c>).</summary>
    /// <param name="update">The chunk.</param>
    /// <returns>The error JSON, or <see langword="null"/>.</returns>
    public static ReadOnlyMemory<byte>? StreamError(StreamingChatCompletionUpdate update) =>
        update.Patch.TryGetJson("$.error"u8, out var error) && !IsNull(error.Span) ? (ReadOnlyMemory<byte>?)error : null; // (null alone would convert to an empty ReadOnlyMemory)

    /// <summary>DeepSeek's <c>prompt_cache_hit_tokens</c>, its name for cached input tokens.</summary>
    /// <param name="usage">The usage.</param>
    /// <returns>The count, or <see langword="null"/>.</returns>
    public static long? CacheHitTokens(ChatTokenUsage usage) =>
        usage.Patch.TryGetJson("$.prompt_cache_hit_tokens"u8, out var json) && Utf8JsonReaderNumber(json.Span) is { } count ? count : null;

    /// <summary>Sends reasoning back on an assistant message as <c>reasoning_content</c>.</summary>
    /// <param name="message">The message.</param>
    /// <param name="reasoning">The reasoning text.</param>
    public static void SetReasoning(AssistantChatMessage message, string reasoning) =>
        message.Patch.Set("$.reasoning_content"u8, reasoning);

    /// <summary>Adds a top-level request field the SDK does not model (e.g. <c>top_k</c>, OpenRouter's <c>provider</c>).</summary>
    /// <param name="options">The request options.</param>
    /// <param name="name">The field name (letters, digits, <c>_</c> and <c>-</c>).</param>
    /// <param name="json">The value as JSON.</param>
    public static void SetRequestField(ChatCompletionOptions options, string name, BinaryData json) =>
        options.Patch.Set(System.Text.Encoding.UTF8.GetBytes("$." + name), json);

    /// <summary>Adds a top-level Responses API request field the SDK does not model.</summary>
    /// <param name="options">The request options.</param>
    /// <param name="name">The field name (letters, digits, <c>_</c> and <c>-</c>).</param>
    /// <param name="json">The value as JSON.</param>
    public static void SetRequestField(global::OpenAI.Responses.CreateResponseOptions options, string name, BinaryData json) =>
        options.Patch.Set(System.Text.Encoding.UTF8.GetBytes("$." + name), json);

    private static string? String(ref System.ClientModel.Primitives.JsonPatch patch, ReadOnlySpan<byte> path)
    {
        if (!patch.TryGetJson(path, out var json) || IsNull(json.Span))
        {
            return null;
        }

        var reader = new Utf8JsonReader(json.Span);
        return reader.Read() && reader.TokenType == JsonTokenType.String && reader.GetString() is { Length: > 0 } text ? text : null;
    }

    private static long? Utf8JsonReaderNumber(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        return reader.Read() && reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value) ? value : null;
    }

    private static bool IsNull(ReadOnlySpan<byte> json) => json.Trim(" \t\r\n"u8).SequenceEqual("null"u8);
}
#pragma warning restore SCME0001
