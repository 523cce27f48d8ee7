using System.Text.Json;
using System.Text.Json.Nodes;
using AgentHost.Agent.Runs;
using AgentHost.Sessions;
using Microsoft.Extensions.AI;
using ToolStatus = AgentHost.Sdk.Events.ToolCallStatus;

namespace AgentHost.Cli.Acp;

/// <summary>
/// A stored conversation as the <c>session/update</c>s that <c>session/load</c> replays, in order: each user message's
/// text as <c>user_message_chunk</c>, the assistant's reasoning and text as <c>agent_thought_chunk</c> and
/// <c>agent_message_chunk</c>, each tool call as a <c>tool_call</c> followed, where its result comes, by a
/// <c>tool_call_update</c> (<c>completed</c> or <c>failed</c>, with the result's text). A call left without a result
/// (the process that ran it died) ends <c>failed</c> as interrupted. System messages are not part of the replay.
/// </summary>
internal static class AcpHistory
{
    /// <summary>The longest result text replayed per tool call, in characters (the model saw it whole; the editor shows the start).</summary>
    public const int MaxResultLength = 8_000;

    /// <summary>The updates that replay <paramref name="messages"/>.</summary>
    /// <param name="messages">The conversation, oldest first (<c>AgentSession.LoadHistoryAsync</c>).</param>
    /// <param name="tools">The session's stored tool events (how each call ended, its recorded arguments), by call id.</param>
    /// <param name="root">The session's workspace (tool locations inside it are reported).</param>
    public static IEnumerable<JsonObject> Replay(IReadOnlyList<ChatMessage> messages, IReadOnlyDictionary<string, StoredToolEvent> tools, string root)
    {
        var open = new List<string>();
        foreach (var message in messages)
        {
            if (message.Role == ChatRole.System)
            {
                continue;
            }

            foreach (var content in message.Contents)
            {
                if (Of(message.Role, content, tools, root) is { } update)
                {
                    if (content is FunctionCallContent call)
                    {
                        open.Add(call.CallId);
                    }
                    else if (content is FunctionResultContent result)
                    {
                        open.Remove(result.CallId);
                    }

                    yield return update;
                }
            }
        }

        foreach (var callId in open)
        {
            yield return AcpUpdates.ToolCallEnded(callId, succeeded: false, AgentRunner.InterruptedResult);
        }
    }

    private static JsonObject? Of(ChatRole role, AIContent content, IReadOnlyDictionary<string, StoredToolEvent> tools, string root) => content switch
    {
        TextReasoningContent { Text.Length: > 0 } reasoning when role == ChatRole.Assistant => AcpUpdates.Chunk("agent_thought_chunk", reasoning.Text),
        TextContent { Text.Length: > 0 } text => AcpUpdates.Chunk(role == ChatRole.User ? "user_message_chunk" : "agent_message_chunk", text.Text),
        FunctionCallContent call => AcpUpdates.ToolCall(
            call.CallId,
            call.Name,
            tools.TryGetValue(call.CallId, out var recorded) ? recorded.ArgumentsJson : JsonSerializer.Serialize(call.Arguments ?? new Dictionary<string, object?>(), AIJsonUtilities.DefaultOptions),
            root),
        FunctionResultContent result => AcpUpdates.ToolCallEnded(result.CallId, Succeeded(result, tools), Shorten(TextOf(result))),
        _ => null,
    };

    private static bool Succeeded(FunctionResultContent result, IReadOnlyDictionary<string, StoredToolEvent> tools) =>
        tools.TryGetValue(result.CallId, out var recorded)
            ? recorded.Status == ToolStatus.Succeeded
            : result.Exception is null && TextOf(result) != AgentRunner.InterruptedResult;

    private static string TextOf(FunctionResultContent result) => result.Result switch
    {
        null => string.Empty,
        string text => text,
        JsonElement { ValueKind: JsonValueKind.String } element => element.GetString() ?? string.Empty,
        var other => other.ToString() ?? string.Empty,
    };

    private static string Shorten(string text) => text.Length <= MaxResultLength ? text : text[..(MaxResultLength - 1)] + "…";
}
