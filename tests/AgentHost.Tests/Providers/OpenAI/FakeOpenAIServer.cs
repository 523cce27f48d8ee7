using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Providers.OpenAI;

/// <summary>One request the fake server received.</summary>
public sealed record RecordedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement.Clone();

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}

/// <summary>
/// A Chat Completions server on 127.0.0.1 that speaks the real wire format (JSON bodies, server-sent events ending
/// in <c>data: [DONE]</c>) and records every request. Each <c>POST /v1/chat/completions</c> takes the next scripted
/// reply; <c>GET /v1/models</c> answers <see cref="ModelsJson"/>.
/// </summary>
public sealed class FakeOpenAIServer : IAsyncDisposable
{
    private readonly HttpListener _listener;
    private readonly ConcurrentQueue<Func<HttpListenerResponse, Task>> _replies = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _loop;

    public FakeOpenAIServer()
    {
        _listener = Ports.StartHttpListener(out var root);
        Root = root;
        _loop = Task.Run(AcceptAsync);
    }

    /// <summary>The server root, e.g. <c>http://127.0.0.1:PORT/</c>.</summary>
    public string Root { get; }

    /// <summary>The API base to configure, <c>{Root}v1</c>.</summary>
    public Uri BaseUrl => new(Root + "v1");

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public string ModelsJson { get; set; } = """{"object":"list","data":[]}""";

    /// <summary>Completes when a streamed reply started by <see cref="SseThenHold"/> has sent its chunks.</summary>
    public TaskCompletionSource HoldStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the client went away from a held stream.</summary>
    public TaskCompletionSource HoldEnded { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public RecordedRequest LastChat => Requests.Last(r => r.Path.EndsWith("/chat/completions", StringComparison.Ordinal));

    public void ReplyJson(string json, int status = 200, params (string Name, string Value)[] headers) =>
        _replies.Enqueue(async response =>
        {
            response.StatusCode = status;
            foreach (var (name, value) in headers)
            {
                response.AddHeader(name, value);
            }

            await WriteBodyAsync(response, "application/json", json);
        });

    /// <summary>Streams each JSON chunk as one <c>data:</c> event, then <c>data: [DONE]</c> unless told not to.</summary>
    public void ReplySse(IEnumerable<string> chunks, bool done = true) =>
        _replies.Enqueue(async response =>
        {
            StartEvents(response);
            foreach (var chunk in chunks)
            {
                await WriteEventAsync(response, chunk);
            }

            if (done)
            {
                await WriteEventAsync(response, "[DONE]");
            }

            response.Close();
        });

    /// <summary>Streams the chunks, then keeps the connection open until the client goes away (or the server stops).</summary>
    public void SseThenHold(IEnumerable<string> chunks) =>
        _replies.Enqueue(async response =>
        {
            StartEvents(response);
            foreach (var chunk in chunks)
            {
                await WriteEventAsync(response, chunk);
            }

            HoldStarted.TrySetResult();
            try
            {
                // Heartbeat comments until the client closes the connection (the write then fails).
                while (!_stopping.IsCancellationRequested)
                {
                    await Task.Delay(50, _stopping.Token);
                    await response.OutputStream.WriteAsync(": keep-alive\n\n"u8.ToArray(), _stopping.Token);
                    await response.OutputStream.FlushAsync(_stopping.Token);
                }
            }
            catch (Exception ex) when (ex is HttpListenerException or IOException or OperationCanceledException or ObjectDisposedException)
            {
            }
            finally
            {
                HoldEnded.TrySetResult();
            }
        });

    /// <summary>Accepts the request and never answers (until the server stops).</summary>
    public void ReplyNothing() =>
        _replies.Enqueue(async response =>
        {
            try
            {
                await Task.Delay(Timeout.Infinite, _stopping.Token);
            }
            catch (OperationCanceledException)
            {
                response.Abort();
            }
        });

    /// <summary>Streams the chunks, then aborts the TCP connection.</summary>
    public void SseThenAbort(IEnumerable<string> chunks) =>
        _replies.Enqueue(async response =>
        {
            StartEvents(response);
            foreach (var chunk in chunks)
            {
                await WriteEventAsync(response, chunk);
            }

            response.Abort();
        });

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        _listener.Close();
        try
        {
            await _loop;
        }
        catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or OperationCanceledException)
        {
        }

        _stopping.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
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
        using var reader = new StreamReader(request.InputStream, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        var headers = request.Headers.AllKeys.Where(k => k is not null).ToDictionary(k => k!, k => request.Headers[k] ?? string.Empty, StringComparer.OrdinalIgnoreCase);
        var path = request.Url!.AbsolutePath;
        Requests.Enqueue(new RecordedRequest(request.HttpMethod, path, headers, body));
        try
        {
            if (request.HttpMethod == "GET" && path == "/v1/models")
            {
                await WriteBodyAsync(context.Response, "application/json", ModelsJson);
            }
            else if (request.HttpMethod == "POST" && path == "/v1/chat/completions" && _replies.TryDequeue(out var reply))
            {
                await reply(context.Response);
            }
            else
            {
                context.Response.StatusCode = 404;
                await WriteBodyAsync(context.Response, "application/json", Chunks.Error($"fake server: nothing scripted for {request.HttpMethod} {path}", "invalid_request_error", null));
            }
        }
        catch (Exception ex) when (ex is HttpListenerException or IOException or ObjectDisposedException)
        {
            // The client went away.
        }
    }

    private static async Task WriteBodyAsync(HttpListenerResponse response, string contentType, string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        response.ContentType = contentType;
        response.ContentLength64 = bytes.Length;
        await response.OutputStream.WriteAsync(bytes);
        response.Close();
    }

    private static void StartEvents(HttpListenerResponse response)
    {
        response.StatusCode = 200;
        response.ContentType = "text/event-stream";
        response.SendChunked = true;
    }

    private static async Task WriteEventAsync(HttpListenerResponse response, string data)
    {
        await response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes($"data: {data}\n\n"));
        await response.OutputStream.FlushAsync();
    }
}
