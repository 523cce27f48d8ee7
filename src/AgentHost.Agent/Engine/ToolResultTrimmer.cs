using System.Globalization;
using AgentHost.Agent.Tools;
using Microsoft.Extensions.AI;

namespace AgentHost.Agent.Engine;

/// <summary>
/// Keeps the history a model request carries from growing without bound: a tool result older than the last
/// <see cref="AgentLoopOptions.KeepToolResultSteps"/> steps and longer than <see cref="AgentLoopOptions.TrimToolResultsAbove"/>
/// characters is sent as a marker saying how much was left out and how to see it again (call the tool again; <c>view</c>
/// for a file), after its first <see cref="AgentLoopOptions.TrimmedHeadCharacters"/> characters when that is set. The boundary moves in whole blocks of that many steps, so between two moves every
/// request repeats the one before it as a byte-identical prefix (provider prompt caches keep hitting); a result is
/// therefore sent whole for at least N and fewer than 2N steps. Results of the <c>skill</c> tool (instructions) are
/// never trimmed. Only what is sent changes: the conversation and the store keep every result whole.
/// </summary>
/// <remarks>Not thread-safe; owned by one run. Trimmed copies are made once and reused by the later requests.</remarks>
internal sealed class ToolResultTrimmer(AgentLoopOptions options)
{
    /// <summary>The start of the marker that ends a trimmed result.</summary>
    public const string MarkerStart = "[trimmed:";

    private readonly Dictionary<ChatMessage, ChatMessage> _trimmed = new(ReferenceEqualityComparer.Instance);

    /// <summary>The messages to send: <paramref name="messages"/> with the older long tool results trimmed.</summary>
    /// <param name="messages">The conversation as the model should see it (system prompt first).</param>
    /// <returns>The messages for the request (the same list when nothing is trimmed).</returns>
    public IReadOnlyList<ChatMessage> ForRequest(IReadOnlyList<ChatMessage> messages)
    {
        var keep = options.KeepToolResultSteps;
        if (keep <= 0)
        {
            return messages;
        }

        var steps = 0;
        foreach (var message in messages)
        {
            if (message.Role == ChatRole.Assistant)
            {
                steps++;
            }
        }

        // Results of steps 1..boundary are trimmed; the boundary moves by whole blocks of `keep` steps.
        var boundary = Math.Max(0, steps - keep) / keep * keep;
        if (boundary == 0)
        {
            return messages;
        }

        ChatMessage[]? result = null;
        var step = 0;
        var toolOf = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < messages.Count && step <= boundary; i++)
        {
            var message = messages[i];
            if (message.Role == ChatRole.Assistant)
            {
                step++;
                foreach (var call in message.Contents.OfType<FunctionCallContent>())
                {
                    toolOf[call.CallId] = call.Name;
                }
            }
            else if (message.Role == ChatRole.Tool && step is > 0 && step <= boundary && Trim(message, toolOf) is { } trimmed)
            {
                result ??= [.. messages];
                result[i] = trimmed;
            }
        }

        return result ?? messages;
    }

    private ChatMessage? Trim(ChatMessage message, Dictionary<string, string> toolOf)
    {
        if (_trimmed.TryGetValue(message, out var known))
        {
            return ReferenceEquals(known, message) ? null : known;
        }

        var changed = false;
        var contents = new List<AIContent>(message.Contents.Count);
        foreach (var content in message.Contents)
        {
            if (content is FunctionResultContent result && toolOf.GetValueOrDefault(result.CallId) is var tool && tool != Skills.SkillTool.Name
                && ToolJson.ResultToText(result.Result) is { } text && text.Length > options.TrimToolResultsAbove)
            {
                contents.Add(new FunctionResultContent(result.CallId, Shorten(text, tool)));
                changed = true;
            }
            else
            {
                contents.Add(content);
            }
        }

        var trimmed = changed ? new ChatMessage(message.Role, contents) { AuthorName = message.AuthorName, MessageId = message.MessageId } : message;
        _trimmed[message] = trimmed;
        return changed ? trimmed : null;
    }

    private string Shorten(string text, string? tool)
    {
        var head = Math.Min(options.TrimmedHeadCharacters, text.Length);
        var lineEnd = head == 0 ? -1 : text.LastIndexOf('\n', head - 1);
        if (lineEnd > head / 2)
        {
            head = lineEnd;
        }

        var again = tool is "view" ? "view the file again" : tool is { Length: > 0 } ? $"call {tool} again" : "call the tool again";
        var kept = text[..head].TrimEnd();
        return (kept.Length > 0 ? kept + "\n" : string.Empty) + string.Create(
            CultureInfo.InvariantCulture,
            $"{MarkerStart} {(kept.Length > 0 ? "the rest of " : string.Empty)}an older result, {text.Length - head:N0} characters; {again} to see it]");
    }
}
