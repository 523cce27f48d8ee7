using System.Net;
using System.Net.Sockets;

namespace AgentHost.Plugins.Web;

/// <summary>
/// The HTTP handler's <see cref="SocketsHttpHandler.ConnectCallback"/>: resolves the host itself, drops every address
/// <see cref="AddressRules"/> refuses, and connects to a vetted address — the address checked is the address used, so
/// a DNS answer that changes between check and connect (rebinding) cannot slip through.
/// </summary>
internal sealed class SafeConnector(AddressRules rules)
{
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host.TrimEnd('.').ToLowerInvariant();
        var port = context.DnsEndPoint.Port;
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
                return new NetworkStream(socket, ownsSocket: true);
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
