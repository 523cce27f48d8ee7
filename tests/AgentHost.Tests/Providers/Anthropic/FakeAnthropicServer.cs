using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Providers.Anthropic;

/// <summary>
/// A small Anthropic API on 127.0.0.1 speaking the real wire format: <c>POST /v1/messages</c> answers with JSON or
/// with server-sent events (<c>event:</c>/<c>data:</c> lines), <c>GET /v1/models</c> lists models. Responses to
/// <c>/v1/messages</c> are scripted in order; every request is recorded.
/// </summary>
public sealed class FakeAnthropicServer : IAsyncDisposable
{
    private readonly HttpListener _listener;
    private readonly ConcurrentQueue<Func<HttpListenerContext, Task>> _responses = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _loop;

    public FakeAnthropicServer()
    {
        _listener = Ports.StartHttpListener(out var baseUrl);
        BaseUrl = baseUrl.TrimEnd('/');
        _loop = Task.Run(AcceptAsync);
    }

    /// <summary>For example <c>http://127.0.0.1:5123</c>.</summary>
    public string BaseUrl { get; }

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    /// <summary>The models <c>GET /v1/models</c> returns, in pages of <see cref="ModelPageSize"/>.</summary>
    public List<(string Id, string DisplayName, long? MaxInputTokens, long? MaxTokens)> Models { get; } = [];

    public int ModelPageSize { get; set; } = 100;

    /// <summary>When set, <c>GET /v1/models</c> fails with this status and body.</summary>
    public (int Status, string Body)? ModelsFailure { get; set; }

    /// <summary>Completed once a scripted stream that holds its connection open has sent its first events.</summary>
    public TaskCompletionSource StreamHeld { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completed when the client goes away from a held stream (its write failed or the server stopped).</summary>
    public TaskCompletionSource HeldStreamEnded { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public RecordedRequest LastMessagesRequest => Requests.Last(r => r.Path == "/v1/messages");

    /// <summary>Answers the next <c>/v1/messages</c> request with a JSON body.</summary>
    public void EnqueueJson(int status, string body, IDictionary<string, string>? headers = null) =>
        _responses.Enqueue(async context =>
        {
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            foreach (var (name, value) in headers ?? new Dictionary<string, string>())
            {
                context.Response.AddHeader(name, value);
            }

            var bytes = Encoding.UTF8.GetBytes(body);
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        });

    /// <summary>Answers the next <c>/v1/messages</c> request with an Anthropic error body.</summary>
    public void EnqueueError(int status, string type, string message, IDictionary<string, string>? headers = null) =>
        EnqueueJson(status, JsonSerializer.Serialize(new { type = "error", error = new { type, message } }), headers);

    /// <summary>Never answers the next <c>/v1/messages</c> request (no status, no headers) until the server stops.</summary>
    public void EnqueueSilence() =>
        _responses.Enqueue(async context =>
        {
            try
            {
                await Task.Delay(Timeout.Infinite, _stopping.Token);
            }
            catch (OperationCanceledException)
            {
                context.Response.Abort();
            }
        });

    /// <summary>Answers the next <c>/v1/messages</c> request with a stream of events, then ends it as <paramref name="end"/> says.</summary>
    public void EnqueueStream(IEnumerable<string> events, StreamEnd end = StreamEnd.Close) =>
        _responses.Enqueue(async context =>
        {
            context.Response.StatusCode = 200;
            context.Response.ContentType = "text/event-stream";
            context.Response.SendChunked = true;
            var output = context.Response.OutputStream;
            foreach (var e in events)
            {
                await output.WriteAsync(Encoding.UTF8.GetBytes(e));
                await output.FlushAsync();
            }

            switch (end)
            {
                case StreamEnd.Abort:
                    context.Response.Abort();
                    break;
                case StreamEnd.Hold:
                    StreamHeld.TrySetResult();
                    await HoldAsync(output);
                    break;
                default:
                    context.Response.Close();
                    break;
            }
        });

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Close();
        try
        {
            await _loop;
        }
        catch (ObjectDisposedException)
        {
        }

        _stopping.Dispose();
    }

    private async Task HoldAsync(Stream output)
    {
        // Keep the connection open, pinging now and then, until the client goes away or the server stops.
        try
        {
            while (!_stopping.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), _stopping.Token);
                await output.WriteAsync(Encoding.UTF8.GetBytes(Sse.Ping()));
                await output.FlushAsync();
            }
        }
        catch (Exception ex) when (ex is HttpListenerException or IOException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            HeldStreamEnded.TrySetResult();
        }
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
        try
        {
            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var headers = context.Request.Headers.AllKeys.Where(k => k is not null)
                .ToDictionary(k => k!, k => context.Request.Headers.GetValues(k!)!, StringComparer.OrdinalIgnoreCase);
            var path = context.Request.Url!.AbsolutePath;
            Requests.Enqueue(new RecordedRequest(context.Request.HttpMethod, path, context.Request.Url.Query, headers, body));
            if (path == "/v1/models" && context.Request.HttpMethod == "GET")
            {
                await ListModelsAsync(context);
            }
            else if (path == "/v1/messages" && context.Request.HttpMethod == "POST" && _responses.TryDequeue(out var respond))
            {
                await respond(context);
            }
            else
            {
                context.Response.StatusCode = 500;
                var bytes = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { type = "error", error = new { type = "api_error", message = $"fake server: nothing scripted for {context.Request.HttpMethod} {path}" } }));
                await context.Response.OutputStream.WriteAsync(bytes);
                context.Response.Close();
            }
        }
        catch (Exception ex) when (ex is HttpListenerException or IOException or ObjectDisposedException)
        {
            // The client went away.
        }
    }

    private async Task ListModelsAsync(HttpListenerContext context)
    {
        if (ModelsFailure is { } failure)
        {
            context.Response.StatusCode = failure.Status;
            context.Response.ContentType = "application/json";
            await context.Response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes(failure.Body));
            context.Response.Close();
            return;
        }

        var query = System.Web.HttpUtility.ParseQueryString(context.Request.Url!.Query);
        var start = query["after_id"] is { } after ? Models.FindIndex(m => m.Id == after) + 1 : 0;
        var page = Models.Skip(start).Take(ModelPageSize).ToList();
        var data = new JsonArray();
        foreach (var model in page)
        {
            var item = new JsonObject
            {
                ["type"] = "model",
                ["id"] = model.Id,
                ["display_name"] = model.DisplayName,
                ["created_at"] = "2025-05-14T00:00:00Z",
            };
            if (model.MaxInputTokens is { } input)
            {
                item["max_input_tokens"] = input;
            }

            if (model.MaxTokens is { } output)
            {
                item["max_tokens"] = output;
            }

            data.Add(item);
        }

        var body = new JsonObject
        {
            ["data"] = data,
            ["has_more"] = start + page.Count < Models.Count,
            ["first_id"] = page.Count > 0 ? page[0].Id : null,
            ["last_id"] = page.Count > 0 ? page[^1].Id : null,
        };
        context.Response.ContentType = "application/json";
        await context.Response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes(body.ToJsonString()));
        context.Response.Close();
    }
}

/// <summary>How a scripted stream ends.</summary>
public enum StreamEnd
{
    /// <summary>The response completes normally after the last event.</summary>
    Close,

    /// <summary>The connection is reset after the last event (a cut connection).</summary>
    Abort,

    /// <summary>The connection stays open (pinging) until the client leaves.</summary>
    Hold,
}

/// <summary>One request the fake server received.</summary>
public sealed record RecordedRequest(string Method, string Path, string Query, IReadOnlyDictionary<string, string[]> Headers, string Body)
{
    public JsonNode Json => JsonNode.Parse(Body)!;

    public string? Header(string name) => Headers.TryGetValue(name, out var values) ? string.Join(",", values) : null;
}
