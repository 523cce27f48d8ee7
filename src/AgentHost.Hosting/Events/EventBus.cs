using System.Collections.Immutable;
using AgentHost.Sdk.Events;
using Microsoft.Extensions.Logging;

namespace AgentHost.Hosting.Events;

/// <summary>The kernel's event bus: each subscription has its own queue and pump.</summary>
/// <remarks>
/// <para>
/// Subscriptions are <see cref="EventDelivery.Lossless"/> unless they ask for <see cref="EventDelivery.DropOldest"/>
/// (the plugin host does for plugins' subscribers). A lossless subscription never loses an event:
/// <see cref="PublishAsync{TEvent}"/> waits while its queue holds the capacity (back-pressure: the agent loop streams
/// no faster than the slowest front end reads), and <see cref="Publish{TEvent}"/>, which must not block its caller,
/// queues beyond the capacity. Publishing from inside a handler never waits (no deadlock on one's own queue).
/// </para>
/// <para>
/// A drop-oldest subscription drops its oldest event when full; drops are counted in <see cref="DroppedCount"/>,
/// logged as warnings and reported once per burst as a <see cref="WarningEvent"/> naming the subscriber.
/// Handlers of one subscription run sequentially in publish order on the thread pool. Thread-safe.
/// </para>
/// </remarks>
public sealed partial class EventBus : IEventBus, IAsyncDisposable
{
    private static readonly AsyncLocal<bool> InHandler = new();
    private readonly ILogger _logger;
    private readonly int _capacity;
    private ImmutableArray<Subscription> _subscriptions = [];
    private long _dropped;

    /// <summary>Creates a bus.</summary>
    /// <param name="logger">Where handler failures, drops and back-pressure are logged.</param>
    /// <param name="capacity">Queue length per subscription.</param>
    public EventBus(ILogger<EventBus> logger, int capacity = 1024)
    {
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _logger = logger;
        _capacity = capacity;
    }

    /// <summary>Events dropped because a drop-oldest subscriber's queue was full (lossless subscriptions never drop).</summary>
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
    public ValueTask PublishAsync<TEvent>(TEvent agentEvent, CancellationToken cancellationToken = default)
        where TEvent : AgentEvent
    {
        ArgumentNullException.ThrowIfNull(agentEvent);
        var subscriptions = _subscriptions;
        var wait = !InHandler.Value;
        for (var i = 0; i < subscriptions.Length; i++)
        {
            var subscription = subscriptions[i];
            if (!subscription.EventType.IsInstanceOfType(agentEvent))
            {
                continue;
            }

            if (!wait || !subscription.IsFull)
            {
                subscription.Offer(agentEvent);
                continue;
            }

            return PublishSlowAsync(subscriptions, i, agentEvent, cancellationToken);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public IDisposable Subscribe<TEvent>(Func<TEvent, CancellationToken, ValueTask> handler)
        where TEvent : AgentEvent
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Subscribe(typeof(TEvent), (e, ct) => handler((TEvent)e, ct), EventDelivery.Lossless, $"subscriber of {typeof(TEvent).Name}");
    }

    /// <summary>Subscribes a lossless handler for events assignable to <paramref name="eventType"/>.</summary>
    /// <param name="eventType">The event type.</param>
    /// <param name="handler">The handler.</param>
    /// <returns>The subscription; dispose to end it.</returns>
    public IDisposable Subscribe(Type eventType, Func<AgentEvent, CancellationToken, ValueTask> handler) =>
        Subscribe(eventType, handler, EventDelivery.Lossless, $"subscriber of {eventType?.Name}");

    /// <summary>Subscribes a handler for events assignable to <paramref name="eventType"/>.</summary>
    /// <param name="eventType">The event type.</param>
    /// <param name="handler">The handler.</param>
    /// <param name="delivery">Lossless (front ends, recorders) or drop-oldest (plugins).</param>
    /// <param name="name">Who subscribes, for logs and drop warnings (e.g. <c>plugin lsp: diagnostics</c>).</param>
    /// <returns>The subscription; dispose to end it.</returns>
    public IDisposable Subscribe(Type eventType, Func<AgentEvent, CancellationToken, ValueTask> handler, EventDelivery delivery, string name)
    {
        ArgumentNullException.ThrowIfNull(eventType);
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var subscription = new Subscription(this, eventType, handler, delivery, name, _capacity);
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

    private static async ValueTask PublishSlowAsync(ImmutableArray<Subscription> subscriptions, int from, AgentEvent agentEvent, CancellationToken cancellationToken)
    {
        for (var i = from; i < subscriptions.Length; i++)
        {
            var subscription = subscriptions[i];
            if (subscription.EventType.IsInstanceOfType(agentEvent))
            {
                await subscription.OfferWhenRoomAsync(agentEvent, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private void Remove(Subscription subscription) =>
        ImmutableInterlocked.Update(ref _subscriptions, static (list, s) => list.Remove(s), subscription);

    private void ReportDropped(Subscription subscription, long dropped, long total)
    {
        LogDropped(subscription.Name, dropped, total);
        Publish(new WarningEvent(
            "events",
            $"{subscription.Name} could not keep up and missed {dropped} events ({total} in all); its output may be incomplete. The run itself is not affected."));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event handler for {EventType} failed")]
    private partial void LogHandlerFailed(Exception exception, string eventType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event subscriber '{Subscriber}' fell behind: {Dropped} events dropped ({Total} in all)")]
    private partial void LogDropped(string subscriber, long dropped, long total);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Event subscriber '{Subscriber}' is {Capacity} events behind; publishers wait for it (back-pressure)")]
    private partial void LogBackPressure(string subscriber, int capacity);
}
