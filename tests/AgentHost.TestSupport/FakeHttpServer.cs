using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentHost.Tests.Support;

/// <summary>
/// The machinery a fake provider API on 127.0.0.1 needs: an <see cref="HttpListener"/> on a free port, an accept loop
/// that records every request, a queue of scripted replies and the ways to write one (a whole body, a stream that
/// closes, is cut or is held open, no answer at all). A subclass routes requests and knows its wire format.
/// </summary>
public abstract class FakeHttpServer : IAsyncDisposable
{
    private readonly HttpListener _listener;
    private readonly ConcurrentQueue<Func<HttpListenerResponse, Task>> _replies = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly string _streamContentType;
    private readonly byte[] _heartbeat;
    private readonly TimeSpan _heartbeatEvery;
    private readonly Task _loop;
    private readonly ConcurrentDictionary<Task, bool> _handlers = new();

    /// <param name="streamContentType">The content type of streamed replies.</param>
    /// <param name="heartbeat">What a held stream keeps writing until the client goes away.</param>
    /// <param name="heartbeatEvery">The pause between heartbeats (zero: write as fast as the client reads).</param>
    protected FakeHttpServer(string streamContentType, string heartbeat, TimeSpan heartbeatEvery)
    {
        _streamContentType = streamContentType;
        _heartbeat = Encoding.UTF8.GetBytes(heartbeat);
        _heartbeatEvery = heartbeatEvery;
        _listener = Ports.StartHttpListener(out var root);
        Root = root;
        _loop = Task.Run(AcceptAsync);
    }

    /// <summary>The server root with a trailing slash, e.g. <c>http://127.0.0.1:PORT/</c>.</summary>
    public string Root { get; }

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    /// <summary>Completes when a stream ending in <see cref="StreamEnd.Hold"/> has sent its pieces.</summary>
    public TaskCompletionSource HoldStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when a held stream ended: the client went away (its write failed) or the server stopped.</summary>
    public TaskCompletionSource HoldEnded { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Writes a whole body with a status and headers, then ends the response.</summary>
    public static async Task WriteAsync(HttpListenerResponse response, int status, string body, string contentType = "application/json", IEnumerable<KeyValuePair<string, string>>? headers = null)
    {
        response.StatusCode = status;
        foreach (var (name, value) in headers ?? [])
        {
            response.AddHeader(name, value);
        }

        var bytes = Encoding.UTF8.GetBytes(body);
        response.ContentType = contentType;
        response.ContentLength64 = bytes.Length;
        await response.OutputStream.WriteAsync(bytes);
        response.Close();
    }

    /// <summary>Streams the already framed pieces (SSE events, NDJSON lines) as a chunked 200, then ends as <paramref name="end"/> says.</summary>
    public async Task StreamAsync(HttpListenerResponse response, IEnumerable<string> pieces, StreamEnd end = StreamEnd.Close)
    {
        response.StatusCode = 200;
        response.ContentType = _streamContentType;
        response.SendChunked = true;
        var output = response.OutputStream;
        foreach (var piece in pieces)
        {
            await output.WriteAsync(Encoding.UTF8.GetBytes(piece), _stopping.Token);
            await output.FlushAsync(_stopping.Token);
        }

        switch (end)
        {
            case StreamEnd.Abort:
                response.Abort();
                break;
            case StreamEnd.Hold:
                HoldStarted.TrySetResult();
                await HoldAsync(response);
                break;
            default:
                response.Close();
                break;
        }
    }

    /// <summary>Accepts the request and never answers (no status, no headers) until the server stops.</summary>
    public async Task SilenceAsync(HttpListenerResponse response)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, _stopping.Token);
        }
        catch (OperationCanceledException)
        {
            response.Abort();
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Stop accepting, and let the requests being answered end first (held streams and silences end on the stopping
        // token): the managed listener's Close disposes the responses of open connections, and one being written or
        // aborted at that moment throws from inside Close (NullReferenceException in HttpListenerResponse.FormatHeaders).
        await _stopping.CancelAsync();
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await Task.WhenAll(_handlers.Keys).WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

        // Close alone: after Stop, the managed listener's Close binds the port again to unregister, which fails once
        // another listener has taken it.
        try
        {
            _listener.Close();
        }
        catch (NullReferenceException)
        {
            // A request still being answered after the wait above (a handler that waits on something else): the port is
            // already given up before that point of Close, and the rest goes with the listener.
        }

        _stopping.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Queues the reply for the next request that takes a scripted one.</summary>
    protected void Script(Func<HttpListenerResponse, Task> reply) => _replies.Enqueue(reply);

    /// <summary>Answers with the next scripted reply; <see langword="false"/> when none is left.</summary>
    protected async Task<bool> ReplyScriptedAsync(HttpListenerResponse response)
    {
        if (!_replies.TryDequeue(out var reply))
        {
            return false;
        }

        await reply(response);
        return true;
    }

    /// <summary>Answers one recorded request.</summary>
    protected abstract Task RouteAsync(RecordedRequest request, HttpListenerResponse response);

    private async Task HoldAsync(HttpListenerResponse response)
    {
        // Heartbeats until the client closes the connection (the write then fails) or the server stops. Once the socket
        // buffers are full a write waits for the client to read, so a zero pause does not spin ahead of it.
        try
        {
            while (!_stopping.IsCancellationRequested)
            {
                if (_heartbeatEvery > TimeSpan.Zero)
                {
                    await Task.Delay(_heartbeatEvery, _stopping.Token);
                }

                await response.OutputStream.WriteAsync(_heartbeat, _stopping.Token);
                await response.OutputStream.FlushAsync(_stopping.Token);
            }
        }
        catch (Exception ex) when (ex is HttpListenerException or IOException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            response.Abort();
            HoldEnded.TrySetResult();
        }
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                // Until the server stops, not until the listener answers: the managed listener checks that it is open
                // before it queues the wait, without its lock, so a Close between the two leaves the wait queued after
                // Close failed every queued wait, and it never completes (DisposeAsync then hung on the loop).
                context = await _listener.GetContextAsync().WaitAsync(_stopping.Token);
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException or OperationCanceledException)
            {
                return;
            }

            var handler = Task.Run(() => HandleAsync(context));
            _handlers.TryAdd(handler, true);
            _ = handler.ContinueWith(done => _handlers.TryRemove(done, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        try
        {
            var request = context.Request;
            using var reader = new StreamReader(request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var headers = request.Headers.AllKeys.Where(k => k is not null).ToDictionary(k => k!, k => request.Headers[k] ?? string.Empty, StringComparer.OrdinalIgnoreCase);
            var recorded = new RecordedRequest(request.HttpMethod, request.Url!.AbsolutePath, request.Url.Query, headers, body);
            Requests.Enqueue(recorded);
            await RouteAsync(recorded, context.Response);
        }
        catch (Exception ex) when (ex is HttpListenerException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            // The client went away, or the server stopped.
        }
    }
}

/// <summary>How a scripted stream ends.</summary>
public enum StreamEnd
{
    /// <summary>The response completes normally after the last piece.</summary>
    Close,

    /// <summary>The connection is reset after the last piece (a cut connection).</summary>
    Abort,

    /// <summary>The connection stays open (sending heartbeats) until the client leaves.</summary>
    Hold,
}

/// <summary>One request a fake server received; <see cref="Headers"/> hold repeated headers joined by commas.</summary>
public sealed record RecordedRequest(string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers, string Body)
{
    /// <summary>The body as a JSON element.</summary>
    public JsonElement Json => JsonDocument.Parse(Body).RootElement.Clone();

    /// <summary>The body as a mutable JSON node.</summary>
    public JsonNode Node => JsonNode.Parse(Body)!;

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}
