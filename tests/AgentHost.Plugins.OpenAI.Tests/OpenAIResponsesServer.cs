using System.Net;
using System.Text.Json.Nodes;
using AgentHost.Tests.Support;

namespace AgentHost.Plugins.OpenAI.Tests;

/// <summary>
/// A Responses API server on 127.0.0.1 that speaks the real wire format (<c>event:</c> + <c>data:</c> server-sent
/// events, no <c>[DONE]</c> line; JSON error bodies) and records every request. Each <c>POST /v1/responses</c> and
/// <c>POST /v1/chat/completions</c> takes the next scripted reply.
/// </summary>
public sealed class OpenAIResponsesServer() : FakeHttpServer("text/event-stream", ": keep-alive\n\n", TimeSpan.FromMilliseconds(50))
{
    /// <summary>The API base to configure, <c>{Root}v1</c>.</summary>
    public Uri BaseUrl => new(Root + "v1");

    public RecordedRequest LastResponses => Requests.Last(r => r.Path == "/v1/responses");

    public void ReplyJson(string json, int status = 200, params (string Name, string Value)[] headers) =>
        Script(response => WriteAsync(response, status, json, headers: headers.Select(h => KeyValuePair.Create(h.Name, h.Value))));

    /// <summary>Streams each event (built by <see cref="ResponsesEvents"/>) as <c>event: type</c> + <c>data: json</c>.</summary>
    public void ReplyEvents(IEnumerable<JsonObject> events) => Script(response => StreamAsync(response, Frame(events)));

    /// <summary>Streams text exactly as given (for bodies that are not well-formed events).</summary>
    public void ReplyRaw(string body) => Script(response => StreamAsync(response, [body]));

    /// <summary>Streams the events, then keeps the connection open until the client goes away (or the server stops).</summary>
    public void EventsThenHold(IEnumerable<JsonObject> events) => Script(response => StreamAsync(response, Frame(events), StreamEnd.Hold));

    /// <summary>Streams the events, then aborts the TCP connection.</summary>
    public void EventsThenAbort(IEnumerable<JsonObject> events) => Script(response => StreamAsync(response, Frame(events), StreamEnd.Abort));

    protected override async Task RouteAsync(RecordedRequest request, HttpListenerResponse response)
    {
        if (request.Method != "POST" || request.Path is not ("/v1/responses" or "/v1/chat/completions") || !await ReplyScriptedAsync(response))
        {
            await WriteAsync(response, 404, ResponsesEvents.ErrorBody($"fake server: nothing scripted for {request.Method} {request.Path}", "invalid_request_error", null));
        }
    }

    private static IEnumerable<string> Frame(IEnumerable<JsonObject> events)
    {
        var sequence = 0;
        foreach (var e in events)
        {
            e["sequence_number"] = sequence++;
            yield return $"event: {(string?)e["type"]}\ndata: {e.ToJsonString()}\n\n";
        }
    }
}

/// <summary>Responses API stream events and bodies, as OpenAI sends them.</summary>
public static class ResponsesEvents
{
    public const string Id = "resp_0a1b2c";
    public const string Model = "gpt-5-2025-08-07";

    public static JsonObject Created() => new() { ["type"] = "response.created", ["response"] = Response("in_progress") };

    public static JsonObject MessageAdded(int index, string itemId = "msg_1") => new()
    {
        ["type"] = "response.output_item.added",
        ["output_index"] = index,
        ["item"] = new JsonObject { ["id"] = itemId, ["type"] = "message", ["status"] = "in_progress", ["role"] = "assistant", ["content"] = new JsonArray() },
    };

    public static JsonObject TextDelta(int index, string delta, string itemId = "msg_1") => new()
    {
        ["type"] = "response.output_text.delta", ["item_id"] = itemId, ["output_index"] = index, ["content_index"] = 0, ["delta"] = delta, ["logprobs"] = new JsonArray(),
    };

    public static JsonObject MessageDone(int index, string text, string itemId = "msg_1") => new()
    {
        ["type"] = "response.output_item.done",
        ["output_index"] = index,
        ["item"] = new JsonObject
        {
            ["id"] = itemId, ["type"] = "message", ["status"] = "completed", ["role"] = "assistant",
            ["content"] = new JsonArray(new JsonObject { ["type"] = "output_text", ["text"] = text, ["annotations"] = new JsonArray(), ["logprobs"] = new JsonArray() }),
        },
    };

    public static JsonObject ReasoningAdded(int index, string itemId) => new()
    {
        ["type"] = "response.output_item.added",
        ["output_index"] = index,
        ["item"] = new JsonObject { ["id"] = itemId, ["type"] = "reasoning", ["summary"] = new JsonArray() },
    };

    public static JsonObject SummaryDelta(int index, string itemId, int summaryIndex, string delta) => new()
    {
        ["type"] = "response.reasoning_summary_text.delta", ["item_id"] = itemId, ["output_index"] = index, ["summary_index"] = summaryIndex, ["delta"] = delta,
    };

    public static JsonObject ReasoningDone(int index, string itemId, string? encrypted, params string[] summary) => new()
    {
        ["type"] = "response.output_item.done",
        ["output_index"] = index,
        ["item"] = Reasoning(itemId, encrypted, summary),
    };

    public static JsonObject Reasoning(string itemId, string? encrypted, params string[] summary)
    {
        var item = new JsonObject
        {
            ["id"] = itemId,
            ["type"] = "reasoning",
            ["summary"] = new JsonArray([.. summary.Select(s => (JsonNode)new JsonObject { ["type"] = "summary_text", ["text"] = s })]),
        };
        if (encrypted is not null)
        {
            item["encrypted_content"] = encrypted;
        }

        return item;
    }

    public static JsonObject CallAdded(int index, string itemId, string callId, string name) => new()
    {
        ["type"] = "response.output_item.added",
        ["output_index"] = index,
        ["item"] = new JsonObject { ["id"] = itemId, ["type"] = "function_call", ["status"] = "in_progress", ["arguments"] = "", ["call_id"] = callId, ["name"] = name },
    };

    public static JsonObject ArgumentsDelta(int index, string itemId, string delta) => new()
    {
        ["type"] = "response.function_call_arguments.delta", ["item_id"] = itemId, ["output_index"] = index, ["delta"] = delta,
    };

    public static JsonObject ArgumentsDone(int index, string itemId, string arguments) => new()
    {
        ["type"] = "response.function_call_arguments.done", ["item_id"] = itemId, ["output_index"] = index, ["arguments"] = arguments,
    };

    public static JsonObject CallDone(int index, string itemId, string callId, string name, string arguments) => new()
    {
        ["type"] = "response.output_item.done",
        ["output_index"] = index,
        ["item"] = new JsonObject { ["id"] = itemId, ["type"] = "function_call", ["status"] = "completed", ["arguments"] = arguments, ["call_id"] = callId, ["name"] = name },
    };

    public static JsonObject Completed(int input = 10, int output = 5, int cached = 0, int reasoning = 0)
    {
        var response = Response("completed");
        response["usage"] = new JsonObject
        {
            ["input_tokens"] = input,
            ["input_tokens_details"] = new JsonObject { ["cached_tokens"] = cached },
            ["output_tokens"] = output,
            ["output_tokens_details"] = new JsonObject { ["reasoning_tokens"] = reasoning },
            ["total_tokens"] = input + output,
        };
        return new JsonObject { ["type"] = "response.completed", ["response"] = response };
    }

    public static JsonObject Failed(string code, string message)
    {
        var response = Response("failed");
        response["error"] = new JsonObject { ["code"] = code, ["message"] = message };
        return new JsonObject { ["type"] = "response.failed", ["response"] = response };
    }

    public static JsonObject Error(string? code, string message) => new()
    {
        ["type"] = "error", ["code"] = code, ["message"] = message, ["param"] = null,
    };

    /// <summary>A whole streamed text answer: created, a message item with one delta per word, completed.</summary>
    public static IEnumerable<JsonObject> Answer(string text, int input = 10, int output = 5)
    {
        yield return Created();
        yield return MessageAdded(0);
        foreach (var word in Words(text))
        {
            yield return TextDelta(0, word);
        }

        yield return MessageDone(0, text);
        yield return Completed(input, output);
    }

    public static string ErrorBody(string message, string? type, string? code, string? param = null) => new JsonObject
    {
        ["error"] = new JsonObject { ["message"] = message, ["type"] = type, ["param"] = param, ["code"] = code },
    }.ToJsonString();

    private static IEnumerable<string> Words(string text)
    {
        var start = 0;
        for (var i = 1; i <= text.Length; i++)
        {
            if (i == text.Length || text[i] == ' ')
            {
                yield return text[start..i];
                start = i;
            }
        }
    }

    private static JsonObject Response(string status) => new()
    {
        ["id"] = Id,
        ["object"] = "response",
        ["created_at"] = 1741290958,
        ["status"] = status,
        ["error"] = null,
        ["incomplete_details"] = null,
        ["instructions"] = null,
        ["max_output_tokens"] = null,
        ["model"] = Model,
        ["output"] = new JsonArray(),
        ["parallel_tool_calls"] = true,
        ["previous_response_id"] = null,
        ["reasoning"] = new JsonObject { ["effort"] = "medium", ["summary"] = "auto" },
        ["store"] = false,
        ["temperature"] = 1.0,
        ["text"] = new JsonObject { ["format"] = new JsonObject { ["type"] = "text" } },
        ["tool_choice"] = "auto",
        ["tools"] = new JsonArray(),
        ["top_p"] = 1.0,
        ["truncation"] = "disabled",
        ["usage"] = null,
        ["metadata"] = new JsonObject(),
    };
}
