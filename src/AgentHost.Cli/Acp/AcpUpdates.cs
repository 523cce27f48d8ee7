using System.Text.Json.Nodes;
using AgentHost.Sdk.Events;
using ToolStatus = AgentHost.Sdk.Events.ToolCallStatus;

namespace AgentHost.Cli.Acp;

/// <summary>
/// What a run's events become on the wire: the <c>update</c> of a <c>session/update</c> notification
/// (<c>agent_message_chunk</c>, <c>agent_thought_chunk</c>, <c>tool_call</c>, <c>tool_call_update</c>), or nothing
/// for an event the editor has no place for. Text is sent as the engine produced it (already scrubbed of secrets);
/// the editor renders it as data.
/// </summary>
internal static class AcpUpdates
{
    /// <summary>The update for <paramref name="e"/>, or <see langword="null"/>.</summary>
    /// <param name="e">A session's event.</param>
    /// <param name="root">The session's workspace (tool locations inside it are reported).</param>
    public static JsonObject? Of(AgentEvent e, string root) => e switch
    {
        MessageDeltaEvent { Text.Length: > 0 } delta => Chunk("agent_message_chunk", delta.Text),
        ReasoningDeltaEvent { Text.Length: > 0 } delta => Chunk("agent_thought_chunk", delta.Text),
        ToolCallStartedEvent started => ToolCall(started.CallId, started.Tool, started.ArgumentsJson, root),
        ToolCallProgressEvent progress => new JsonObject
        {
            ["sessionUpdate"] = "tool_call_update",
            ["toolCallId"] = progress.CallId,
            ["status"] = "in_progress",
        },
        ToolCallCompletedEvent completed => ToolCallEnded(completed.CallId, completed.Status == ToolStatus.Succeeded, completed.ResultPreview),
        _ => null,
    };

    /// <summary>A text content block (<c>{"type":"text","text":…}</c>).</summary>
    public static JsonObject Text(string text) => new() { ["type"] = "text", ["text"] = text };

    /// <summary>An <c>agent_message_chunk</c>, <c>agent_thought_chunk</c> or <c>user_message_chunk</c> of text.</summary>
    public static JsonObject Chunk(string kind, string text) => new() { ["sessionUpdate"] = kind, ["content"] = Text(text) };

    /// <summary>Tool call content holding a text block.</summary>
    public static JsonObject Content(string text) => new() { ["type"] = "content", ["content"] = Text(text) };

    /// <summary>A <c>tool_call</c> (in progress): its kind, title, locations and raw input from the tool and its arguments.</summary>
    /// <param name="callId">The model's call id.</param>
    /// <param name="tool">The tool.</param>
    /// <param name="argumentsJson">Its arguments (JSON text).</param>
    /// <param name="root">The session's workspace (locations inside it are reported).</param>
    public static JsonObject ToolCall(string callId, string tool, string argumentsJson, string root)
    {
        var arguments = AcpToolCalls.ParseArguments(argumentsJson);
        return new JsonObject
        {
            ["sessionUpdate"] = "tool_call",
            ["toolCallId"] = callId,
            ["title"] = AcpToolCalls.TitleOf(tool, arguments),
            ["kind"] = AcpToolCalls.KindOf(tool),
            ["status"] = "in_progress",
            ["locations"] = AcpToolCalls.LocationsOf(arguments, root),
            ["rawInput"] = JsonNode.Parse(arguments.GetRawText()),
        };
    }

    /// <summary>The <c>tool_call_update</c> that ends a call: <c>completed</c> or <c>failed</c>, with its result text.</summary>
    public static JsonObject ToolCallEnded(string callId, bool succeeded, string? result) => new()
    {
        ["sessionUpdate"] = "tool_call_update",
        ["toolCallId"] = callId,
        ["status"] = succeeded ? "completed" : "failed",
        ["content"] = string.IsNullOrEmpty(result) ? new JsonArray() : new JsonArray(Content(result)),
    };
}
