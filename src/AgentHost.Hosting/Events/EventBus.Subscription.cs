using System.Threading.Channels;
using AgentHost.Sdk.Events;

namespace AgentHost.Hosting.Events;

/// <summary>One subscription: its queue, its pump, back-pressure and drop accounting.</summary>
public sealed partial class EventBus
{
    private sealed class Subscription : IDisposable, IAsyncDisposable
    {
        private readonly EventBus _bus;
        private readonly Func<AgentEvent, CancellationToken, ValueTask> _handler;
        private readonly Channel<AgentEvent> _channel;
        private readonly CancellationTokenSource _stop = new();
        private readonly Lock _gate = new();
        private readonly int _capacity;
        private readonly Task _pump;
        private long _pending;
        private long _queued;
        private long _dropped;
        private long _reported;
        private int _handledSinceReport;
        private int _backPressureLogged;
        private volatile bool _closed;
        private TaskCompletionSource? _room;
        private TaskCompletionSource _idle = NewIdle(completed: true);

        public Subscription(EventBus bus, Type eventType, Func<AgentEvent, CancellationToken, ValueTask> handler, EventDelivery delivery, string name, int capacity)
        {
            _bus = bus;
            EventType = eventType;
            _handler = handler;
            Delivery = delivery;
            Name = name;
            _capacity = capacity;
            _channel = delivery == EventDelivery.Lossless
                ? Channel.CreateUnbounded<AgentEvent>(new UnboundedChannelOptions { SingleReader = true })
                : Channel.CreateBounded<AgentEvent>(
                    new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
                    _ => OnDropped());
            _pump = Task.Run(PumpAsync);
        }

        public Type EventType { get; }

        public EventDelivery Delivery { get; }

        public string Name { get; }

        /// <summary>Whether a lossless queue holds its capacity (an asynchronous publisher then waits).</summary>
        public bool IsFull => Delivery == EventDelivery.Lossless && !_closed && Interlocked.Read(ref _queued) >= _capacity;

        /// <summary>Queues the event without waiting (a lossless queue may grow beyond its capacity).</summary>
        public void Offer(AgentEvent agentEvent)
        {
            lock (_gate)
            {
                if (Interlocked.Increment(ref _pending) == 1)
                {
                    _idle = NewIdle(completed: false);
                }
            }

            var lossless = Delivery == EventDelivery.Lossless;
            if (lossless)
            {
                Interlocked.Increment(ref _queued);
            }

            if (!_channel.Writer.TryWrite(agentEvent))
            {
                if (lossless)
                {
                    Interlocked.Decrement(ref _queued);
                }

                Done();
            }
        }

        /// <summary>Waits until a lossless queue has room (or the subscription ends), then queues the event.</summary>
        public async ValueTask OfferWhenRoomAsync(AgentEvent agentEvent, CancellationToken cancellationToken)
        {
            while (true)
            {
                Task room;
                lock (_gate)
                {
                    if (_closed || Interlocked.Read(ref _queued) < _capacity)
                    {
                        break;
                    }

                    _room ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    room = _room.Task;
                }

                if (Interlocked.Exchange(ref _backPressureLogged, 1) == 0)
                {
                    _bus.LogBackPressure(Name, _capacity);
                }

                await room.WaitAsync(cancellationToken).ConfigureAwait(false);
            }

            Offer(agentEvent);
        }

        public Task WaitIdleAsync(CancellationToken cancellationToken)
        {
            lock (_gate)
            {
                return _idle.Task.WaitAsync(cancellationToken);
            }
        }

        public void Dispose()
        {
            _bus.Remove(this);
            _closed = true;
            _channel.Writer.TryComplete();
            _stop.Cancel();
            ReleaseWaiters();
        }

        public async ValueTask DisposeAsync()
        {
            Dispose();
            await _pump.ConfigureAwait(false);
            _stop.Dispose();
            var unreported = Interlocked.Read(ref _dropped) - _reported;
            if (unreported > 0)
            {
                _bus.LogDropped(Name, unreported, Interlocked.Read(ref _dropped));
            }
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

        private void ReleaseWaiters()
        {
            lock (_gate)
            {
                _room?.TrySetResult();
                _room = null;
            }
        }

        private void OnDropped()
        {
            Interlocked.Increment(ref _bus._dropped);
            Interlocked.Increment(ref _dropped);
            Done();
        }

        private void Done()
        {
            lock (_gate)
            {
                if (Interlocked.Decrement(ref _pending) == 0)
                {
                    _idle.TrySetResult();
                }
            }
        }

        /// <summary>Reports new drops: at once after the first, then at most once per queue length of handled events.</summary>
        private void ReportDrops()
        {
            _handledSinceReport++;
            var dropped = Interlocked.Read(ref _dropped);
            if (dropped > _reported && (_reported == 0 || _handledSinceReport >= _capacity))
            {
                var fresh = dropped - _reported;
                _reported = dropped;
                _handledSinceReport = 0;
                _bus.ReportDropped(this, fresh, dropped);
            }
        }

        private async Task PumpAsync()
        {
            // Publishing from a handler must never wait for queue space (it could be waiting for itself).
            InHandler.Value = true;
            try
            {
                await foreach (var agentEvent in _channel.Reader.ReadAllAsync(_stop.Token).ConfigureAwait(false))
                {
                    if (Delivery == EventDelivery.Lossless && Interlocked.Decrement(ref _queued) < _capacity && Volatile.Read(ref _room) is not null)
                    {
                        ReleaseWaiters();
                    }

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

                    if (Delivery == EventDelivery.DropOldest)
                    {
                        ReportDrops();
                    }
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                // Unsubscribed.
            }
            finally
            {
                lock (_gate)
                {
                    _idle.TrySetResult();
                }
            }
        }
    }
}
