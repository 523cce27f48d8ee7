using System.Collections.Concurrent;
using System.Globalization;
using AgentHost.Sdk.Events;

namespace AgentHost.Permissions.Gate;

/// <summary>
/// Carries permission requests from the kernel's gate to whichever front ends are present, and their answers back.
/// A request is published on the bus as a <see cref="PermissionRequestedEvent"/>; any front end answers it with
/// <see cref="TryAnswer"/>; the first answer wins and later ones are refused. Requests of one session are raised one
/// at a time (<see cref="EnterSessionAsync"/>), so a person is never shown two prompts for one session at once.
/// </summary>
/// <remarks>
/// Headless runs never block: with no responder registered (<see cref="AddResponder"/>) the gate does not ask at all,
/// and when the last responder leaves, every pending request is denied. One broker serves a whole process (many
/// sessions); it is thread-safe. Plugins never see the broker, so they cannot answer their own requests.
/// </remarks>
public sealed class PermissionBroker
{
    private readonly IEventBus _events;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, Pending> _pending = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _sessions = new(StringComparer.Ordinal);
    private int _responders;
    private long _sequence;

    /// <summary>Creates a broker.</summary>
    /// <param name="events">Where requests are published.</param>
    /// <param name="timeProvider">The clock (answer time-outs, event timestamps).</param>
    public PermissionBroker(IEventBus events, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(events);
        _events = events;
        _time = timeProvider ?? TimeProvider.System;
    }

    private static PermissionAnswer NobodyLeft { get; } = new(PermissionAnswerKind.Deny, "headless")
    {
        Reason = "no front end is left to answer the permission request",
    };

    /// <summary>How long a request waits for an answer before it is denied; forever when <see langword="null"/> (the default).</summary>
    public TimeSpan? AnswerTimeout { get; init; }

    /// <summary>Whether any front end can answer requests now.</summary>
    public bool HasResponders => Volatile.Read(ref _responders) > 0;

    /// <summary>The requests waiting for an answer, oldest first.</summary>
    public IReadOnlyList<PermissionRequestedEvent> PendingRequests =>
        // An answered request is no longer waiting, though its asker may not have run on yet to remove it.
        [.. _pending.Values.Where(p => !p.Completion.Task.IsCompleted).OrderBy(p => p.Sequence).Select(p => p.Request)];

    /// <summary>Registers a front end that answers requests (a terminal, an HTTP client with an open event stream).</summary>
    /// <param name="name">The front end's name, for diagnostics.</param>
    /// <returns>Dispose when the front end goes away; the last one leaving denies what is pending.</returns>
    public IDisposable AddResponder(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Interlocked.Increment(ref _responders);
        return new Responder(this);
    }

    /// <summary>Answers a pending request.</summary>
    /// <param name="requestId">The request's id.</param>
    /// <param name="answer">The answer.</param>
    /// <returns>Whether this answer decided the request (<see langword="false"/>: unknown id, or answered already).</returns>
    public bool TryAnswer(string requestId, PermissionAnswer answer)
    {
        ArgumentNullException.ThrowIfNull(requestId);
        ArgumentNullException.ThrowIfNull(answer);
        return _pending.TryGetValue(requestId, out var pending) && pending.Completion.TrySetResult(answer);
    }

    /// <summary>Waits for the session's turn to raise a request; dispose the result to let the next one through.</summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The turn.</returns>
    public async Task<IDisposable> EnterSessionAsync(string sessionId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        var gate = _sessions.GetOrAdd(sessionId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Turn(gate);
    }

    /// <summary>Publishes a request and waits for the first answer.</summary>
    /// <param name="request">The request (its id must be unique).</param>
    /// <param name="cancellationToken">Cancellation (the run ends): throws <see cref="OperationCanceledException"/>.</param>
    /// <returns>The answer; a deny when nobody can answer or the time-out passes.</returns>
    public async Task<PermissionAnswer> AskAsync(PermissionRequestedEvent request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var pending = new Pending(request, Interlocked.Increment(ref _sequence));
        if (!_pending.TryAdd(request.RequestId, pending))
        {
            throw new InvalidOperationException($"permission request '{request.RequestId}' is already pending.");
        }

        try
        {
            if (!HasResponders)
            {
                return NobodyLeft;
            }

            _events.Publish(request with { Timestamp = _time.GetUtcNow() });
            var answer = pending.Completion.Task;
            if (AnswerTimeout is { } timeout)
            {
                using var delay = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var expired = Task.Delay(timeout, _time, delay.Token);
                var first = await Task.WhenAny(answer, expired).ConfigureAwait(false);
                await delay.CancelAsync().ConfigureAwait(false);
                if (first == expired && expired.IsCompletedSuccessfully)
                {
                    pending.Completion.TrySetResult(new PermissionAnswer(PermissionAnswerKind.Deny, "timeout")
                    {
                        Reason = string.Create(CultureInfo.InvariantCulture, $"nobody answered the permission request within {timeout.TotalSeconds:0} s"),
                    });
                }
            }

            return await answer.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _pending.TryRemove(request.RequestId, out _);
        }
    }

    private void ResponderLeft()
    {
        if (Interlocked.Decrement(ref _responders) > 0)
        {
            return;
        }

        foreach (var pending in _pending.Values)
        {
            pending.Completion.TrySetResult(NobodyLeft);
        }
    }

    private sealed record Pending(PermissionRequestedEvent Request, long Sequence)
    {
        public TaskCompletionSource<PermissionAnswer> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class Responder(PermissionBroker broker) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                broker.ResponderLeft();
            }
        }
    }

    private sealed class Turn(SemaphoreSlim gate) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                gate.Release();
            }
        }
    }
}
