using System.Text;
using System.Text.Json;
using AgentHost.Sdk.Providers;
using Microsoft.Extensions.AI;

namespace AgentHost.Plugins.Ollama;

/// <summary>Builds the <c>/api/chat</c> body from Microsoft.Extensions.AI messages and options.</summary>
internal static class OllamaRequestBuilder
{
    private static readonly JsonElement JsonFormat = JsonSerializer.SerializeToElement("json", OllamaJsonContext.Default.String);

    /// <summary>Builds a request.</summary>
    /// <param name="model">The model.</param>
    /// <param name="messages">The conversation.</param>
    /// <param name="options">The chat options, when any.</param>
    /// <param name="settings">The provider settings.</param>
    /// <param name="numCtx">The context length to ask for, when any.</param>
    /// <param name="stream">Whether to stream NDJSON.</param>
    /// <returns>The request.</returns>
    /// <param name="think">The <c>think</c> field (<see cref="OllamaParameterSupport.Think"/>), when any.</param>
    public static OllamaChatRequest Build(string model, IEnumerable<ChatMessage> messages, ChatOptions? options, OllamaSettings settings, int? numCtx, bool stream, JsonElement? think)
    {
        var list = messages as IReadOnlyList<ChatMessage> ?? messages.ToList();
        var wire = new List<OllamaMessage>(list.Count + 1);
        if (!string.IsNullOrWhiteSpace(options?.Instructions))
        {
            wire.Add(new OllamaMessage { Role = "system", Content = options.Instructions });
        }

        var toolNames = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var message in list)
        {
            AddMessage(wire, message, toolNames, settings);
        }

        var modelOptions = new OllamaOptions
        {
            NumCtx = numCtx,
            NumPredict = options?.MaxOutputTokens,
            Temperature = options?.Temperature,
            TopP = options?.TopP,
            TopK = options?.TopK,
            Seed = options?.Seed,
            FrequencyPenalty = options?.FrequencyPenalty,
            PresencePenalty = options?.PresencePenalty,
            Stop = options?.StopSequences is { Count: > 0 } stop ? [.. stop] : null,
        };

        return new OllamaChatRequest
        {
            Model = model,
            Messages = wire,
            Tools = Tools(options),
            Stream = stream,
            Format = Format(options?.ResponseFormat),
            Options = modelOptions.IsEmpty ? null : modelOptions,
            Think = think,
            KeepAlive = settings.KeepAlive,
        };
    }

    private static void AddMessage(List<OllamaMessage> wire, ChatMessage message, Dictionary<string, string> toolNames, OllamaSettings settings)
    {
        var text = new StringBuilder();
        var thinking = new StringBuilder();
        List<string>? images = null;
        List<OllamaToolCall>? calls = null;
        List<OllamaMessage>? results = null;
        foreach (var content in message.Contents)
        {
            switch (content)
            {
                case TextContent t:
                    text.Append(t.Text);
                    break;
                case TextReasoningContent r:
                    thinking.Append(r.Text);
                    break;
                case DataContent data when data.HasTopLevelMediaType("image"):
                    (images ??= []).Add(data.Base64Data.ToString());
                    break;
                case UriContent uri when uri.HasTopLevelMediaType("image"):
                    throw new ProviderException(ProviderErrorKind.BadRequest, $"Ollama takes images as data, not links ({uri.Uri}); attach the image file instead")
                    {
                        Provider = settings.ProviderName,
                    };
                case FunctionCallContent call:
                    toolNames[call.CallId] = call.Name;
                    (calls ??= []).Add(new OllamaToolCall
                    {
                        Id = call.CallId,
                        Function = new OllamaFunctionCall { Name = call.Name, Arguments = Arguments(call.Arguments) },
                    });
                    break;
                case FunctionResultContent result:
                    (results ??= []).Add(new OllamaMessage
                    {
                        Role = "tool",
                        Content = ResultText(result),
                        ToolName = toolNames.GetValueOrDefault(result.CallId),
                        ToolCallId = result.CallId,
                    });
                    break;
            }
        }

        if (text.Length > 0 || thinking.Length > 0 || images is not null || calls is not null || results is null)
        {
            wire.Add(new OllamaMessage
            {
                Role = message.Role.Value,
                Content = text.ToString(),
                Thinking = thinking.Length > 0 ? thinking.ToString() : null,
                Images = images,
                ToolCalls = calls,
            });
        }

        if (results is not null)
        {
            wire.AddRange(results);
        }
    }

    private static List<OllamaTool>? Tools(ChatOptions? options)
    {
        if (options?.Tools is not { Count: > 0 } tools || options.ToolMode is NoneChatToolMode)
        {
            return null;
        }

        var list = new List<OllamaTool>(tools.Count);
        foreach (var tool in tools)
        {
            if (tool is AIFunctionDeclaration function)
            {
                list.Add(new OllamaTool
                {
                    Function = new OllamaFunction { Name = function.Name, Description = function.Description, Parameters = function.JsonSchema },
                });
            }
        }

        return list.Count > 0 ? list : null;
    }

    private static JsonElement? Format(ChatResponseFormat? format) => format switch
    {
        ChatResponseFormatJson { Schema: { } schema } => schema,
        ChatResponseFormatJson => JsonFormat,
        _ => null,
    };

    private static JsonElement Arguments(IDictionary<string, object?>? arguments) =>
        JsonSerializer.SerializeToElement(
            arguments ?? new Dictionary<string, object?>(),
            AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(IDictionary<string, object?>)));

    private static string ResultText(FunctionResultContent result) => result.Result switch
    {
        null when result.Exception is { } error => "Error: " + error.Message,
        null => string.Empty,
        string s => s,
        JsonElement { ValueKind: JsonValueKind.String } element => element.GetString() ?? string.Empty,
        JsonElement element => element.GetRawText(),
        var value => JsonSerializer.Serialize(value, AIJsonUtilities.DefaultOptions.GetTypeInfo(value.GetType())),
    };
}
