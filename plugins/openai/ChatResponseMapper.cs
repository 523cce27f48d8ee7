using Microsoft.Extensions.AI;
using OpenAI.Chat;
using AIChatMessage = Microsoft.Extensions.AI.ChatMessage;
using OpenAIChatFinishReason = OpenAI.Chat.ChatFinishReason;
using AIChatFinishReason = Microsoft.Extensions.AI.ChatFinishReason;

namespace AgentHost.Plugins.OpenAI;

/// <summary>Turns Chat Completions results into Microsoft.Extensions.AI responses.</summary>
internal static class ChatResponseMapper
{
    /// <summary>Maps a whole (non-streamed) completion.</summary>
    /// <param name="completion">The completion.</param>
    /// <returns>The response.</returns>
    public static ChatResponse ToResponse(ChatCompletion completion)
    {
        var contents = new List<AIContent>();
        if (ExtraFields.Reasoning(completion) is { } reasoning)
        {
            contents.Add(new TextReasoningContent(reasoning));
        }

        foreach (var part in completion.Content)
        {
            if (part.Kind == ChatMessageContentPartKind.Text && part.Text is { Length: > 0 } text)
            {
                contents.Add(new TextContent(text));
            }
        }

        if (completion.Refusal is { Length: > 0 } refusal)
        {
            contents.Add(new TextContent(refusal));
        }

        contents.AddRange(completion.ToolCalls.Select(ToolCallAccumulator.ToContent));
        return new ChatResponse(new AIChatMessage(ChatRole.Assistant, contents) { MessageId = completion.Id, CreatedAt = completion.CreatedAt })
        {
            ResponseId = completion.Id,
            ModelId = completion.Model,
            CreatedAt = completion.CreatedAt,
            FinishReason = FinishReason(completion.FinishReason),
            Usage = Usage(completion.Usage),
            RawRepresentation = completion,
        };
    }

    /// <summary>Maps a finish reason.</summary>
    /// <param name="reason">The SDK's reason.</param>
    /// <returns>Ours.</returns>
    public static AIChatFinishReason? FinishReason(OpenAIChatFinishReason? reason) => reason switch
    {
        OpenAIChatFinishReason.Stop => AIChatFinishReason.Stop,
        OpenAIChatFinishReason.Length => AIChatFinishReason.Length,
        OpenAIChatFinishReason.ToolCalls or OpenAIChatFinishReason.FunctionCall => AIChatFinishReason.ToolCalls,
        OpenAIChatFinishReason.ContentFilter => AIChatFinishReason.ContentFilter,
        _ => null,
    };

    /// <summary>Maps token usage, cached input and reasoning tokens included.</summary>
    /// <param name="usage">The SDK's usage.</param>
    /// <returns>Ours, or <see langword="null"/>.</returns>
    public static UsageDetails? Usage(ChatTokenUsage? usage) => usage is null ? null : new UsageDetails
    {
        InputTokenCount = usage.InputTokenCount,
        OutputTokenCount = usage.OutputTokenCount,
        TotalTokenCount = usage.TotalTokenCount,
        CachedInputTokenCount = usage.InputTokenDetails is { } input ? input.CachedTokenCount : ExtraFields.CacheHitTokens(usage),
        ReasoningTokenCount = usage.OutputTokenDetails?.ReasoningTokenCount,
    };
}
