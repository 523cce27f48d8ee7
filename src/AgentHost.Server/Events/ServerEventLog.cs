using System.Runtime.CompilerServices;
using AgentHost.Agent.Service;
using AgentHost.Hosting.Events;
using AgentHost.Sdk.Events;

namespace AgentHost.Server.Events;

/// <summary>
/// The server's event log: every event of every engine's bus, numbered with one server-wide sequence and kept in a
/// ring of <see cref="ServerEventLogOptions.Capacity"/> events (and <see cref="ServerEventLogOptions.MaxBytes"/> at most),
/// from which each SSE reader reads at its own pace.
/// </summary>
/// <remarks>
/// <para>
/// Appending is in memory and O(1) (the event is serialised once, as <c>agent run -o json</c> does), so an engine
/// never waits for an HTTP reader; readers keep only a cursor, so memory is bounded by the capacity whatever the
/// number or speed of readers. A reader that falls more than the capacity behind, or resumes from an id no longer
/// kept, is told so with an <see cref="EventsGapEvent"/>: events are never skipped silently.
/// </para>
/// <para>
/// An event belongs to a session when it is a <see cref="SessionEvent"/>; events of no session (e.g.
/// <see cref="WarningEvent"/>, <c>plugin.loaded</c>) go only to readers of all sessions. Thread-safe: many publishers, many readers.
/// </para>
/// </remarks>
internal sealed class ServerEventLog : IDisposable
{
    private const int ReadBatch = 256;

    private readonly Lock _gate = new();
    private readonly LoggedEvent?[] _ring;
    private readonly long _firstId;
    private long _lastId;
    private long _firstKept;
    private long _bytes;
    private TaskCompletionSource? _appended;
    private bool _completed;

    /// <summary>Creates an empty log.</summary>
    public ServerEventLog(ServerEventLogOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.Heartbeat, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxBytes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.FirstId ?? 1, 1, nameof(options.FirstId));
        Options = options;
        _ring = new LoggedEvent?[options.Capacity];
        _firstId = options.FirstId ?? (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000) + 1;
        _firstKept = _firstId;
        _lastId = _firstId - 1;
    }

    /// <summary>
    /// Told of every event as it is logged, in id order (under the log's lock: it must only queue, e.g.
    /// <see cref="SessionEventJournal.Enqueue"/>); <see langword="null"/> for none.
    /// </summary>
    public Action<LoggedEvent>? Appended { get; init; }

    /// <summary>The log's options.</summary>
    public ServerEventLogOptions Options { get; }

    /// <summary>The id of the newest event (one less than the first id when there is none).</summary>
    public long LastId
    {
        get
        {
            lock (_gate)
            {
                return _lastId;
            }
        }
    }

    /// <summary>Appends every event published on <paramref name="bus"/> (a lossless subscription); dispose to stop.</summary>
    public IDisposable Attach(EventBus bus)
    {
        ArgumentNullException.ThrowIfNull(bus);
        return bus.Subscribe(
            typeof(AgentEvent),
            (agentEvent, _) =>
            {
                Append(agentEvent);
                return ValueTask.CompletedTask;
            },
            EventDelivery.Lossless,
            "server event log");
    }

    /// <summary>Appends an event (also for the server's own events, e.g. a queued run) and wakes the readers.</summary>
    /// <returns>The event as logged, with its id.</returns>
    public LoggedEvent Append(AgentEvent agentEvent)
    {
        ArgumentNullException.ThrowIfNull(agentEvent);
        var json = AgentEventJson.Serialize(agentEvent);
        var sessionId = (agentEvent as SessionEvent)?.SessionId;
        LoggedEvent logged;
        TaskCompletionSource? waiting;
        lock (_gate)
        {
            logged = new LoggedEvent(_lastId + 1, agentEvent.Type, sessionId, json);
            Keep(logged);
            Appended?.Invoke(logged);
            waiting = _appended;
            _appended = null;
        }

        waiting?.TrySetResult();
        return logged;
    }

    /// <summary>
    /// The events after <paramref name="afterId"/> that are still kept, then each new one as it is appended, until
    /// <see cref="Complete"/> or cancellation (which throws <see cref="OperationCanceledException"/>).
    /// </summary>
    /// <param name="afterId">The id of the last event the reader has (0: from the oldest kept). An id this server run never sent (an earlier run's) gets a gap, then every event kept.</param>
    /// <param name="sessionId">Only this session's events; <see langword="null"/> for every event.</param>
    /// <param name="cancellationToken">Ends the reading.</param>
    /// <returns>The events in id order, with an <see cref="EventsGapEvent"/> (id: the last one lost) where some were lost.</returns>
    public async IAsyncEnumerable<LoggedEvent> ReadAsync(long afterId, string? sessionId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(afterId);
        var cursor = afterId == 0 ? _firstId - 1 : afterId;
        var batch = new List<LoggedEvent>(ReadBatch);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var gap = Take(ref cursor, sessionId, batch, out var wait);
            if (gap is not null)
            {
                yield return gap;
            }

            foreach (var logged in batch)
            {
                if (sessionId is null || string.Equals(logged.SessionId, sessionId, StringComparison.Ordinal))
                {
                    yield return logged;
                }
            }

            if (gap is null && batch.Count == 0)
            {
                if (wait is null)
                {
                    yield break;
                }

                await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
            }

            batch.Clear();
        }
    }

    /// <summary>Ends every reader once it has read what is logged (server shutdown).</summary>
    public void Complete()
    {
        TaskCompletionSource? waiting;
        lock (_gate)
        {
            _completed = true;
            waiting = _appended;
            _appended = null;
        }

        waiting?.TrySetResult();
    }

    /// <summary>Same as <see cref="Complete"/>.</summary>
    public void Dispose() => Complete();

    private static long Size(LoggedEvent? logged) => logged is null ? 0 : logged.Json.Length * (long)sizeof(char);

    private int Slot(long id) => (int)((id - _firstId) % _ring.Length);

    /// <summary>Stores the newest event, dropping the oldest beyond the capacity or the byte budget (amortised O(1)).</summary>
    private void Keep(LoggedEvent logged)
    {
        var slot = Slot(logged.Id);
        _bytes += Size(logged) - Size(_ring[slot]);
        _ring[slot] = logged;
        _lastId = logged.Id;
        _firstKept = Math.Max(_firstKept, _lastId - _ring.Length + 1);
        while (_bytes > Options.MaxBytes && _firstKept < _lastId)
        {
            var oldest = Slot(_firstKept++);
            _bytes -= Size(_ring[oldest]);
            _ring[oldest] = null;
        }
    }

    /// <summary>
    /// Moves up to <see cref="ReadBatch"/> events after <paramref name="cursor"/> into <paramref name="batch"/>, or
    /// finds a gap, or (nothing new) gives the task that completes on the next append (<see langword="null"/>: completed).
    /// </summary>
    private LoggedEvent? Take(ref long cursor, string? sessionId, List<LoggedEvent> batch, out Task? wait)
    {
        wait = null;
        EventsGapEvent gap;
        lock (_gate)
        {
            var keptAfter = _firstKept - 1;
            if (cursor < _firstId - 1 || cursor > _lastId)
            {
                gap = EventsGapEvent.Unknown(sessionId, cursor, _firstId, _lastId);
            }
            else if (cursor < keptAfter)
            {
                gap = EventsGapEvent.Dropped(sessionId, cursor, keptAfter, Options);
            }
            else
            {
                var last = Math.Min(_lastId, cursor + ReadBatch);
                for (var id = cursor + 1; id <= last; id++)
                {
                    batch.Add(_ring[Slot(id)]!);
                }

                cursor = last;
                if (batch.Count == 0 && !_completed)
                {
                    wait = (_appended ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
                }

                return null;
            }

            cursor = keptAfter;
        }

        return new LoggedEvent(cursor, gap.Type, sessionId, AgentEventJson.Serialize(gap));
    }
}
