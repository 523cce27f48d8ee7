using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using AgentHost.Hosting;
using AgentHost.Sessions;
using Microsoft.Extensions.Logging;

namespace AgentHost.Server.Events;

/// <summary>
/// The durable side of the event streams: every session event the server logs is written to the store's per-session
/// journal (<see cref="ISessionJournal"/>), and a session's stream (<c>GET /v1/sessions/{id}/events</c>) is read back
/// from it, with the journal's per-session ids, so that a client resumes with <c>Last-Event-ID</c> after a restart too.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="Enqueue"/> only queues (O(1), never waits), so a turn never waits for the store: one background writer
/// takes whatever is queued, in order, and appends each session's share in one write (a burst of deltas is one write).
/// Readers wake when their session's events are written. The store scrubs secrets and caps large events.
/// </para>
/// <para>Thread-safe: many publishers (in log order), one writer, many readers.</para>
/// </remarks>
internal sealed partial class SessionEventJournal : IAsyncDisposable
{
    /// <summary>The most events one write or one read takes.</summary>
    private const int Batch = 1000;

    private readonly ISessionJournal _journal;
    private readonly ILogger _logger;
    private readonly Channel<Entry> _queue = Channel.CreateUnbounded<Entry>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _written = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Tail> _tails = new(StringComparer.Ordinal);
    private readonly Lock _runEndsGate = new();
    private readonly Dictionary<(string SessionId, string RunId), TaskCompletionSource> _runEnds = [];
    private readonly Task _writer;
    private IAsyncDisposable? _listener;
    private long _storePages;
    private volatile bool _stopped;

    /// <summary>Starts the writer.</summary>
    public SessionEventJournal(ISessionJournal journal, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(journal);
        ArgumentNullException.ThrowIfNull(logger);
        _journal = journal;
        _logger = logger;
        _writer = Task.Run(WriteAsync, CancellationToken.None);
    }

    /// <summary>
    /// Wakes this server's readers when another server appends to a session's journal too (a shared PostgreSQL store,
    /// <see cref="IJournalAppendListener"/>): a stream on any node follows a session another node runs. Does nothing
    /// on a store that cannot tell (SQLite).
    /// </summary>
    public async Task FollowOtherServersAsync(CancellationToken cancellationToken)
    {
        if (_journal is IJournalAppendListener listener)
        {
            _listener = await listener.ListenAsync(
                session =>
                {
                    // Another server's events are not in this server's tails: their readers go back to the store.
                    if (session is not null)
                    {
                        if (_tails.TryGetValue(session, out var tail))
                        {
                            tail.WrittenElsewhere();
                        }

                        Wake(session);
                        return;
                    }

                    foreach (var stale in _tails.Values)
                    {
                        stale.WrittenElsewhere();
                    }

                    foreach (var waiting in _written.Keys)
                    {
                        Wake(waiting);
                    }
                },
                cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The store's journal the events are written to.</summary>
    public ISessionJournal Store => _journal;

    /// <summary>Queues a logged event for its session's journal (events of no session are not journalled).</summary>
    /// <remarks>Called in log order (under the log's lock): the journal keeps each session's events in that order.</remarks>
    public void Enqueue(LoggedEvent logged)
    {
        ArgumentNullException.ThrowIfNull(logged);
        if (logged.SessionId is not null)
        {
            _queue.Writer.TryWrite(new Entry(logged, null));
        }
    }

    /// <summary>Completes when every event queued before the call has been written (or given up on).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (_queue.Writer.TryWrite(new Entry(null, done)))
        {
            await done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Completes once this server has written the run's <c>run.ended</c> to its session's journal, or given up on it (the
    /// write failed, logged), or stopped. Call it before the event is published: no query, the writer says when.
    /// </summary>
    /// <param name="sessionId">The run's session.</param>
    /// <param name="runId">The run.</param>
    /// <param name="cancellationToken">Stops the wait (the event is still written).</param>
    /// <returns>A task.</returns>
    public async Task WhenRunEndWrittenAsync(string sessionId, string runId, CancellationToken cancellationToken)
    {
        TaskCompletionSource written;
        lock (_runEndsGate)
        {
            if (_stopped)
            {
                return;
            }

            written = CollectionsMarshal.GetValueRefOrAddDefault(_runEnds, (sessionId, runId), out _)
                ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        try
        {
            await written.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            lock (_runEndsGate)
            {
                _runEnds.Remove((sessionId, runId));
            }
        }
    }

    /// <summary>The id of a session's newest journalled event, once what was queued before is written (0: none).</summary>
    public async Task<long> LastIdAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        return await _journal.LastEventIdAsync(sessionId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A session's events after <paramref name="afterId"/> (its journal ids: 1, 2, …), then each new one as it is
    /// written, until the journal is disposed or cancellation. An id the session never reached gets an
    /// <see cref="EventsGapEvent"/>, then the events after the session's newest.
    /// </summary>
    public async IAsyncEnumerable<LoggedEvent> ReadAsync(string sessionId, long afterId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        ArgumentOutOfRangeException.ThrowIfNegative(afterId);
        var tail = Register(sessionId);
        try
        {
            var cursor = afterId;
            if (cursor > 0 && await _journal.LastEventIdAsync(sessionId, cancellationToken).ConfigureAwait(false) is var last && last < cursor)
            {
                var gap = EventsGapEvent.NeverSent(sessionId, cursor, last);
                yield return new LoggedEvent(last, gap.Type, sessionId, Agent.Service.AgentEventJson.Serialize(gap));
                cursor = last;
            }

            // From the store until caught up; then from the session's tail in memory (what this server wrote since the
            // reader registered), back to the store when the tail no longer reaches back to the reader's cursor.
            var live = false;
            var seenElsewhere = tail.WrittenElsewhereCount;
            while (true)
            {
                // Taken before the read: a write that lands between the read and the wait still wakes this reader.
                var written = WrittenSignal(sessionId);
                // Another server's appends since this reader last read the store are not in the tail: the store has them.
                var elsewhere = tail.WrittenElsewhereCount;
                IReadOnlyList<JournalEvent>? page = live && elsewhere == seenElsewhere ? tail.After(cursor) : null;
                if (page is null)
                {
                    seenElsewhere = elsewhere;
                    page = await _journal.ReadEventsAsync(sessionId, cursor, Batch, cancellationToken).ConfigureAwait(false);
                    live = page.Count < Batch;
                    Interlocked.Increment(ref _storePages);
                }

                foreach (var stored in page)
                {
                    cursor = stored.Id;
                    yield return new LoggedEvent(stored.Id, stored.Type, sessionId, stored.Json);
                }

                if (page.Count == 0)
                {
                    if (_stopped)
                    {
                        yield break;
                    }

                    await written.WaitAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            Unregister(sessionId, tail);
        }
    }

    /// <summary>How many reads of the store the session streams have made (not counting what they took from memory); for tests.</summary>
    internal long StorePages => Interlocked.Read(ref _storePages);

    /// <summary>Writes what is queued, then ends the readers once they have read it (server shutdown).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_queue.Writer.TryComplete())
        {
            await _writer.ConfigureAwait(false);
            if (_listener is { } listener)
            {
                await listener.DisposeAsync().ConfigureAwait(false);
            }

            lock (_runEndsGate)
            {
                _stopped = true;
                foreach (var written in _runEnds.Values)
                {
                    written.TrySetResult();
                }
            }

            foreach (var session in _written.Keys)
            {
                Wake(session);
            }
        }
    }

    private Task WrittenSignal(string sessionId) =>
        _stopped
            ? Task.CompletedTask
            : _written.GetOrAdd(sessionId, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    private void Wake(string sessionId)
    {
        if (_written.TryRemove(sessionId, out var waiting))
        {
            waiting.TrySetResult();
        }
    }

    private async Task WriteAsync()
    {
        var batch = new List<Entry>(Batch);
        while (await _queue.Reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            while (batch.Count < Batch && _queue.Reader.TryRead(out var entry))
            {
                batch.Add(entry);
            }

            await WriteBatchAsync(batch).ConfigureAwait(false);
            foreach (var flush in batch.Select(e => e.Flushed).OfType<TaskCompletionSource>())
            {
                flush.TrySetResult();
            }

            batch.Clear();
        }
    }

    /// <summary>Appends each session's events of the batch in one write (in queue order), then wakes its readers.</summary>
    private async Task WriteBatchAsync(List<Entry> batch)
    {
        foreach (var session in batch.Where(e => e.Event is not null).GroupBy(e => e.Event!.SessionId!, StringComparer.Ordinal))
        {
            var events = session.Select(e => (e.Event!.Type, e.Event.Json)).ToList();
            try
            {
                var stored = await _journal.WriteEventsAsync(session.Key, events, CancellationToken.None).ConfigureAwait(false);
                if (_tails.TryGetValue(session.Key, out var tail))
                {
                    tail.Add(stored);
                }
            }
            catch (AgentHostException ex)
            {
                // A deleted session, a session another writer took over, an unreachable store: its live readers on
                // the all-sessions stream still got them; the journal does not have them.
                NotJournalled(_logger, events.Count, session.Key, ex.Message);
            }
            catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException or ObjectDisposedException)
            {
                NotJournalled(_logger, events.Count, session.Key, ex.Message);
            }

            RunEndsWritten(session.Key, session.Select(e => e.Event!));
            Wake(session.Key);
        }
    }

    /// <summary>Completes the waits for the runs whose <c>run.ended</c> was among a session's events just written (or given up on).</summary>
    private void RunEndsWritten(string sessionId, IEnumerable<LoggedEvent> events)
    {
        lock (_runEndsGate)
        {
            if (_runEnds.Count == 0)
            {
                return;
            }

            foreach (var ended in events.Where(e => e.Type == RunEndedEvent.EventType))
            {
                if (RunIds.Of(ended.Json) is { } runId && _runEnds.TryGetValue((sessionId, runId), out var written))
                {
                    written.TrySetResult();
                }
            }
        }
    }

    /// <summary>The session's tail, kept while it has readers (registered before their first read of the store).</summary>
    private Tail Register(string sessionId)
    {
        while (true)
        {
            var tail = _tails.GetOrAdd(sessionId, static _ => new Tail());
            if (tail.TryJoin())
            {
                return tail;
            }

            // The last reader just left and the tail is being removed: take a fresh one.
            _tails.TryRemove(new KeyValuePair<string, Tail>(sessionId, tail));
        }
    }

    private void Unregister(string sessionId, Tail tail)
    {
        if (tail.Leave())
        {
            _tails.TryRemove(new KeyValuePair<string, Tail>(sessionId, tail));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} events of session {SessionId} were not written to its journal (a resumed stream will not replay them): {Reason}")]
    private static partial void NotJournalled(ILogger logger, int count, string sessionId, string reason);

    /// <summary>
    /// The newest events this server wrote to one session's journal, as stored (ids, scrubbed payloads), while the
    /// session has live readers: a reader that has caught up with the store takes what was written next from here,
    /// so N readers of a session cost no query per written batch. At most <see cref="Batch"/> events.
    /// </summary>
    private sealed class Tail
    {
        private readonly Lock _gate = new();
        private readonly List<JournalEvent> _events = [];
        private int _readers;
        private long _writtenElsewhere;

        /// <summary>How many times another server appended to the session (its readers then read the store: this tail lacks those events).</summary>
        public long WrittenElsewhereCount => Interlocked.Read(ref _writtenElsewhere);

        /// <summary>Another server appended to the session.</summary>
        public void WrittenElsewhere() => Interlocked.Increment(ref _writtenElsewhere);

        public bool TryJoin()
        {
            lock (_gate)
            {
                if (_readers < 0)
                {
                    return false;
                }

                _readers++;
                return true;
            }
        }

        /// <summary>Whether this was the last reader (the tail is closed then).</summary>
        public bool Leave()
        {
            lock (_gate)
            {
                if (--_readers > 0)
                {
                    return false;
                }

                _readers = -1;
                _events.Clear();
                return true;
            }
        }

        public void Add(IReadOnlyList<JournalEvent> events)
        {
            lock (_gate)
            {
                if (_readers < 0)
                {
                    return;
                }

                _events.AddRange(events);
                if (_events.Count > Batch)
                {
                    _events.RemoveRange(0, _events.Count - Batch);
                }
            }
        }

        /// <summary>
        /// The events after <paramref name="cursor"/> (empty: none was written since); <see langword="null"/> when the
        /// tail no longer reaches back to it (the store has them).
        /// </summary>
        public List<JournalEvent>? After(long cursor)
        {
            lock (_gate)
            {
                if (_events.Count == 0 || _events[^1].Id <= cursor)
                {
                    return [];
                }

                var first = _events.FindIndex(e => e.Id > cursor);
                for (var i = first; i < _events.Count; i++)
                {
                    // Not the next id: trimmed past the reader, or another writer's events between (the store has them).
                    if (_events[i].Id != (i == first ? cursor : _events[i - 1].Id) + 1)
                    {
                        return null;
                    }
                }

                return _events.GetRange(first, _events.Count - first);
            }
        }
    }

    /// <summary>A queued event, or a flush marker.</summary>
    private sealed record Entry(LoggedEvent? Event, TaskCompletionSource? Flushed);
}
