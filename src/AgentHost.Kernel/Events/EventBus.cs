using System.Collections.Immutable;
using System.Threading.Channels;
using AgentHost.Sdk.Events;
using Microsoft.Extensions.Logging;

namespace AgentHost.Kernel.Events;

/// <summary>The kernel's event bus: each subscription has its own bounded queue and pump.</summary>
/// <remarks>
/// <see cref="Publish{TEvent}"/> never blocks: it offers the event to every matching queue; a full queue drops its
/// oldest event and counts it in <see cref="DroppedCount"/>. Handlers of one subscription run sequentially in
/// publish order on the thread pool. Thread-safe.
/// </remarks>
public sealed partial class EventBus : IEventBus, IAsyncDisposable
{
    private readonly ILogger _logger;
    private readonly int _capacity;
    private ImmutableArray<Subscription> _subscriptions = [];
    private long _dropped;

    /// <summary>Creates a bus.</summary>
    /// <param name="logger">Where handler failures are logged.</param>
    /// <param name="capacity">Queue length per subscription.</param>
    public EventBus(ILogger<EventBus> logger, int capacity = 1024)
    {
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _logger = logger;
        _capacity = capacity;
    }

    /// <summary>Events dropped because a subscriber's queue was full.</summary>
    public long DroppedCount => Interlocked.Read(ref _dropped);

    /// <inheritdoc />
    public void Publish<TEvent>(TEvent agentEvent)
        where TEvent : AgentEvent
    {
        ArgumentNullException.ThrowIfNull(agentEvent);
        foreach (var subscription in _subscriptions)
        {
            if (subscription.EventType.IsInstanceOfType(agentEvent))
            {
                subscription.Offer(agentEvent);
            }
        }
    }

    /// <inheritdoc />
    public IDisposable Subscribe<TEvent>(Func<TEvent, CancellationToken, ValueTask> handler)
        where TEvent : AgentEvent
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Subscribe(typeof(TEvent), (e, ct) => handler((TEvent)e, ct));
    }

    /// <summary>Subscribes a handler for events assignable to <paramref name="eventType"/>.</summary>
    /// <param name="eventType">The event type.</param>
    /// <param name="handler">The handler.</param>
    /// <returns>The subscription; dispose to end it.</returns>
    public IDisposable Subscribe(Type eventType, Func<AgentEvent, CancellationToken, ValueTask> handler)
    {
        ArgumentNullException.ThrowIfNull(eventType);
        ArgumentNullException.ThrowIfNull(handler);
        var subscription = new Subscription(this, eventType, handler, _capacity);
        ImmutableInterlocked.Update(ref _subscriptions, static (list, s) => list.Add(s), subscription);
        return subscription;
    }

    /// <summary>Waits until every queued event has been handled (for orderly shutdown and tests).</summary>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>A task that completes when the queues are empty and no handler runs.</returns>
    public async Task DrainAsync(CancellationToken cancellationToken = default)
    {
        foreach (var subscription in _subscriptions)
        {
            await subscription.WaitIdleAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var subscription in _subscriptions)
        {
            await subscription.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void Remove(Subscription subscription) =>
        ImmutableInterlocked.Update(ref _subscriptions, static (list, s) => list.Remove(s), subscription);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event handler for {EventType} failed")]
    private partial void LogHandlerFailed(Exception exception, string eventType);

    private sealed class Subscription : IDisposable, IAsyncDisposable
    {
        private readonly EventBus _bus;
        private readonly Func<AgentEvent, CancellationToken, ValueTask> _handler;
        private readonly Channel<AgentEvent> _channel;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _pump;
        private long _pending;
        private TaskCompletionSource _idle = NewIdle(completed: true);

        public Subscription(EventBus bus, Type eventType, Func<AgentEvent, CancellationToken, ValueTask> handler, int capacity)
        {
            _bus = bus;
            EventType = eventType;
            _handler = handler;
            _channel = Channel.CreateBounded<AgentEvent>(
                new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
                _ => OnDropped());
            _pump = Task.Run(PumpAsync);
        }

        public Type EventType { get; }

        public void Offer(AgentEvent agentEvent)
        {
            lock (_channel)
            {
                if (Interlocked.Increment(ref _pending) == 1)
                {
                    _idle = NewIdle(completed: false);
                }
            }

            if (!_channel.Writer.TryWrite(agentEvent))
            {
                Done();
            }
        }

        public Task WaitIdleAsync(CancellationToken cancellationToken)
        {
            lock (_channel)
            {
                return _idle.Task.WaitAsync(cancellationToken);
            }
        }

        public void Dispose()
        {
            _bus.Remove(this);
            _channel.Writer.TryComplete();
            _stop.Cancel();
        }

        public async ValueTask DisposeAsync()
        {
            Dispose();
            await _pump.ConfigureAwait(false);
            _stop.Dispose();
        }

        private static TaskCompletionSource NewIdle(bool completed)
        {
            var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (completed)
            {
                tcs.SetResult();
            }

            return tcs;
        }

        private void OnDropped()
        {
            Interlocked.Increment(ref _bus._dropped);
            Done();
        }

        private void Done()
        {
            lock (_channel)
            {
                if (Interlocked.Decrement(ref _pending) == 0)
                {
                    _idle.TrySetResult();
                }
            }
        }

        private async Task PumpAsync()
        {
            try
            {
                await foreach (var agentEvent in _channel.Reader.ReadAllAsync(_stop.Token).ConfigureAwait(false))
                {
                    try
                    {
                        await _handler(agentEvent, _stop.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (_stop.IsCancellationRequested)
                    {
                        return;
                    }
#pragma warning disable CA1031 // A failing subscriber must not break the bus or other subscribers.
                    catch (Exception ex)
#pragma warning restore CA1031
                    {
                        _bus.LogHandlerFailed(ex, agentEvent.Type);
                    }
                    finally
                    {
                        Done();
                    }
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                // Unsubscribed.
            }
            finally
            {
                lock (_channel)
                {
                    _idle.TrySetResult();
                }
            }
        }
    }
}
