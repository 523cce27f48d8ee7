using System.Net;
using System.Net.Sockets;

namespace AgentHost.Tests.Support;

/// <summary>Free TCP ports and started HTTP listeners on 127.0.0.1 for test servers.</summary>
public static class Ports
{
    public static int Free()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    /// <summary>Starts an <see cref="HttpListener"/> on a free loopback port (retrying if another process grabs it first).</summary>
    public static HttpListener StartHttpListener(out string baseUrl)
    {
        for (var attempt = 0; ; attempt++)
        {
            baseUrl = $"http://127.0.0.1:{Free()}/";
            var listener = new HttpListener();
            listener.Prefixes.Add(baseUrl);
            try
            {
                listener.Start();
                return listener;
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                listener.Close();
            }
        }
    }
}
