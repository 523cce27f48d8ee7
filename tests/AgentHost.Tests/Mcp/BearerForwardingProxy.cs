using System.Net;
using System.Net.Http.Headers;
using System.Text;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Mcp;

/// <summary>
/// An HTTP forwarder on 127.0.0.1 that adds <c>Authorization: Bearer TOKEN</c> to every request and streams the answer
/// back as it comes (server-sent events included): for a client that cannot send headers, such as the MCP conformance
/// suite, against <c>agent mcp serve --http</c>. Other headers pass unchanged; the listener itself answers only
/// requests addressed to 127.0.0.1.
/// </summary>
internal sealed class BearerForwardingProxy(Uri target, string token) : FakeHttpServer("text/event-stream", ": ping\n\n", TimeSpan.FromMilliseconds(100))
{
    private static readonly HttpClient Client = new(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false }) { Timeout = Timeout.InfiniteTimeSpan };

    private static readonly HashSet<string> NotForwarded = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Transfer-Encoding", "Content-Length", "Content-Type", "Authorization", "Expect", "Host",
    };

    protected override async Task RouteAsync(RecordedRequest request, HttpListenerResponse response)
    {
        try
        {
            using var message = new HttpRequestMessage(new HttpMethod(request.Method), new Uri(target, request.Path + request.Query));
            if (request.Body.Length > 0)
            {
                message.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(request.Body));
                if (request.Header("Content-Type") is { } type)
                {
                    message.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(type);
                }
            }

            foreach (var (name, value) in request.Headers.Where(h => !NotForwarded.Contains(h.Key)))
            {
                message.Headers.TryAddWithoutValidation(name, value);
            }

            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var answer = await Client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead);
            response.StatusCode = (int)answer.StatusCode;
            foreach (var (name, values) in answer.Headers.Concat(answer.Content.Headers).Where(h => !NotForwarded.Contains(h.Key)))
            {
                foreach (var value in values)
                {
                    response.Headers.Add(name, value);
                }
            }

            response.ContentType = answer.Content.Headers.ContentType?.ToString();
            response.SendChunked = answer.Content.Headers.ContentLength is null;
            if (answer.Content.Headers.ContentLength is { } length)
            {
                response.ContentLength64 = length;
            }

            await using var stream = await answer.Content.ReadAsStreamAsync();
            var buffer = new byte[16 * 1024];
            int read;
            while ((read = await stream.ReadAsync(buffer)) > 0)
            {
                await response.OutputStream.WriteAsync(buffer.AsMemory(0, read));
                await response.OutputStream.FlushAsync();
            }

            response.Close();
        }
        catch (HttpRequestException)
        {
            response.Abort();
        }
    }
}
