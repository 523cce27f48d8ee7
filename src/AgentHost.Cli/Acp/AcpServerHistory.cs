using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentHost.Cli.Acp;

/// <summary>
/// A server session's stored history (<c>GET /v1/sessions/{id}/messages</c>) as the <c>session/update</c>s that
/// replay it at <c>session/load</c>: the person's messages as <c>user_message_chunk</c>, the agent's text as
/// <c>agent_message_chunk</c>, its tool calls as completed <c>tool_call</c>s. System messages and summaries stay out.
/// </summary>
internal static class AcpServerHistory
{
    /// <summary>The updates of one page of the history (the API's JSON: <c>{"messages": [...], ...}</c>).</summary>
    public static IEnumerable<JsonObject> Updates(JsonElement page)
    {
        if (!page.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array)
        {
            yield break;
        }

        foreach (var message in messages.EnumerateArray())
        {
            var role = String(message, "role");
            if (message.TryGetProperty("summary", out var summary) && summary.ValueKind == JsonValueKind.True)
            {
                continue;
            }

            if (role == "user" && String(message, "text") is { Length: > 0 } asked)
            {
                yield return AcpUpdates.Chunk("user_message_chunk", asked);
            }
            else if (role == "assistant")
            {
                if (String(message, "text") is { Length: > 0 } answer)
                {
                    yield return AcpUpdates.Chunk("agent_message_chunk", answer);
                }

                foreach (var call in Calls(message))
                {
                    yield return call;
                }
            }
        }
    }

    /// <summary>The tool calls an assistant message made (its <c>functionCall</c> contents), as completed <c>tool_call</c>s.</summary>
    private static IEnumerable<JsonObject> Calls(JsonElement message)
    {
        if (!message.TryGetProperty("contents", out var contents) || contents.ValueKind != JsonValueKind.Array)
        {
            yield break;
        }

        foreach (var content in contents.EnumerateArray())
        {
            if (String(content, "$type") != "functionCall" || String(content, "callId") is not { Length: > 0 } id || String(content, "name") is not { Length: > 0 } tool)
            {
                continue;
            }

            var arguments = content.TryGetProperty("arguments", out var a) && a.ValueKind == JsonValueKind.Object ? a : JsonDocument.Parse("{}").RootElement;
            yield return new JsonObject
            {
                ["sessionUpdate"] = "tool_call",
                ["toolCallId"] = id,
                ["title"] = AcpToolCalls.TitleOf(tool, arguments),
                ["kind"] = AcpToolCalls.KindOf(tool),
                ["status"] = "completed",
                ["rawInput"] = JsonNode.Parse(arguments.GetRawText()),
            };
        }
    }

    private static string? String(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
