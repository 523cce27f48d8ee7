using System.Net;
using System.Net.Http.Headers;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Mcp;

/// <summary>
/// An HTTP forwarder on 127.0.0.1 that adds <c>Authorization: Bearer TOKEN</c> to every request and streams the answer
/// back as it comes (server-sent events included): for a client that cannot send headers, such as the MCP conformance
/// suite, against <c>agent mcp serve --http</c>. Other headers (Host and Origin too) pass unchanged.
/// </summary>
internal sealed class BearerForwardingProxy : IAsyncDisposable
{
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Transfer-Encoding", "Content-Length", "Content-Type", "Authorization", "Expect",
    };

    private readonly HttpListener _listener;
    private readonly HttpClient _client = new(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false }) { Timeout = Timeout.InfiniteTimeSpan };
    private readonly CancellationTokenSource _stopping = new();
    private readonly Uri _target;
    private readonly string _token;
    private readonly Task _loop;

    public BearerForwardingProxy(Uri target, string token)
    {
        _target = target;
        _token = token;
        _listener = Ports.StartHttpListener(out var root);
        Root = new Uri(root);
        _loop = Task.Run(AcceptAsync);
    }

    /// <summary>The forwarder's root, e.g. <c>http://127.0.0.1:PORT/</c>; a path under it goes to the same path of the target.</summary>
    public Uri Root { get; }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Close();
        try
        {
            await _loop;
        }
        catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or OperationCanceledException)
        {
        }

        _client.Dispose();
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

            _ = Task.Run(() => ForwardAsync(context));
        }
    }

    private async Task ForwardAsync(HttpListenerContext context)
    {
        var request = context.Request;
        var response = context.Response;
        try
        {
            using var message = new HttpRequestMessage(new HttpMethod(request.HttpMethod), new Uri(_target, request.Url!.PathAndQuery));
            if (request.HasEntityBody)
            {
                using var body = new MemoryStream();
                await request.InputStream.CopyToAsync(body, _stopping.Token);
                message.Content = new ByteArrayContent(body.ToArray());
                if (request.ContentType is { } type)
                {
                    message.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(type);
                }
            }

            foreach (var name in request.Headers.AllKeys.OfType<string>().Where(n => !HopByHop.Contains(n)))
            {
                message.Headers.TryAddWithoutValidation(name, request.Headers.GetValues(name) ?? []);
            }

            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
            using var answer = await _client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, _stopping.Token);
            response.StatusCode = (int)answer.StatusCode;
            foreach (var (name, values) in answer.Headers.Concat(answer.Content.Headers).Where(h => !HopByHop.Contains(h.Key)))
            {
                foreach (var value in values)
                {
                    response.Headers.Add(name, value);
                }
            }

            response.ContentType = answer.Content.Headers.ContentType?.ToString();
            if (answer.Content.Headers.ContentLength is { } length)
            {
                response.ContentLength64 = length;
            }
            else
            {
                response.SendChunked = true;
            }

            await using var stream = await answer.Content.ReadAsStreamAsync(_stopping.Token);
            var buffer = new byte[16 * 1024];
            int read;
            while ((read = await stream.ReadAsync(buffer, _stopping.Token)) > 0)
            {
                await response.OutputStream.WriteAsync(buffer.AsMemory(0, read), _stopping.Token);
                await response.OutputStream.FlushAsync(_stopping.Token);
            }

            response.Close();
        }
        catch (Exception ex) when (ex is HttpRequestException or HttpListenerException or IOException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            response.Abort();
        }
    }
}
