using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using AgentHost.Hosting;

namespace AgentHost.Cli.Remote;

/// <summary>One event of a server's stream: its id, its type and its JSON (the line <c>agent run -o json</c> prints).</summary>
/// <param name="Id">The server's event id.</param>
/// <param name="Type">The event type (<c>run.started</c>, <c>message.delta</c>, …).</param>
/// <param name="Json">The event as one line of JSON.</param>
internal sealed record ServerEvent(string? Id, string Type, string Json);

/// <summary>
/// A session's events from <c>GET /v1/sessions/{id}/events</c> (server-sent events, read with
/// <see cref="SseParser"/>): opened before the prompt is sent so that nothing is missed, and resumed with
/// <c>Last-Event-ID</c> when the connection drops. The one place <c>agent run --server</c> reads events from.
/// </summary>
internal sealed class SessionEventFeed : IAsyncDisposable
{
    /// <summary>How many reconnections in a row may fail before the run is given up on.</summary>
    private const int MaxReconnects = 5;

    private readonly ServerClient _client;
    private readonly string _sessionId;
    private HttpResponseMessage? _response;

    private SessionEventFeed(ServerClient client, string sessionId, HttpResponseMessage response)
    {
        _client = client;
        _sessionId = sessionId;
        _response = response;
    }

    /// <summary>Reconnections made (the connection dropped and the stream was resumed).</summary>
    public int Reconnects { get; private set; }

    /// <summary>Opens the stream; <see langword="null"/> when the server has none.</summary>
    public static async Task<SessionEventFeed?> OpenAsync(ServerClient client, string sessionId, CancellationToken cancellationToken) =>
        await client.OpenEventsAsync(sessionId, null, cancellationToken).ConfigureAwait(false) is { } response
            ? new SessionEventFeed(client, sessionId, response)
            : null;

    /// <summary>The events, in order, never twice; a dropped connection is resumed after the last id read.</summary>
    /// <exception cref="AgentHostException">The server cannot be reached again.</exception>
    public async IAsyncEnumerable<ServerEvent> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? lastId = null;
        var retry = TimeSpan.FromSeconds(2);
        var failures = 0;
        while (true)
        {
            if (_response is null)
            {
                if (failures > MaxReconnects)
                {
                    throw new AgentHostException(ErrorKind.Internal, $"the agent server at {_client.Server} keeps ending the event stream of session {_sessionId}; see the run with GET /v1/sessions/{_sessionId}/messages.");
                }

                _response = await ReopenAsync(lastId, retry, failures, cancellationToken).ConfigureAwait(false);
                Reconnects++;
            }

            var parser = SseParser.Create(await _response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false));
            var enumerator = parser.EnumerateAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
            try
            {
                while (true)
                {
                    ServerEvent item;
                    try
                    {
                        if (!await enumerator.MoveNextAsync().ConfigureAwait(false))
                        {
                            break;
                        }

                        var current = enumerator.Current;
                        item = new ServerEvent(current.EventId, current.EventType, current.Data);
                    }
                    catch (Exception ex) when (ex is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
                    {
                        break; // dropped: resumed below
                    }

                    failures = 0;
                    lastId = item.Id ?? lastId;
                    yield return item;
                }
            }
            finally
            {
                retry = parser.ReconnectionInterval > TimeSpan.Zero ? parser.ReconnectionInterval : retry;
                await enumerator.DisposeAsync().ConfigureAwait(false);
                _response?.Dispose();
                _response = null;
            }

            // The stream ended (the server stops, or the connection dropped): resume after the last event read.
            cancellationToken.ThrowIfCancellationRequested();
            failures++;
        }
    }

    /// <summary>
    /// The events of run <paramref name="runId"/>, from its <c>run.accepted</c> to its <c>run.ended</c> (included, see
    /// <see cref="EndsRun"/>); the session's earlier events (another client's run that was ending) are not this run's.
    /// </summary>
    /// <exception cref="AgentHostException">The server cannot be reached again.</exception>
    public async IAsyncEnumerable<ServerEvent> ReadRunAsync(string runId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var accepted = false;
        await foreach (var item in ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            accepted = accepted || (item.Type == "run.accepted" && RemoteEvents.Field(item.Json, "runId") == runId);
            if (accepted)
            {
                yield return item;
                if (EndsRun(item, runId))
                {
                    yield break;
                }
            }
        }
    }

    /// <summary>Whether <paramref name="item"/> is run <paramref name="runId"/>'s <c>run.ended</c>.</summary>
    public static bool EndsRun(ServerEvent item, string runId) =>
        item.Type == "run.ended" && RemoteEvents.Field(item.Json, "runId") == runId;

    public ValueTask DisposeAsync()
    {
        _response?.Dispose();
        _response = null;
        return ValueTask.CompletedTask;
    }

    private async Task<HttpResponseMessage> ReopenAsync(string? lastId, TimeSpan retry, int failures, CancellationToken cancellationToken)
    {
        for (var attempt = failures; ; attempt++)
        {
            if (attempt > 0)
            {
                // The server's suggested reconnection delay (its retry: field) between attempts.
                await Task.Delay(retry, cancellationToken).ConfigureAwait(false);
            }

            try
            {
                return await _client.OpenEventsAsync(_sessionId, lastId, cancellationToken).ConfigureAwait(false)
                    ?? throw new AgentHostException(ErrorKind.Internal, $"the agent server at {_client.Server} no longer serves events.");
            }
            catch (AgentHostException ex) when (attempt < MaxReconnects && ex.InnerException is HttpRequestException)
            {
                // Not reachable (yet): try again.
            }
        }
    }
}
