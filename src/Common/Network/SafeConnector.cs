using System.Net;
using System.Net.Sockets;

namespace AgentHost.Common.Network;

/// <summary>
/// The HTTP handler's <see cref="SocketsHttpHandler.ConnectCallback"/> (the web plugin) and the sandbox's network
/// proxy's upstream connection: resolves the host itself, drops every address <see cref="AddressRules"/> refuses, and
/// connects to a vetted address — the address checked is the address used, so a DNS answer that changes between check
/// and connect (rebinding) cannot slip through. Shared source (src/Common/Network).
/// </summary>
internal sealed class SafeConnector(AddressRules rules)
{
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken) =>
        new NetworkStream(await ConnectAsync(context.DnsEndPoint.Host, context.DnsEndPoint.Port, cancellationToken).ConfigureAwait(false), ownsSocket: true);

    /// <summary>A connected socket to a vetted address of <paramref name="host"/>.</summary>
    /// <param name="host">The host name or address literal.</param>
    /// <param name="port">The port.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The socket (the caller owns it).</returns>
    /// <exception cref="AddressRefusedException">Every address of the host is refused.</exception>
    /// <exception cref="SocketException">No vetted address answered.</exception>
    public async ValueTask<Socket> ConnectAsync(string host, int port, CancellationToken cancellationToken)
    {
        host = host.TrimEnd('.').ToLowerInvariant();
        var addresses = await ResolveAsync(host, cancellationToken).ConfigureAwait(false);
        var vetted = new List<IPAddress>();
        string? refusal = null;
        foreach (var address in addresses)
        {
            if (rules.Refusal(address, host) is { } reason)
            {
                refusal ??= reason;
            }
            else
            {
                vetted.Add(AddressClass.Canonical(address));
            }
        }

        if (vetted.Count == 0)
        {
            throw new AddressRefusedException(refusal ?? $"{host} has no address");
        }

        SocketException? last = null;
        foreach (var address in vetted.Distinct())
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            var connected = false;
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, port), cancellationToken).ConfigureAwait(false);
                connected = true;
                return socket;
            }
            catch (SocketException ex)
            {
                last = ex;
            }
            finally
            {
                if (!connected)
                {
                    socket.Dispose();
                }
            }
        }

        throw last!;
    }

    /// <summary>An address literal as it is (no lookup); a name through DNS.</summary>
    private static async Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        var literal = host.Trim('[', ']');
        var scope = literal.IndexOf('%', StringComparison.Ordinal);
        if (IPAddress.TryParse(scope >= 0 ? literal[..scope] : literal, out var address))
        {
            return [address];
        }

        return await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>The connector refused every address of a host.</summary>
internal sealed class AddressRefusedException(string message) : IOException(message);
