using System.Net.Sockets;
using System.Text;
using AgentHost.Permissions;
using AgentHost.Permissions.Sandbox;

namespace AgentHost.Tests.Sandbox;

/// <summary>
/// The sandbox's filtering proxy (<see cref="SandboxNetworkProxy"/>, docs/sandbox.md "Network by domain") on its real
/// Unix socket, with a real HTTP server on 127.0.0.1: the domain list and the private-address guard decide each request
/// before anything is contacted. Tests may only contact 127.0.0.1, so the allowed-domain path runs with the test-only
/// loopback allowance, and the guard is shown refusing the same server without it.
/// </summary>
public sealed class SandboxNetworkProxyTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ahp").FullName;

    private string SocketPath => Path.Combine(_folder, "proxy.sock");

    [Fact]
    public async Task AnAllowedDomain_GoesThrough_AsAnAbsoluteUriRequest_AndAsAConnectTunnel()
    {
        await using var server = new LocalHttpServer();
        using var proxy = SandboxNetworkProxy.Start(SocketPath, ["localhost"], allowLoopback: true);

        var plain = await ExchangeAsync($"GET http://localhost:{server.Port}/plain?q=1 HTTP/1.1\r\nHost: localhost:{server.Port}\r\nProxy-Connection: keep-alive\r\n\r\n");
        var tunnel = await ExchangeAsync($"CONNECT localhost:{server.Port} HTTP/1.1\r\nHost: localhost:{server.Port}\r\n\r\n", $"GET /tunnel HTTP/1.1\r\nHost: localhost\r\n\r\n");

        Assert.Contains("REACHED /plain?q=1", plain, StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 200 Connection established", tunnel, StringComparison.Ordinal);
        Assert.Contains("REACHED /tunnel", tunnel, StringComparison.Ordinal);
        var forwarded = server.Requests.First(head => head.Contains("/plain", StringComparison.Ordinal));
        Assert.StartsWith("GET /plain?q=1 HTTP/1.1\r\n", forwarded, StringComparison.Ordinal);
        Assert.Contains("Connection: close", forwarded, StringComparison.Ordinal);
        Assert.DoesNotContain("Proxy-Connection", forwarded, StringComparison.Ordinal);
        Assert.Equal(0, proxy.RefusalCount);
    }

    [Fact]
    public async Task AHostNotOnTheList_IsRefused403_WithTheReason_BeforeAnythingIsContacted()
    {
        await using var server = new LocalHttpServer();
        using var proxy = SandboxNetworkProxy.Start(SocketPath, ["github.com", "*.npmjs.org"], allowLoopback: true);

        var connect = await ExchangeAsync("CONNECT example.org:443 HTTP/1.1\r\nHost: example.org:443\r\n\r\n");
        var plain = await ExchangeAsync($"GET http://localhost:{server.Port}/ HTTP/1.1\r\nHost: localhost\r\n\r\n");
        var bareDomain = await ExchangeAsync("CONNECT npmjs.org:443 HTTP/1.1\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 403 Forbidden", connect, StringComparison.Ordinal);
        Assert.Contains("agent sandbox: network to example.org:443 refused: example.org is not in network_domains (github.com, *.npmjs.org); add it to sandbox.network_domains to allow it", connect, StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 403 Forbidden", plain, StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 403 Forbidden", bareDomain, StringComparison.Ordinal);
        Assert.Equal(0, server.Connections);
        Assert.Equal(["example.org:443", $"localhost:{server.Port}", "npmjs.org:443"], proxy.RefusalsSince(0).Select(r => $"{r.Host}:{r.Port}"));
        Assert.Equal(["npmjs.org"], proxy.RefusalsSince(2).Select(r => r.Host));
    }

    [Fact]
    public async Task TheGuard_RefusesAnAllowedNameThatResolvesToLoopback_AndTheMetadataAddress()
    {
        await using var server = new LocalHttpServer();
        using var proxy = SandboxNetworkProxy.Start(SocketPath, ["localhost", "127.0.0.1", "169.254.169.254"]);

        var byName = await ExchangeAsync($"CONNECT localhost:{server.Port} HTTP/1.1\r\n\r\n");
        var literal = await ExchangeAsync($"GET http://127.0.0.1:{server.Port}/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        var metadata = await ExchangeAsync("GET http://169.254.169.254/latest/meta-data/ HTTP/1.1\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 403 Forbidden", byName, StringComparison.Ordinal);
        Assert.Contains("loopback address", byName, StringComparison.Ordinal);
        Assert.Contains("(localhost resolves to it); private, loopback and link-local addresses are refused from a sandboxed command", byName, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1 is a loopback address (127.0.0.0/8)", literal, StringComparison.Ordinal);
        Assert.Contains("the cloud metadata service", metadata, StringComparison.Ordinal);
        Assert.Equal(0, server.Connections);
        Assert.Equal(3, proxy.RefusalCount);
    }

    [Fact]
    public async Task NotAProxyRequest_IsABadRequest_NotARefusal()
    {
        using var proxy = SandboxNetworkProxy.Start(SocketPath, ["*"]);

        var origin = await ExchangeAsync("GET / HTTP/1.1\r\nHost: example.org\r\n\r\n");
        var https = await ExchangeAsync("GET https://example.org/ HTTP/1.1\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 400 Bad Request", origin, StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 400 Bad Request", https, StringComparison.Ordinal);
        Assert.Equal(0, proxy.RefusalCount);
    }

    [Fact]
    public async Task Dispose_LeavesNoListener()
    {
        var proxy = SandboxNetworkProxy.Start(SocketPath, ["github.com"]);
        Assert.StartsWith("HTTP/1.1 403", await ExchangeAsync("CONNECT example.org:443 HTTP/1.1\r\n\r\n"), StringComparison.Ordinal);

        proxy.Dispose();

        Assert.False(File.Exists(SocketPath), "the socket file is left");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await Assert.ThrowsAsync<SocketException>(async () => await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath)));
    }

    [Fact]
    public void ABadDomainPattern_IsRefused_NamingTheKeyAndTheFix()
    {
        var error = Assert.Throws<ArgumentException>(() => SandboxNetworkProxy.Start(SocketPath, ["https://github.com/x"]));

        Assert.Equal(
            "sandbox.network_domains: 'https://github.com/x' is not a domain pattern; write a host name such as 'example.com', '*.example.com' for its subdomains, '*' for all, or an IP address (no scheme, port or path).",
            error.Message);
        Assert.False(File.Exists(SocketPath));
    }

    /// <summary>Sends <paramref name="head"/> (then <paramref name="then"/> once the proxy answered it) and reads until the proxy closes.</summary>
    private async Task<string> ExchangeAsync(string head, string? then = null)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath));
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        var received = new MemoryStream();
        var buffer = new byte[8192];
        if (then is not null)
        {
            while (received.Length < 4 || !received.ToArray().AsSpan().EndsWith("\r\n\r\n"u8))
            {
                var read = await stream.ReadAsync(buffer);
                if (read == 0)
                {
                    return Encoding.UTF8.GetString(received.ToArray());
                }

                received.Write(buffer, 0, read);
            }

            await stream.WriteAsync(Encoding.ASCII.GetBytes(then));
        }

        // Nothing more to send: a proxy that wrongly lets the request through then ends the exchange instead of waiting.
        socket.Shutdown(SocketShutdown.Send);

        int n;
        while ((n = await stream.ReadAsync(buffer)) > 0)
        {
            received.Write(buffer, 0, n);
        }

        return Encoding.UTF8.GetString(received.ToArray());
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
