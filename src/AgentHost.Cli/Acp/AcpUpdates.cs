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
        ToolCallStartedEvent started => ToolCall(started, root),
        ToolCallProgressEvent progress => new JsonObject
        {
            ["sessionUpdate"] = "tool_call_update",
            ["toolCallId"] = progress.CallId,
            ["status"] = "in_progress",
        },
        ToolCallCompletedEvent completed => new JsonObject
        {
            ["sessionUpdate"] = "tool_call_update",
            ["toolCallId"] = completed.CallId,
            ["status"] = completed.Status == ToolStatus.Succeeded ? "completed" : "failed",
            ["content"] = string.IsNullOrEmpty(completed.ResultPreview) ? new JsonArray() : new JsonArray(Content(completed.ResultPreview)),
        },
        _ => null,
    };

    /// <summary>A text content block (<c>{"type":"text","text":…}</c>).</summary>
    public static JsonObject Text(string text) => new() { ["type"] = "text", ["text"] = text };

    /// <summary>An <c>agent_message_chunk</c>, <c>agent_thought_chunk</c> or <c>user_message_chunk</c> of text.</summary>
    public static JsonObject Chunk(string kind, string text) => new() { ["sessionUpdate"] = kind, ["content"] = Text(text) };

    /// <summary>Tool call content holding a text block.</summary>
    public static JsonObject Content(string text) => new() { ["type"] = "content", ["content"] = Text(text) };

    private static JsonObject ToolCall(ToolCallStartedEvent started, string root)
    {
        var arguments = AcpToolCalls.ParseArguments(started.ArgumentsJson);
        return new JsonObject
        {
            ["sessionUpdate"] = "tool_call",
            ["toolCallId"] = started.CallId,
            ["title"] = AcpToolCalls.TitleOf(started.Tool, arguments),
            ["kind"] = AcpToolCalls.KindOf(started.Tool),
            ["status"] = "in_progress",
            ["locations"] = AcpToolCalls.LocationsOf(arguments, root),
            ["rawInput"] = JsonNode.Parse(arguments.GetRawText()),
        };
    }
}
