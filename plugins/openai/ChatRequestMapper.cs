using System.Text.Json;
using Microsoft.Extensions.AI;
using OpenAI.Chat;
using AIChatMessage = Microsoft.Extensions.AI.ChatMessage;
using OpenAIChatMessage = OpenAI.Chat.ChatMessage;

namespace AgentHost.Plugins.OpenAI;

/// <summary>Turns Microsoft.Extensions.AI messages and options into a Chat Completions request.</summary>
internal static class ChatRequestMapper
{
    private static readonly ChatRole DeveloperRole = new("developer");

    /// <summary>Maps the conversation.</summary>
    /// <param name="messages">The conversation.</param>
    /// <param name="sendReasoning">Whether assistant reasoning goes back as <c>reasoning_content</c>.</param>
    /// <returns>The request messages.</returns>
    public static List<OpenAIChatMessage> ToMessages(IEnumerable<AIChatMessage> messages, bool sendReasoning)
    {
        var result = new List<OpenAIChatMessage>();
        foreach (var message in messages)
        {
            if (message.Role == ChatRole.System || message.Role == DeveloperRole)
            {
                result.Add(new SystemChatMessage(message.Text));
            }
            else if (message.Role == ChatRole.Assistant)
            {
                result.Add(ToAssistant(message, sendReasoning));
            }
            else if (message.Role == ChatRole.User && ToUser(message) is { } user)
            {
                result.Add(user);
            }

            // Tool results become tool messages whichever role carries them (normally ChatRole.Tool).
            foreach (var toolResult in message.Contents.OfType<FunctionResultContent>())
            {
                result.Add(new ToolChatMessage(toolResult.CallId, ResultText(toolResult)));
            }
        }

        return result;
    }

    /// <summary>Maps the options: sampling, limits, stop sequences, tools and tool choice, response format, extras.</summary>
    /// <param name="options">The host's options.</param>
    /// <param name="maxTokensField"><c>max_completion_tokens</c> or <c>max_tokens</c>.</param>
    /// <returns>The request options.</returns>
    public static ChatCompletionOptions ToOptions(ChatOptions? options, string maxTokensField)
    {
        var result = new ChatCompletionOptions();
        if (options is null)
        {
            return result;
        }

        result.Temperature = options.Temperature;
        result.TopP = options.TopP;
        if (options.MaxOutputTokens is { } maxTokens)
        {
            if (maxTokensField == "max_tokens")
            {
                ExtraFields.SetRequestField(result, "max_tokens", BinaryData.FromString(maxTokens.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }
            else
            {
                result.MaxOutputTokenCount = maxTokens;
            }
        }

        result.FrequencyPenalty = options.FrequencyPenalty;
        result.PresencePenalty = options.PresencePenalty;
        if (options.Seed is { } seed)
        {
            ExtraFields.SetRequestField(result, "seed", BinaryData.FromString(seed.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        foreach (var stop in options.StopSequences ?? [])
        {
            result.StopSequences.Add(stop);
        }

        foreach (var function in (options.Tools ?? []).OfType<AIFunctionDeclaration>())
        {
            result.Tools.Add(ChatTool.CreateFunctionTool(function.Name, function.Description, BinaryData.FromString(function.JsonSchema.GetRawText())));
        }

        if (result.Tools.Count > 0)
        {
            result.ToolChoice = options.ToolMode switch
            {
                NoneChatToolMode => ChatToolChoice.CreateNoneChoice(),
                RequiredChatToolMode { RequiredFunctionName: { } name } => ChatToolChoice.CreateFunctionChoice(name),
                RequiredChatToolMode => ChatToolChoice.CreateRequiredChoice(),
                _ => null, // auto is the default; leaving it out suits servers that reject tool_choice
            };
            result.AllowParallelToolCalls = options.AllowMultipleToolCalls;
        }

        result.ResponseFormat = options.ResponseFormat switch
        {
            ChatResponseFormatJson { Schema: { } schema } json => global::OpenAI.Chat.ChatResponseFormat.CreateJsonSchemaFormat(
                json.SchemaName ?? "response", BinaryData.FromString(schema.GetRawText()), json.SchemaDescription),
            ChatResponseFormatJson => global::OpenAI.Chat.ChatResponseFormat.CreateJsonObjectFormat(),
            _ => null,
        };

        // Anything else the caller names goes to the endpoint as a top-level field (top_k, min_p, provider, …).
        foreach (var (name, value) in options.AdditionalProperties ?? [])
        {
            if (IsFieldName(name))
            {
                ExtraFields.SetRequestField(result, name, BinaryData.FromString(JsonSerializer.Serialize(value, AIJsonUtilities.DefaultOptions)));
            }
        }

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

    private static UserChatMessage? ToUser(AIChatMessage message)
    {
        var parts = new List<ChatMessageContentPart>();
        foreach (var content in message.Contents)
        {
            switch (content)
            {
                case TextContent { Text.Length: > 0 } text:
                    parts.Add(ChatMessageContentPart.CreateTextPart(text.Text));
                    break;
                case DataContent data when data.HasTopLevelMediaType("image"):
                    parts.Add(ChatMessageContentPart.CreateImagePart(BinaryData.FromBytes(data.Data), data.MediaType));
                    break;
                case UriContent uri when uri.HasTopLevelMediaType("image"):
                    parts.Add(ChatMessageContentPart.CreateImagePart(uri.Uri));
                    break;
            }
        }

        return parts.Count switch
        {
            0 when message.Contents.OfType<FunctionResultContent>().Any() => null,
            0 => new UserChatMessage(string.Empty),
            _ when parts.All(p => p.Kind == ChatMessageContentPartKind.Text) => new UserChatMessage(string.Concat(parts.Select(p => p.Text))),
            _ => new UserChatMessage(parts),
        };
    }

    private static string ArgumentsJson(FunctionCallContent call) =>
        call.Arguments is null ? "{}" : JsonSerializer.Serialize(call.Arguments, AIJsonUtilities.DefaultOptions);

    private static string ResultText(FunctionResultContent result) => result.Result switch
    {
        null when result.Exception is { } error => "Error: " + error.Message,
        null => string.Empty,
        string text => text,
        JsonElement { ValueKind: JsonValueKind.String } element => element.GetString() ?? string.Empty,
        JsonElement element => element.GetRawText(),
        var value => JsonSerializer.Serialize(value, AIJsonUtilities.DefaultOptions),
    };

    private static bool IsFieldName(string name) =>
        name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');
}
