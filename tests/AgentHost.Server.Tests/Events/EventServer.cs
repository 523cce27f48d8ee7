using System.Collections.Concurrent;
using System.Net.Http.Headers;
using AgentHost.Server.Http;
using AgentHost.Server.Events;
using AgentHost.Hosting.Events;
using AgentHost.Server;
using AgentHost.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentHost.Server.Tests;

/// <summary>
/// A real Kestrel server on 127.0.0.1 (<see cref="LoopbackWebHost"/>, bearer token) serving only the event
/// endpoints over a <see cref="ServerEventLog"/>, with a client that carries the token. Sessions "exist" once added
/// to <see cref="Sessions"/>. Every read of a test is bounded by <see cref="Timeout"/> so a missing event fails it.
/// </summary>
internal sealed class EventServer : IAsyncDisposable
{
    private const string Token = "test-token";
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromMinutes(1));
    private readonly List<EventBus> _buses = [];
    private LoopbackWebHost? _host;

    private EventServer(ServerEventLog log)
    {
        Log = log;
    }

    public ServerEventLog Log { get; }

    public ConcurrentDictionary<string, bool> Sessions { get; } = new(StringComparer.Ordinal);

    public HttpClient Client { get; } = new();

    public CancellationToken Timeout => _timeout.Token;

    public static async Task<EventServer> StartAsync(ServerEventLogOptions? options = null, params string[] sessions)
    {
        // Ids from 1 unless a test says otherwise (by default they start from the clock, to survive restarts).
        options ??= new ServerEventLogOptions();
        var server = new EventServer(new ServerEventLog(options with { FirstId = options.FirstId ?? 1 }));
        foreach (var session in sessions)
        {
            server.Sessions[session] = true;
        }

        server._host = await LoopbackWebHost.StartAsync(
            "127.0.0.1",
            0,
            Token,
            routes => EventEndpoints.Map(routes, server.Log, FromLog(server.Log), (id, _) => Task.FromResult(server.Sessions.ContainsKey(id))),
            server.Timeout);
        server.Client.BaseAddress = server._host.Address;
        server.Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        return server;
    }

    /// <summary>
    /// Session streams read from the log itself (with its server-wide ids), so that these tests exercise the endpoints
    /// and the log alone; the server reads them from the durable journal (SessionJournalStreamTests).
    /// </summary>
    private static SessionEventSource FromLog(ServerEventLog log) =>
        new((_, _) => Task.FromResult(log.LastId), (sessionId, afterId, ct) => log.ReadAsync(afterId, sessionId, ct));

    /// <summary>A new engine bus whose events the log records (its subscription queue holds <paramref name="capacity"/>).</summary>
    public EventBus AttachBus(int capacity = 1024)
    {
        var bus = new EventBus(NullLogger<EventBus>.Instance, capacity);
        Log.Attach(bus);
        _buses.Add(bus);
        return bus;
    }

    public Task<SseReader> OpenAsync(string path, string? lastEventId = null) => SseReader.OpenAsync(Client, path, lastEventId, Timeout);

    /// <summary>Stops the server (as at shutdown); streams still open end.</summary>
    public async Task StopAsync()
    {
        if (_host is { } host)
        {
            _host = null;
            await host.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        foreach (var bus in _buses)
        {
            await bus.DisposeAsync();
        }

        Log.Dispose();
        Client.Dispose();
        _timeout.Dispose();
    }
}
