using System.Text.Json;
using Microsoft.Extensions.AI;
using OpenAI.Chat;
using AIChatMessage = Microsoft.Extensions.AI.ChatMessage;
using OpenAIChatMessage = OpenAI.Chat.ChatMessage;

namespace AgentHost.Plugins.OpenAI;

/// <summary>
/// What Microsoft.Extensions.AI.OpenAI's adapter does not map by itself: assistant reasoning sent back as
/// <c>reasoning_content</c>, <c>max_tokens</c> for servers that do not know <c>max_completion_tokens</c>, extra top-level
/// fields, and the tools (schemas verbatim, <c>tool_choice</c> left out when it is auto). Everything else is the
/// adapter's mapping.
/// </summary>
internal static class ChatRequestMapper
{
    /// <summary>The adapter's JSON options without indentation.</summary>
    private static readonly JsonSerializerOptions CompactJson = new(AIJsonUtilities.DefaultOptions) { WriteIndented = false };

    /// <summary>
    /// The conversation for the adapter: an assistant message with reasoning to send back, or with tool calls, carries its
    /// request form (tool-call arguments as compact JSON: the adapter would indent them, bytes the model does not need).
    /// </summary>
    /// <param name="messages">The conversation.</param>
    /// <param name="sendReasoning">Whether assistant reasoning goes back as <c>reasoning_content</c>.</param>
    /// <returns>The messages.</returns>
    public static IEnumerable<AIChatMessage> ToMessages(IEnumerable<AIChatMessage> messages, bool sendReasoning)
    {
        foreach (var message in messages)
        {
            var reasoning = sendReasoning && message.Contents.Any(c => c is TextReasoningContent { Text.Length: > 0 });
            yield return message.Role == ChatRole.Assistant && message.RawRepresentation is not OpenAIChatMessage
                && (reasoning || message.Contents.Any(c => c is FunctionCallContent))
                ? new AIChatMessage(message.Role, message.Contents) { AuthorName = message.AuthorName, RawRepresentation = ToAssistant(message, reasoning) }
                : message;
        }
    }

    /// <summary>The options for the adapter, with the request fields it does not set as the request's starting point.</summary>
    /// <param name="options">The host's options.</param>
    /// <param name="maxTokensField"><c>max_completion_tokens</c> or <c>max_tokens</c>.</param>
    /// <param name="sendCacheKey">Whether the host's conversation key goes to the endpoint as <c>prompt_cache_key</c>.</param>
    /// <returns>The options.</returns>
    public static ChatOptions? ToOptions(ChatOptions? options, string maxTokensField, bool sendCacheKey)
    {
        if (options is null)
        {
            return null;
        }

        var result = options.Clone();
        var callerFactory = options.RawRepresentationFactory;
        var maxTokens = maxTokensField == "max_tokens" ? options.MaxOutputTokens : null;
        var extras = options.AdditionalProperties?.Where(p => IsFieldName(p.Key)).ToList();
        var cacheKey = sendCacheKey ? PromptCacheKey(options) : null;
        var tools = options.Tools?.OfType<AIFunctionDeclaration>().ToList() ?? [];
        var toolMode = options.ToolMode;
        var parallel = options.AllowMultipleToolCalls;

        // Tools are mapped here, schema verbatim: the adapter's own mapping re-serializes every schema through its
        // intermediate model (the first request pays for that JSON metadata) and always sends tool_choice.
        result.Tools = null;
        result.ToolMode = null;
        if (maxTokens is not null)
        {
            result.MaxOutputTokens = null;
        }

        result.AdditionalProperties = null;
        result.RawRepresentationFactory = client =>
        {
            var request = callerFactory?.Invoke(client) as ChatCompletionOptions ?? new ChatCompletionOptions();
            if (maxTokens is { } count)
            {
                ExtraFields.SetRequestField(request, "max_tokens", BinaryData.FromString(count.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }

            if (cacheKey is not null)
            {
                ExtraFields.SetRequestField(request, "prompt_cache_key", BinaryData.FromString(JsonSerializer.Serialize(cacheKey, AIJsonUtilities.DefaultOptions)));
            }

            // Anything else the caller names goes to the endpoint as a top-level field (top_k, min_p, provider, …).
            foreach (var (name, value) in extras ?? [])
            {
                ExtraFields.SetRequestField(request, name, BinaryData.FromString(JsonSerializer.Serialize(value, AIJsonUtilities.DefaultOptions)));
            }

            foreach (var function in tools)
            {
                request.Tools.Add(ChatTool.CreateFunctionTool(function.Name, function.Description, BinaryData.FromString(function.JsonSchema.GetRawText())));
            }

            if (request.Tools.Count > 0)
            {
                request.ToolChoice = toolMode switch
                {
                    NoneChatToolMode => ChatToolChoice.CreateNoneChoice(),
                    RequiredChatToolMode { RequiredFunctionName: { } name } => ChatToolChoice.CreateFunctionChoice(name),
                    RequiredChatToolMode => ChatToolChoice.CreateRequiredChoice(),
                    _ => null, // auto is the default; leaving it out suits servers that reject tool_choice
                };
                request.AllowParallelToolCalls = parallel;
            }

            return request;
        };
        return result;
    }

    private static AssistantChatMessage ToAssistant(AIChatMessage message, bool sendReasoning)
    {
        var calls = message.Contents.OfType<FunctionCallContent>()
            .Select(call => ChatToolCall.CreateFunctionToolCall(call.CallId, call.Name, BinaryData.FromString(ArgumentsJson(call))))
            .ToList();
        var text = string.Concat(message.Contents.OfType<TextContent>().Select(t => t.Text));
        AssistantChatMessage result;
        if (calls.Count > 0)
        {
            result = new AssistantChatMessage(calls);
            if (text.Length > 0)
            {
                result.Content.Add(ChatMessageContentPart.CreateTextPart(text));
            }
        }
        else
        {
            result = new AssistantChatMessage(text);
        }

        if (sendReasoning && string.Concat(message.Contents.OfType<TextReasoningContent>().Select(r => r.Text)) is { Length: > 0 } reasoning)
        {
            ExtraFields.SetReasoning(result, reasoning);
        }

        return result;
    }

    private static string ArgumentsJson(FunctionCallContent call) =>
        call.Arguments is null ? "{}" : JsonSerializer.Serialize(call.Arguments, CompactJson);

    /// <summary>
    /// The host's key for the conversation (<see cref="AgentHost.Sdk.Capabilities.ChatProviderCapability.CacheKeyProperty"/>),
    /// unless the caller names <c>prompt_cache_key</c> itself; <see langword="null"/> when there is none.
    /// </summary>
    /// <param name="options">The host's options.</param>
    /// <returns>The key.</returns>
    internal static string? PromptCacheKey(ChatOptions options) =>
        options.AdditionalProperties is { } properties && !properties.ContainsKey("prompt_cache_key")
        && properties.TryGetValue(AgentHost.Sdk.Capabilities.ChatProviderCapability.CacheKeyProperty, out var key) && key is string { Length: > 0 } text
            ? text
            : null;

    private static bool IsFieldName(string name) =>
        name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');
}
