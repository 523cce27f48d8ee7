using System.Text.Json.Nodes;

namespace AgentHost.Tests.Providers.OpenAI;

/// <summary>Chat Completions stream chunks and bodies, as OpenAI and compatible servers send them.</summary>
public static class Chunks
{
    public const string Id = "chatcmpl-42";
    public const string Model = "test-model-2024";

    public static string Role() => Delta(new JsonObject { ["role"] = "assistant", ["content"] = "" });

    public static string Text(string text) => Delta(new JsonObject { ["content"] = text });

    public static string Reasoning(string text) => Delta(new JsonObject { ["content"] = null, ["reasoning_content"] = text });

    public static string ToolCall(int index, string? id = null, string? name = null, string? arguments = null)
    {
        var function = new JsonObject();
        if (name is not null)
        {
            function["name"] = name;
        }

        if (arguments is not null)
        {
            function["arguments"] = arguments;
        }

        var call = new JsonObject { ["index"] = index, ["function"] = function };
        if (id is not null)
        {
            call["id"] = id;
            call["type"] = "function";
        }

        return Delta(new JsonObject { ["tool_calls"] = new JsonArray(call) });
    }

    public static string Finish(string reason) => Envelope(new JsonArray(new JsonObject
    {
        ["index"] = 0,
        ["delta"] = new JsonObject(),
        ["finish_reason"] = reason,
    }));

    public static string Usage(int prompt, int completion, int? cached = null, int? reasoning = null)
    {
        var usage = new JsonObject { ["prompt_tokens"] = prompt, ["completion_tokens"] = completion, ["total_tokens"] = prompt + completion };
        if (cached is { } c)
        {
            usage["prompt_tokens_details"] = new JsonObject { ["cached_tokens"] = c };
        }

        if (reasoning is { } r)
        {
            usage["completion_tokens_details"] = new JsonObject { ["reasoning_tokens"] = r };
        }

        var chunk = JsonNode.Parse(Envelope(new JsonArray()))!.AsObject();
        chunk["usage"] = usage;
        return chunk.ToJsonString();
    }

    /// <summary>A whole streamed answer: role, text in pieces, finish, usage.</summary>
    public static IEnumerable<string> Answer(string text, int prompt = 10, int completion = 5)
    {
        yield return Role();
        foreach (var word in text.Split(' '))
        {
            yield return Text(word == text.Split(' ')[0] ? word : " " + word);
        }

        yield return Finish("stop");
        yield return Usage(prompt, completion);
    }

    /// <summary>A non-streamed completion.</summary>
    public static string Completion(string content, string finish = "stop", string? reasoning = null, string? toolCallsJson = null) =>
        new JsonObject
        {
            ["id"] = Id,
            ["object"] = "chat.completion",
            ["created"] = 1_700_000_000,
            ["model"] = Model,
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["message"] = new JsonObject
                {
                    ["role"] = "assistant",
                    ["content"] = content,
                    ["reasoning_content"] = reasoning,
                    ["tool_calls"] = toolCallsJson is null ? null : JsonNode.Parse(toolCallsJson),
                },
                ["finish_reason"] = finish,
            }),
            ["usage"] = new JsonObject
            {
                ["prompt_tokens"] = 21,
                ["completion_tokens"] = 7,
                ["total_tokens"] = 28,
                ["prompt_tokens_details"] = new JsonObject { ["cached_tokens"] = 16 },
            },
        }.ToJsonString();

    public static string Error(string message, string type, string? code) =>
        new JsonObject { ["error"] = new JsonObject { ["message"] = message, ["type"] = type, ["param"] = null, ["code"] = code } }.ToJsonString();

    private static string Delta(JsonObject delta) => Envelope(new JsonArray(new JsonObject
    {
        ["index"] = 0,
        ["delta"] = delta,
        ["finish_reason"] = null,
    }));

    private static string Envelope(JsonArray choices) => new JsonObject
    {
        ["id"] = Id,
        ["object"] = "chat.completion.chunk",
        ["created"] = 1_700_000_000,
        ["model"] = Model,
        ["choices"] = choices,
    }.ToJsonString();
}
