using System.Text.Json;

namespace AgentHost.Tests.Providers.Anthropic;

/// <summary>Builds Messages API stream events exactly as Anthropic sends them (<c>event: name</c>, <c>data: json</c>, blank line).</summary>
public static class Sse
{
    public static string Event(string name, object data) => $"event: {name}\ndata: {JsonSerializer.Serialize(data)}\n\n";

    public static string MessageStart(string id = "msg_01", string model = "claude-test", long input = 10, long cacheCreation = 0, long cacheRead = 0) =>
        Event("message_start", new
        {
            type = "message_start",
            message = new
            {
                id,
                type = "message",
                role = "assistant",
                model,
                content = Array.Empty<object>(),
                stop_reason = (string?)null,
                stop_sequence = (string?)null,
                usage = new { input_tokens = input, output_tokens = 1, cache_creation_input_tokens = cacheCreation, cache_read_input_tokens = cacheRead },
            },
        });

    public static IEnumerable<string> Text(int index, params string[] chunks)
    {
        yield return Event("content_block_start", new { type = "content_block_start", index, content_block = new { type = "text", text = string.Empty } });
        foreach (var chunk in chunks)
        {
            yield return Event("content_block_delta", new { type = "content_block_delta", index, delta = new { type = "text_delta", text = chunk } });
        }

        yield return Event("content_block_stop", new { type = "content_block_stop", index });
    }

    public static IEnumerable<string> Thinking(int index, string signature, params string[] chunks)
    {
        yield return Event("content_block_start", new { type = "content_block_start", index, content_block = new { type = "thinking", thinking = string.Empty, signature = string.Empty } });
        foreach (var chunk in chunks)
        {
            yield return Event("content_block_delta", new { type = "content_block_delta", index, delta = new { type = "thinking_delta", thinking = chunk } });
        }

        yield return Event("content_block_delta", new { type = "content_block_delta", index, delta = new { type = "signature_delta", signature } });
        yield return Event("content_block_stop", new { type = "content_block_stop", index });
    }

    public static IEnumerable<string> ToolUse(int index, string id, string name, params string[] jsonChunks)
    {
        yield return Event("content_block_start", new { type = "content_block_start", index, content_block = new { type = "tool_use", id, name, input = new { } } });
        foreach (var chunk in jsonChunks)
        {
            yield return Event("content_block_delta", new { type = "content_block_delta", index, delta = new { type = "input_json_delta", partial_json = chunk } });
        }

        yield return Event("content_block_stop", new { type = "content_block_stop", index });
    }

    public static string MessageDelta(string stopReason = "end_turn", long output = 5) =>
        Event("message_delta", new { type = "message_delta", delta = new { stop_reason = stopReason, stop_sequence = (string?)null }, usage = new { output_tokens = output } });

    public static string MessageStop() => Event("message_stop", new { type = "message_stop" });

    public static string Ping() => Event("ping", new { type = "ping" });

    public static string Error(string type, string message) => Event("error", new { type = "error", error = new { type, message } });

    /// <summary>A whole text answer: start, one text block in chunks, delta, stop.</summary>
    public static IEnumerable<string> TextAnswer(params string[] chunks) =>
        [MessageStart(), Ping(), .. Text(0, chunks), MessageDelta(), MessageStop()];

    /// <summary>A non-streaming Messages API response body.</summary>
    public static string MessageJson(string text, string stopReason = "end_turn", long input = 12, long output = 4, long cacheCreation = 0, long cacheRead = 0) =>
        JsonSerializer.Serialize(new
        {
            id = "msg_json",
            type = "message",
            role = "assistant",
            model = "claude-test",
            content = new object[] { new { type = "text", text } },
            stop_reason = stopReason,
            stop_sequence = (string?)null,
            usage = new { input_tokens = input, output_tokens = output, cache_creation_input_tokens = cacheCreation, cache_read_input_tokens = cacheRead },
        });
}
