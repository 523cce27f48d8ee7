using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Providers.Ollama;

/// <summary>
/// A small Ollama on 127.0.0.1 speaking the real wire format: <c>/api/chat</c> replays scripted replies (NDJSON streams,
/// JSON bodies, errors, cut or endless streams), <c>/api/tags</c> and <c>/api/show</c> answer from <see cref="Models"/>.
/// Every request is recorded.
/// </summary>
public sealed class FakeOllamaServer : IAsyncDisposable
{
    private readonly HttpListener _listener;
    private readonly ConcurrentQueue<FakeReply> _replies = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public FakeOllamaServer()
    {
        _listener = Ports.StartHttpListener(out var url);
        BaseUrl = url.TrimEnd('/');
        _loop = Task.Run(AcceptAsync);
    }

    /// <summary>The server's address without a trailing slash, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public string BaseUrl { get; }

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    /// <summary>Installed models by name; a <see langword="null"/> info makes <c>/api/show</c> fail with 500.</summary>
    public ConcurrentDictionary<string, FakeModel?> Models { get; } = new(StringComparer.Ordinal);

    /// <summary>Completed when a client went away in the middle of an endless stream.</summary>
    public TaskCompletionSource ClientDisconnected { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyList<RecordedRequest> ChatRequests => Requests.Where(r => r.Path == "/api/chat").ToList();

    public void Enqueue(params FakeReply[] replies)
    {
        foreach (var reply in replies)
        {
            _replies.Enqueue(reply);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Close();
        try
        {
            await _loop;
        }
        catch (ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var request = context.Request;
        string body;
        using (var reader = new StreamReader(request.InputStream, Encoding.UTF8))
        {
            body = await reader.ReadToEndAsync();
        }

        var headers = request.Headers.AllKeys.Where(k => k is not null).ToDictionary(k => k!, k => request.Headers[k] ?? string.Empty, StringComparer.OrdinalIgnoreCase);
        var path = request.Url!.AbsolutePath;
        Requests.Enqueue(new RecordedRequest(request.HttpMethod, path, body.Length > 0 ? JsonNode.Parse(body) : null, headers));
        var response = context.Response;
        try
        {
            switch (path)
            {
                case "/api/chat":
                    await (_replies.TryDequeue(out var reply) ? reply : FakeReply.Json(500, """{"error":"the fake server has no scripted reply left"}"""))
                        .WriteAsync(response, this, _stop.Token);
                    break;
                case "/api/tags":
                    await Write(response, 200, Tags());
                    break;
                case "/api/show":
                    var name = JsonNode.Parse(body)?["model"]?.GetValue<string>() ?? string.Empty;
                    await (Models.TryGetValue(name, out var model)
                        ? model is null ? Write(response, 500, """{"error":"failed to read the model file"}""") : Write(response, 200, model.ShowJson())
                        : Write(response, 404, $$"""{"error":"model '{{name}}' not found"}"""));
                    break;
                default:
                    await WriteText(response, 404, "404 page not found");
                    break;
            }
        }
        catch (Exception ex) when (ex is HttpListenerException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            // The client went away.
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

    internal static Task Write(HttpListenerResponse response, int status, string json, IReadOnlyDictionary<string, string>? headers = null)
    {
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            response.AddHeader(name, value);
        }

        response.ContentType = "application/json; charset=utf-8";
        return WriteText(response, status, json);
    }

    private static async Task WriteText(HttpListenerResponse response, int status, string text)
    {
        response.StatusCode = status;
        var bytes = Encoding.UTF8.GetBytes(text);
        response.ContentLength64 = bytes.Length;
        await response.OutputStream.WriteAsync(bytes);
        response.Close();
    }
}

/// <summary>A recorded request; <see cref="Body"/> is the parsed JSON body.</summary>
public sealed record RecordedRequest(string Method, string Path, JsonNode? Body, IReadOnlyDictionary<string, string> Headers);

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
public abstract class FakeReply
{
    /// <summary>A 200 NDJSON stream of the given lines, then a clean end of the body.</summary>
    public static FakeReply Stream(params string[] lines) => new StreamReply(lines, endless: false);

    /// <summary>A 200 NDJSON stream of the given lines, then more content lines until the client goes away.</summary>
    public static FakeReply Endless(params string[] lines) => new StreamReply(lines, endless: true);

    /// <summary>A whole JSON body with a status.</summary>
    public static FakeReply Json(int status, string body, IReadOnlyDictionary<string, string>? headers = null) => new JsonReply(status, body, headers);

    internal abstract Task WriteAsync(HttpListenerResponse response, FakeOllamaServer server, CancellationToken stop);

    private sealed class JsonReply(int status, string body, IReadOnlyDictionary<string, string>? headers) : FakeReply
    {
        internal override Task WriteAsync(HttpListenerResponse response, FakeOllamaServer server, CancellationToken stop) =>
            FakeOllamaServer.Write(response, status, body, headers);
    }

    private sealed class StreamReply(string[] lines, bool endless) : FakeReply
    {
        internal override async Task WriteAsync(HttpListenerResponse response, FakeOllamaServer server, CancellationToken stop)
        {
            response.StatusCode = 200;
            response.ContentType = "application/x-ndjson";
            response.SendChunked = true;
            var output = response.OutputStream;
            foreach (var line in lines)
            {
                await output.WriteAsync(Encoding.UTF8.GetBytes(line + "\n"), stop);
                await output.FlushAsync(stop);
            }

            if (!endless)
            {
                response.Close();
                return;
            }

            // Keep generating until a write fails because the client hung up (once the socket buffers are full, a
            // write waits for the client to read, so this does not spin ahead of it).
            var more = Encoding.UTF8.GetBytes(Ndjson.Content(" more") + "\n");
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    await output.WriteAsync(more, stop);
                    await output.FlushAsync(stop);
                }
            }
            catch (Exception ex) when (ex is HttpListenerException or IOException or ObjectDisposedException)
            {
                server.ClientDisconnected.TrySetResult();
                return;
            }

            response.Abort();
        }
    }
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
