using System.Net;
using System.Net.Sockets;
using System.Text;
using AgentHost.Common.Network;

namespace AgentHost.Permissions.Sandbox;

/// <summary>
/// The host's filtering HTTP proxy for sandboxed commands (<c>sandbox.network_domains</c>): it listens on a Unix socket
/// in the session's temporary folder, which the sandbox's bridge reaches from inside its empty network namespace. It
/// takes <c>CONNECT host:port</c> (HTTPS and any other TCP tunnel) and absolute-URI <c>http://</c> requests, lets a
/// host through only when a pattern of the list matches it (the web plugin's <c>allowed_domains</c> matching) and every
/// address it connects to passes the private-address guard of <c>fetch</c> (loopback, private, link-local, … refused;
/// the address checked is the address connected to), and answers anything else <c>403</c> with the reason, which it
/// also records (<see cref="RefusalsSince"/>). Everything is decided per connection; nothing is cached.
/// </summary>
/// <remarks>Thread-safe. <see cref="Dispose"/> closes the listener and every open connection and removes the socket file.</remarks>
public sealed class SandboxNetworkProxy : IDisposable
{
    private const int MaxHeadBytes = 64 * 1024;
    private const string GuardHint = "from a sandboxed command (as fetch refuses them)";
    private const int MaxKeptRefusals = 1000;
    private static readonly TimeSpan HeadTimeout = TimeSpan.FromSeconds(30);

    private readonly Socket _listener;
    private readonly DomainRules _domains;
    private readonly SafeConnector _connector;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly HashSet<Socket> _open = [];
    private readonly List<SandboxNetworkRefusal> _refusals = [];
    private int _refusalCount;
    private bool _disposed;

    private SandboxNetworkProxy(Socket listener, string socketPath, DomainRules domains, AddressRules addresses)
    {
        _listener = listener;
        SocketPath = socketPath;
        _domains = domains;
        _connector = new SafeConnector(addresses);
        _ = AcceptAsync();
    }

    /// <summary>The Unix socket it listens on.</summary>
    public string SocketPath { get; }

    /// <summary>The domain patterns it lets through, normalised.</summary>
    public IReadOnlyList<string> Domains => _domains.Allowed;

    /// <summary>How many requests it refused so far (a mark for <see cref="RefusalsSince"/>).</summary>
    public int RefusalCount => Volatile.Read(ref _refusalCount);

    /// <summary>Starts listening on <paramref name="socketPath"/> (a stale socket file there is replaced; owner-only).</summary>
    /// <param name="socketPath">The socket's path; its folder exists.</param>
    /// <param name="domains">The domain patterns (as <c>sandbox.network_domains</c> takes them).</param>
    /// <param name="allowLoopback">
    /// Test-only: loopback addresses (127.0.0.0/8, ::1) pass the private-address guard, so a test's server on 127.0.0.1
    /// can stand for an allowed domain. Never set from configuration.
    /// </param>
    /// <returns>The running proxy.</returns>
    /// <exception cref="ArgumentException">A domain pattern is not valid.</exception>
    /// <exception cref="SocketException">The socket cannot be made.</exception>
    public static SandboxNetworkProxy Start(string socketPath, IReadOnlyList<string> domains, bool allowLoopback = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(socketPath);
        ArgumentNullException.ThrowIfNull(domains);
        var rules = DomainRules.Parse(domains, [], SandboxSettings.NetworkDomainsKey, SandboxSettings.NetworkDomainsKey);
        var addresses = allowLoopback
            ? AddressRules.Allowing([IPNetwork.Parse("127.0.0.0/8"), IPNetwork.Parse("::1/128")], GuardHint)
            : AddressRules.PublicOnlyWith(GuardHint);
        if (File.Exists(socketPath))
        {
            File.Delete(socketPath);
        }

        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint(socketPath));
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(socketPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            listener.Listen(128);
            return new SandboxNetworkProxy(listener, socketPath, rules, addresses);
        }
        catch
        {
            listener.Dispose();
            throw;
        }
    }

    /// <summary>The refusals from <paramref name="mark"/> (a <see cref="RefusalCount"/> read earlier) on; the oldest are forgotten past 1,000.</summary>
    /// <param name="mark">The count before.</param>
    /// <returns>The refusals, oldest first.</returns>
    public IReadOnlyList<SandboxNetworkRefusal> RefusalsSince(int mark)
    {
        lock (_gate)
        {
            var first = _refusalCount - _refusals.Count;
            return [.. _refusals.Skip(Math.Max(0, mark - first))];
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Socket[] open;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            open = [.. _open];
            _open.Clear();
        }

        _stop.Cancel();
        _listener.Dispose();
        foreach (var socket in open)
        {
            socket.Dispose();
        }

        _stop.Dispose();
        try
        {
            File.Delete(SocketPath);
        }
        catch (IOException)
        {
            // Gone already, or its folder was removed: nothing listens on it either way.
        }
    }

    private async Task AcceptAsync()
    {
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (token.IsCancellationRequested)
                {
                    return;
                }

                continue;
            }

            _ = ServeAsync(client, token);
        }
    }

    private async Task ServeAsync(Socket client, CancellationToken token)
    {
        var upstream = new List<Socket>(1);
        if (!Track(client))
        {
            client.Dispose();
            return;
        }

        try
        {
            await HandleAsync(client, upstream, token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The client or the server went away, or the proxy stopped: the connection ends.
        }
        finally
        {
            Untrack(client);
            client.Dispose();
            foreach (var socket in upstream)
            {
                Untrack(socket);
                socket.Dispose();
            }
        }
    }

    /// <summary>Answers one client connection; the upstream socket it opens goes into <paramref name="owned"/>, for the caller to close.</summary>
    private async Task HandleAsync(Socket client, List<Socket> owned, CancellationToken token)
    {
        using var clientStream = new NetworkStream(client, ownsSocket: false);
        var (buffer, headLength, total) = await ReadHeadAsync(clientStream, token).ConfigureAwait(false);
        if (headLength < 0)
        {
            await AnswerAsync(clientStream, 400, "Bad Request", "the request head is missing, unfinished or over 64 KiB", token).ConfigureAwait(false);
            return;
        }

        var lines = Encoding.Latin1.GetString(buffer, 0, headLength).Split("\r\n");
        var request = lines[0].Split(' ');
        if (request.Length != 3 || !TryTarget(request[0], request[1], out var host, out var port, out var path))
        {
            await AnswerAsync(clientStream, 400, "Bad Request", "the sandbox's proxy takes CONNECT host:port and absolute http:// requests", token).ConfigureAwait(false);
            return;
        }

        if (_domains.Refusal(host) is { } refusal)
        {
            await RefuseAsync(clientStream, host, port, refusal, token).ConfigureAwait(false);
            return;
        }

        Socket upstream;
        try
        {
            upstream = await _connector.ConnectAsync(host, port, token).ConfigureAwait(false);
        }
        catch (AddressRefusedException ex)
        {
            await RefuseAsync(clientStream, host, port, ex.Message, token).ConfigureAwait(false);
            return;
        }
        catch (SocketException ex)
        {
            await AnswerAsync(clientStream, 502, "Bad Gateway", $"could not connect to {host}:{port} ({ex.SocketErrorCode})", token).ConfigureAwait(false);
            return;
        }

        owned.Add(upstream);
        if (!Track(upstream))
        {
            return;
        }

        using var upstreamStream = new NetworkStream(upstream, ownsSocket: false);
        if (request[0] == "CONNECT")
        {
            await clientStream.WriteAsync("HTTP/1.1 200 Connection established\r\n\r\n"u8.ToArray(), token).ConfigureAwait(false);
        }
        else
        {
            await upstreamStream.WriteAsync(OriginHead(request[0], path!, request[2], lines), token).ConfigureAwait(false);
        }

        if (total > headLength)
        {
            await upstreamStream.WriteAsync(buffer.AsMemory(headLength, total - headLength), token).ConfigureAwait(false);
        }

        await Task.WhenAll(CopyAsync(clientStream, upstreamStream, client, upstream, token), CopyAsync(upstreamStream, clientStream, upstream, client, token)).ConfigureAwait(false);
    }

    /// <summary>Reads until the blank line that ends the head: the buffer, the head's length (-1 when it never ends) and the bytes read.</summary>
    private static async Task<(byte[] Buffer, int HeadLength, int Total)> ReadHeadAsync(NetworkStream stream, CancellationToken token)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
        timeout.CancelAfter(HeadTimeout);
        var buffer = new byte[MaxHeadBytes];
        var total = 0;
        while (total < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(total), timeout.Token).ConfigureAwait(false);
            if (read == 0)
            {
                return (buffer, -1, total);
            }

            var from = Math.Max(0, total - 3);
            total += read;
            var end = buffer.AsSpan(from, total - from).IndexOf("\r\n\r\n"u8);
            if (end >= 0)
            {
                return (buffer, from + end + 4, total);
            }
        }

        return (buffer, -1, total);
    }

    /// <summary>The host (as the domain rules see it), port and, for http, the origin-form path of a proxy request.</summary>
    private static bool TryTarget(string method, string target, out string host, out int port, out string? path)
    {
        host = string.Empty;
        port = 0;
        path = null;
        if (method == "CONNECT")
        {
            // host:port, [v6]:port; a bare host means 443.
            if (!Uri.TryCreate("https://" + target + "/", UriKind.Absolute, out var authority)
                || authority.UserInfo.Length > 0 || authority.AbsolutePath != "/" || authority.Query.Length > 0 || authority.Fragment.Length > 0)
            {
                return false;
            }

            host = DomainRules.HostOf(authority);
            port = authority.Port;
            return host.Length > 0;
        }

        if (!method.All(char.IsAsciiLetterUpper) || !Uri.TryCreate(target, UriKind.Absolute, out var url) || url.Scheme != Uri.UriSchemeHttp)
        {
            return false;
        }

        host = DomainRules.HostOf(url);
        port = url.Port;
        path = url.PathAndQuery;
        return host.Length > 0;
    }

    /// <summary>The request head for the server: origin-form, without the proxy's own headers, one request per connection.</summary>
    private static byte[] OriginHead(string method, string path, string version, string[] lines)
    {
        var head = new StringBuilder().Append(method).Append(' ').Append(path).Append(' ').Append(version).Append("\r\n");
        foreach (var line in lines.Skip(1).Where(line => line.Length > 0))
        {
            var name = line.Split(':', 2)[0].Trim();
            if (!name.Equals("Proxy-Connection", StringComparison.OrdinalIgnoreCase) && !name.Equals("Proxy-Authorization", StringComparison.OrdinalIgnoreCase)
                && !name.Equals("Connection", StringComparison.OrdinalIgnoreCase) && !name.Equals("Keep-Alive", StringComparison.OrdinalIgnoreCase))
            {
                head.Append(line).Append("\r\n");
            }
        }

        return Encoding.Latin1.GetBytes(head.Append("Connection: close\r\n\r\n").ToString());
    }

    /// <summary>Copies one direction; at its end, half-closes the other side; a failure closes both.</summary>
    private static async Task CopyAsync(NetworkStream from, NetworkStream to, Socket fromSocket, Socket toSocket, CancellationToken token)
    {
        try
        {
            await from.CopyToAsync(to, 64 * 1024, token).ConfigureAwait(false);
            toSocket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            fromSocket.Close();
            toSocket.Close();
        }
    }

    private async Task RefuseAsync(NetworkStream client, string host, int port, string reason, CancellationToken token)
    {
        var refusal = new SandboxNetworkRefusal(host, port, reason);
        lock (_gate)
        {
            _refusals.Add(refusal);
            if (_refusals.Count > MaxKeptRefusals)
            {
                _refusals.RemoveAt(0);
            }

            _refusalCount++;
        }

        await AnswerAsync(client, 403, "Forbidden", refusal.ToString(), token).ConfigureAwait(false);
    }

    private static async Task AnswerAsync(NetworkStream client, int status, string phrase, string message, CancellationToken token)
    {
        var body = Encoding.UTF8.GetBytes("agent sandbox: " + message + "\n");
        var head = Encoding.ASCII.GetBytes(
            $"HTTP/1.1 {status} {phrase}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {body.Length}\r\nConnection: close\r\nX-Agent-Sandbox: {(status == 403 ? "refused" : "error")}\r\n\r\n");
        await client.WriteAsync(head, token).ConfigureAwait(false);
        await client.WriteAsync(body, token).ConfigureAwait(false);
    }

    private bool Track(Socket socket)
    {
        lock (_gate)
        {
            return !_disposed && _open.Add(socket);
        }
    }

    private void Untrack(Socket socket)
    {
        lock (_gate)
        {
            _open.Remove(socket);
        }
    }
}

/// <summary>A request the sandbox's network proxy refused: the host and port asked for, and why.</summary>
/// <param name="Host">The host (lower case, ASCII form).</param>
/// <param name="Port">The port.</param>
/// <param name="Reason">Why (the domain list, or the private-address guard).</param>
public sealed record SandboxNetworkRefusal(string Host, int Port, string Reason)
{
    /// <summary>The line tool results and <c>agent sandbox check</c> show: <c>network to example.org:443 refused: …</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => $"network to {Host}:{Port.ToString(System.Globalization.CultureInfo.InvariantCulture)} refused: {Reason}";
}
