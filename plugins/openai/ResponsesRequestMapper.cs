using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using OpenAI.Responses;
using AIChatMessage = Microsoft.Extensions.AI.ChatMessage;

namespace AgentHost.Plugins.OpenAI;

/// <summary>
/// Turns Microsoft.Extensions.AI messages and options into a Responses API request: the leading system prompt becomes
/// <c>instructions</c>; the history becomes input items (user and assistant messages, <c>function_call</c> and
/// <c>function_call_output</c> items joined by call id, and the reasoning items kept from earlier answers); tools are
/// function tools with strict mode off. <c>store</c> is off unless configured: the host keeps the history.
/// </summary>
internal static class ResponsesRequestMapper
{
    private static readonly ChatRole DeveloperRole = new("developer");

    /// <summary>Maps a request.</summary>
    /// <param name="messages">The conversation.</param>
    /// <param name="options">The host's options.</param>
    /// <param name="model">The model id.</param>
    /// <param name="endpoint">The endpoint (<c>store</c>, reasoning summary).</param>
    /// <param name="reasoningModel">Whether the model reasons: reasoning summaries and encrypted reasoning are asked for.</param>
    /// <returns>The request.</returns>
    public static CreateResponseOptions ToRequest(IEnumerable<AIChatMessage> messages, ChatOptions? options, string model, OpenAIEndpoint endpoint, bool reasoningModel)
    {
        var request = new CreateResponseOptions { Model = model, StoredOutputEnabled = endpoint.Store };
        var instructions = new StringBuilder();
        var leading = true;
        foreach (var message in messages)
        {
            var isSystem = message.Role == ChatRole.System || message.Role == DeveloperRole;
            if (isSystem && leading)
            {
                instructions.Append(instructions.Length > 0 ? "\n\n" : string.Empty).Append(message.Text);
                continue;
            }

            leading = false;
            if (isSystem)
            {
                request.InputItems.Add(ResponseItem.CreateDeveloperMessageItem(message.Text));
            }
            else if (message.Role == ChatRole.Assistant)
            {
                AddAssistant(request.InputItems, message, endpoint.Store);
            }
            else if (message.Role == ChatRole.User && ToUser(message) is { } user)
            {
                request.InputItems.Add(user);
            }

            foreach (var result in message.Contents.OfType<FunctionResultContent>())
            {
                request.InputItems.Add(ResponseItem.CreateFunctionCallOutputItem(result.CallId, ResultText(result)));
            }
        }

        if (instructions.Length > 0)
        {
            request.Instructions = instructions.ToString();
        }

        var effort = Effort(options?.Reasoning?.Effort);
        var summary = reasoningModel && endpoint.ReasoningSummary is { } verbosity ? new ResponseReasoningSummaryVerbosity(verbosity) : (ResponseReasoningSummaryVerbosity?)null;
        if (effort is not null || summary is not null)
        {
            request.ReasoningOptions = new ResponseReasoningOptions { ReasoningEffortLevel = effort, ReasoningSummaryVerbosity = summary };
        }

        if (reasoningModel && !endpoint.Store)
        {
            request.IncludedProperties.Add(IncludedResponseProperty.ReasoningEncryptedContent);
        }

        ApplyOptions(request, options, endpoint);
        return request;
    }

    private static void ApplyOptions(CreateResponseOptions request, ChatOptions? options, OpenAIEndpoint endpoint)
    {
        if (options is null)
        {
            return;
        }

        request.Temperature = options.Temperature;
        request.TopP = options.TopP;
        request.MaxOutputTokenCount = options.MaxOutputTokens;
        foreach (var function in (options.Tools ?? []).OfType<AIFunctionDeclaration>())
        {
            request.Tools.Add(ResponseTool.CreateFunctionTool(function.Name, BinaryData.FromString(function.JsonSchema.GetRawText()), strictModeEnabled: false, function.Description));
        }

        if (request.Tools.Count > 0)
        {
            request.ToolChoice = options.ToolMode switch
            {
                NoneChatToolMode => ResponseToolChoice.CreateNoneChoice(),
                RequiredChatToolMode { RequiredFunctionName: { } name } => ResponseToolChoice.CreateFunctionChoice(name),
                RequiredChatToolMode => ResponseToolChoice.CreateRequiredChoice(),
                _ => null, // auto is the default
            };
            request.ParallelToolCallsEnabled = options.AllowMultipleToolCalls;
        }

        if (options.ResponseFormat is ChatResponseFormatJson json)
        {
            request.TextOptions = new ResponseTextOptions
            {
                TextFormat = json.Schema is { } schema
                    ? ResponseTextFormat.CreateJsonSchemaFormat(json.SchemaName ?? "response", BinaryData.FromString(schema.GetRawText()), json.SchemaDescription)
                    : ResponseTextFormat.CreateJsonObjectFormat(),
            };
        }

        if (endpoint.PromptCacheKey && ChatRequestMapper.PromptCacheKey(options) is { } cacheKey)
        {
            ExtraFields.SetRequestField(request, "prompt_cache_key", BinaryData.FromString(JsonSerializer.Serialize(cacheKey, AIJsonUtilities.DefaultOptions)));
        }

        // Anything else the caller names goes to the endpoint as a top-level field.
        foreach (var (name, value) in options.AdditionalProperties ?? [])
        {
            if (name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
            {
                ExtraFields.SetRequestField(request, name, BinaryData.FromString(JsonSerializer.Serialize(value, AIJsonUtilities.DefaultOptions)));
            }
        }
    }

    /// <summary>An assistant turn, in its order: kept reasoning items, text as an output message, function calls.</summary>
    private static void AddAssistant(IList<ResponseItem> items, AIChatMessage message, bool store)
    {
        var text = new StringBuilder();
        void FlushText()
        {
            if (text.Length > 0)
            {
                items.Add(ResponseItem.CreateAssistantMessageItem(text.ToString(), []));
                text.Clear();
            }
        }

        foreach (var content in message.Contents)
        {
            switch (content)
            {
                case TextContent { Text.Length: > 0 } part:
                    text.Append(part.Text);
                    break;
                case TextReasoningContent reasoning when ReasoningItems.FromProtectedData(reasoning.ProtectedData, store) is { } item:
                    FlushText();
                    items.Add(item);
                    break;
                case FunctionCallContent call:
                    FlushText();
                    items.Add(ResponseItem.CreateFunctionCallItem(call.CallId, call.Name, BinaryData.FromString(ArgumentsJson(call))));
                    break;
            }
        }

        FlushText();
    }

    private static MessageResponseItem? ToUser(AIChatMessage message)
    {
        var parts = new List<ResponseContentPart>();
        foreach (var content in message.Contents)
        {
            switch (content)
            {
                case TextContent { Text.Length: > 0 } text:
                    parts.Add(ResponseContentPart.CreateInputTextPart(text.Text));
                    break;
                case DataContent data when data.HasTopLevelMediaType("image"):
                    parts.Add(ResponseContentPart.CreateInputImagePart(BinaryData.FromBytes(data.Data, data.MediaType), null));
                    break;
                case UriContent uri when uri.HasTopLevelMediaType("image"):
                    parts.Add(ResponseContentPart.CreateInputImagePart(uri.Uri, null));
                    break;
            }
        }

        return parts.Count == 0 && message.Contents.OfType<FunctionResultContent>().Any()
            ? null
            : ResponseItem.CreateUserMessageItem(parts.Count > 0 ? parts : [ResponseContentPart.CreateInputTextPart(string.Empty)]);
    }

    private static ResponseReasoningEffortLevel? Effort(ReasoningEffort? effort) => effort switch
    {
        ReasoningEffort.None => ResponseReasoningEffortLevel.None,
        ReasoningEffort.Low => ResponseReasoningEffortLevel.Low,
        ReasoningEffort.Medium => ResponseReasoningEffortLevel.Medium,
        ReasoningEffort.High => ResponseReasoningEffortLevel.High,
        ReasoningEffort.ExtraHigh => ResponseReasoningEffortLevel.ExtraHigh,
        _ => (ResponseReasoningEffortLevel?)null, // (a bare null would go through the SDK's implicit string conversion)
    };

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
}
