using Microsoft.Extensions.AI;
using OpenAI.Chat;

namespace AgentHost.Plugins.OpenAI;

/// <summary>
/// Completes what Microsoft.Extensions.AI.OpenAI's adapter maps from a Chat Completions result with the fields
/// compatible servers add: <c>reasoning_content</c> / <c>reasoning</c> as <see cref="TextReasoningContent"/>, a refusal
/// as text, and DeepSeek's <c>prompt_cache_hit_tokens</c> as cached input tokens. Read from the SDK model the adapter
/// keeps as <c>RawRepresentation</c>.
/// </summary>
internal static class ChatResponseMapper
{
    /// <summary>Completes a whole (non-streamed) response.</summary>
    /// <param name="response">The adapter's response.</param>
    /// <returns>The same response.</returns>
    public static ChatResponse Complete(ChatResponse response)
    {
        if (response.RawRepresentation is not ChatCompletion completion || response.Messages.Count == 0)
        {
            return response;
        }

        var contents = response.Messages[^1].Contents;
        if (ExtraFields.Reasoning(completion) is { } reasoning && !contents.OfType<TextReasoningContent>().Any())
        {
            contents.Insert(0, new TextReasoningContent(reasoning));
        }

        // The adapter maps tool calls only when the options name tools, and this client passes the tools itself.
        if (!contents.OfType<FunctionCallContent>().Any())
        {
            foreach (var call in completion.ToolCalls)
            {
                contents.Add(ToolCallAccumulator.ToContent(call));
            }
        }

        if (completion.Refusal is { Length: > 0 } refusal && !contents.OfType<TextContent>().Any(t => t.Text == refusal))
        {
            contents.Add(new TextContent(refusal));
        }

        if (response.Usage is { CachedInputTokenCount: null } usage && completion.Usage is { } raw)
        {
            usage.CachedInputTokenCount = ExtraFields.CacheHitTokens(raw);
        }

        return response;
    }

    /// <summary>Completes one streamed update.</summary>
    /// <param name="update">The adapter's update.</param>
    public static void Complete(ChatResponseUpdate update)
    {
        if (update.RawRepresentation is not StreamingChatCompletionUpdate raw)
        {
            return;
        }

        // A chunk that only opens the message (role, empty content) carries nothing to show.
        for (var i = update.Contents.Count - 1; i >= 0; i--)
        {
            if (update.Contents[i] is TextContent { Text.Length: 0 })
            {
                update.Contents.RemoveAt(i);
            }
        }

        if (ExtraFields.Reasoning(raw) is { } reasoning && !update.Contents.OfType<TextReasoningContent>().Any())
        {
            update.Contents.Insert(0, new TextReasoningContent(reasoning));
        }

        if (raw.RefusalUpdate is { Length: > 0 } refusal)
        {
            update.Contents.Add(new TextContent(refusal));
        }

        if (raw.Usage is { } rawUsage && update.Contents.OfType<UsageContent>().FirstOrDefault() is { Details.CachedInputTokenCount: null } usage)
        {
            usage.Details.CachedInputTokenCount = ExtraFields.CacheHitTokens(rawUsage);
        }
    }
}
