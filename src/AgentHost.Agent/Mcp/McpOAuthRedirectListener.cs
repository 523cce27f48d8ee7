using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Web;
using AgentHost.Hosting;
using ModelContextProtocol.Authentication;

namespace AgentHost.Agent.Mcp;

/// <summary>
/// The redirect address of <c>agent mcp login</c>: a listener on 127.0.0.1 (a free port, path <c>/callback</c>) that
/// waits for the browser to come back from the authorization server with <c>code</c>, <c>state</c> and <c>iss</c>, and
/// answers it with a page saying the login is done. Other requests (a browser's <c>/favicon.ico</c>) get 404. Only the
/// loopback interface is listened on; the SDK checks <c>state</c> and <c>iss</c>.
/// </summary>
internal sealed class McpOAuthRedirectListener : IDisposable
{
    private const string CallbackPath = "/callback";
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);

    public McpOAuthRedirectListener()
    {
        _listener.Start();
        RedirectUri = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}{CallbackPath}");
    }

    /// <summary>The address the authorization server sends the browser back to.</summary>
    public Uri RedirectUri { get; }

    /// <summary>Waits for the browser's request to <see cref="RedirectUri"/> and returns what it carries.</summary>
    /// <exception cref="AgentHostException">The authorization server sent an error instead of a code.</exception>
    public async Task<AuthorizationResult> WaitAsync(string server, CancellationToken cancellationToken)
    {
        while (true)
        {
            using var client = await _listener.AcceptTcpClientAsync(cancellationToken).ConfigureAwait(false);
            var stream = client.GetStream();
            var target = await ReadRequestTargetAsync(stream, cancellationToken).ConfigureAwait(false);
            if (target is null || !target.StartsWith(CallbackPath, StringComparison.Ordinal))
            {
                await AnswerAsync(stream, "404 Not Found", "Not found.", cancellationToken).ConfigureAwait(false);
                continue;
            }

            var query = HttpUtility.ParseQueryString(target.Contains('?', StringComparison.Ordinal) ? target[target.IndexOf('?', StringComparison.Ordinal)..] : string.Empty);
            if (query["error"] is { } error)
            {
                await AnswerAsync(stream, "200 OK", "The login did not succeed; see the terminal.", cancellationToken).ConfigureAwait(false);
                var description = query["error_description"] is { } d ? $" ({Sanitize(d)})" : string.Empty;
                throw new AgentHostException(ErrorKind.Denied, $"MCP server '{server}': the authorization server refused the login: {Sanitize(error)}{description}. Nothing was stored.");
            }

            await AnswerAsync(stream, "200 OK", $"Logged in to the MCP server '{WebUtility.HtmlEncode(server)}'. You can close this page and go back to the terminal.", cancellationToken).ConfigureAwait(false);
            return new AuthorizationResult { Code = query["code"], State = query["state"], Iss = query["iss"] };
        }
    }

    public void Dispose() => _listener.Dispose();

    /// <summary>The request line's target (path and query), the rest of the request read and ignored; null for a malformed one.</summary>
    private static async Task<string?> ReadRequestTargetAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var reader = new StreamReader(stream, Encoding.ASCII, detectEncodingFromByteOrderMarks: false, bufferSize: 4096, leaveOpen: true);
        var requestLine = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { Length: > 0 })
        {
            // Headers are not needed.
        }

        var parts = requestLine?.Split(' ');
        return parts is [ "GET", var target, _ ] ? target : null;
    }

    private static async Task AnswerAsync(NetworkStream stream, string status, string text, CancellationToken cancellationToken)
    {
        var body = Encoding.UTF8.GetBytes($"<!doctype html><html><body><p>{text}</p></body></html>");
        var head = Encoding.ASCII.GetBytes($"HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n");
        await stream.WriteAsync(head, cancellationToken).ConfigureAwait(false);
        await stream.WriteAsync(body, cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>What the authorization server sent, shortened and without control characters, for the message.</summary>
    private static string Sanitize(string text) => new(text.Take(200).Where(c => !char.IsControl(c)).ToArray());
}
