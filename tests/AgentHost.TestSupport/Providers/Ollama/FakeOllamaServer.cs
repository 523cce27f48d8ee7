using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Providers.Ollama;

/// <summary>
/// A small Ollama on 127.0.0.1 speaking the real wire format: <c>/api/chat</c> replays scripted replies (NDJSON streams,
/// JSON bodies, errors, cut or endless streams), <c>/api/tags</c> and <c>/api/show</c> answer from <see cref="Models"/>.
/// Every request is recorded.
/// </summary>
public sealed class FakeOllamaServer() : FakeHttpServer("application/x-ndjson", Ndjson.Content(" more") + "\n", TimeSpan.Zero)
{
    public const string JsonType = "application/json; charset=utf-8";

    /// <summary>The server's address without a trailing slash, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public string BaseUrl => Root.TrimEnd('/');

    /// <summary>Installed models by name; a <see langword="null"/> info makes <c>/api/show</c> fail with 500.</summary>
    public ConcurrentDictionary<string, FakeModel?> Models { get; } = new(StringComparer.Ordinal);

    public IReadOnlyList<RecordedRequest> ChatRequests => Requests.Where(r => r.Path == "/api/chat").ToList();

    public void Enqueue(params FakeReply[] replies)
    {
        foreach (var reply in replies)
        {
            Script(response => reply.WriteAsync(this, response));
        }
    }

    protected override async Task RouteAsync(RecordedRequest request, HttpListenerResponse response)
    {
        switch (request.Path)
        {
            case "/api/chat":
                if (!await ReplyScriptedAsync(response))
                {
                    await WriteAsync(response, 500, """{"error":"the fake server has no scripted reply left"}""", JsonType);
                }

                break;
            case "/api/tags":
                await WriteAsync(response, 200, Tags(), JsonType);
                break;
            case "/api/show":
                var name = request.Node["model"]?.GetValue<string>() ?? string.Empty;
                await (Models.TryGetValue(name, out var model)
                    ? model is null ? WriteAsync(response, 500, """{"error":"failed to read the model file"}""", JsonType) : WriteAsync(response, 200, model.ShowJson(), JsonType)
                    : WriteAsync(response, 404, $$"""{"error":"model '{{name}}' not found"}""", JsonType));
                break;
            default:
                await WriteAsync(response, 404, "404 page not found", "text/plain; charset=utf-8");
                break;
        }
    }

    private string Tags()
    {
        var models = new JsonArray();
        foreach (var name in Models.Keys.Order(StringComparer.Ordinal))
        {
            models.Add(new JsonObject
            {
                ["name"] = name,
                ["model"] = name,
                ["size"] = 5_200_000_000,
                ["details"] = new JsonObject { ["family"] = "qwen3", ["parameter_size"] = "8.2B", ["quantization_level"] = "Q4_K_M" },
            });
        }

        return new JsonObject { ["models"] = models }.ToJsonString();
    }
}

/// <summary>What <c>/api/show</c> says about an installed model.</summary>
public sealed record FakeModel(string Architecture, int? ContextLength, params string[] Capabilities)
{
    public string ShowJson()
    {
        var info = new JsonObject { ["general.architecture"] = Architecture, ["general.parameter_count"] = 8_190_735_360 };
        if (ContextLength is { } length)
        {
            info[$"{Architecture}.context_length"] = length;
            info[$"{Architecture}.embedding_length"] = 4096;
        }

        return new JsonObject
        {
            ["modelfile"] = "FROM /models/blob",
            ["details"] = new JsonObject { ["family"] = Architecture, ["parameter_size"] = "8.2B" },
            ["model_info"] = info,
            ["capabilities"] = new JsonArray([.. Capabilities.Select(c => (JsonNode)c)]),
        }.ToJsonString();
    }
}

/// <summary>One scripted answer of <c>/api/chat</c>.</summary>
public sealed class FakeReply
{
    private readonly Func<FakeOllamaServer, HttpListenerResponse, Task> _write;

    private FakeReply(Func<FakeOllamaServer, HttpListenerResponse, Task> write) => _write = write;

    /// <summary>A 200 NDJSON stream of the given lines, then a clean end of the body.</summary>
    public static FakeReply Stream(params string[] lines) => new((server, response) => server.StreamAsync(response, lines.Select(line => line + "\n")));

    /// <summary>A 200 NDJSON stream of the given lines, then more content lines until the client goes away.</summary>
    public static FakeReply Endless(params string[] lines) => new((server, response) => server.StreamAsync(response, lines.Select(line => line + "\n"), StreamEnd.Hold));

    /// <summary>A whole JSON body with a status.</summary>
    public static FakeReply Json(int status, string body, IReadOnlyDictionary<string, string>? headers = null) =>
        new((_, response) => FakeHttpServer.WriteAsync(response, status, body, FakeOllamaServer.JsonType, headers));

    internal Task WriteAsync(FakeOllamaServer server, HttpListenerResponse response) => _write(server, response);
}

/// <summary>Lines of Ollama's <c>/api/chat</c> stream, as the server writes them.</summary>
public static class Ndjson
{
    private const string Model = "qwen3:8b";
    private const string CreatedAt = "2025-05-27T22:54:57.641643Z";

    public static string Content(string text) => Line(new JsonObject { ["role"] = "assistant", ["content"] = text });

    public static string Thinking(string text) => Line(new JsonObject { ["role"] = "assistant", ["content"] = string.Empty, ["thinking"] = text });

    public static string ToolCall(string name, string argumentsJson) => Line(new JsonObject
    {
        ["role"] = "assistant",
        ["content"] = string.Empty,
        ["tool_calls"] = new JsonArray(new JsonObject
        {
            ["function"] = new JsonObject { ["name"] = name, ["arguments"] = JsonNode.Parse(argumentsJson) },
        }),
    });

    public static string Done(string reason = "stop", int promptTokens = 42, int outputTokens = 7) => new JsonObject
    {
        ["model"] = Model,
        ["created_at"] = CreatedAt,
        ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = string.Empty },
        ["done"] = true,
        ["done_reason"] = reason,
        ["total_duration"] = 4_883_583_458,
        ["load_duration"] = 1_334_875,
        ["prompt_eval_count"] = promptTokens,
        ["prompt_eval_duration"] = 342_546_000,
        ["eval_count"] = outputTokens,
        ["eval_duration"] = 4_535_599_000,
    }.ToJsonString();

    /// <summary>A whole non-streaming answer.</summary>
    public static string Whole(string text, int promptTokens, int outputTokens) => new JsonObject
    {
        ["model"] = Model,
        ["created_at"] = CreatedAt,
        ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = text },
        ["done"] = true,
        ["done_reason"] = "stop",
        ["prompt_eval_count"] = promptTokens,
        ["eval_count"] = outputTokens,
    }.ToJsonString();

    public static string Error(string message) => new JsonObject { ["error"] = message }.ToJsonString();

    private static string Line(JsonObject message) => new JsonObject
    {
        ["model"] = Model,
        ["created_at"] = CreatedAt,
        ["message"] = message,
        ["done"] = false,
    }.ToJsonString();
}
