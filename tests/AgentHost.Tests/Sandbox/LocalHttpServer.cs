using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AgentHost.Tests.Sandbox;

/// <summary>
/// A tiny HTTP server on 127.0.0.1 for the network proxy's tests: answers every request <c>200</c> with
/// <c>REACHED path</c> and one request per connection, and records each request's head.
/// </summary>
internal sealed class LocalHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public LocalHttpServer()
    {
        _listener.Start();
        _loop = ServeAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>The heads of the requests it answered.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>How many connections it accepted.</summary>
    public int Connections => Volatile.Read(ref _connections);

    private int _connections;

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            Interlocked.Increment(ref _connections);
            _ = AnswerAsync(client);
        }
    }

    private async Task AnswerAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var buffer = new byte[16 * 1024];
                var total = 0;
                while (total < buffer.Length && buffer.AsSpan(0, total).IndexOf("\r\n\r\n"u8) < 0)
                {
                    var read = await stream.ReadAsync(buffer.AsMemory(total), _stop.Token);
                    if (read == 0)
                    {
                        return;
                    }

                    total += read;
                }

                var head = Encoding.Latin1.GetString(buffer, 0, total);
                Requests.Enqueue(head);
                var path = head.Split(' ')[1];
                var body = Encoding.ASCII.GetBytes("REACHED " + path);
                await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n"), _stop.Token);
                await stream.WriteAsync(body, _stop.Token);
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException)
            {
                // The client went away.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _loop;
        _stop.Dispose();
    }
}
