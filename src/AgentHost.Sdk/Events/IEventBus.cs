namespace AgentHost.Sdk.Events;

/// <summary>The host's typed, asynchronous publish/subscribe channel.</summary>
/// <remarks>
/// <para>
/// Thread-safe. Each subscription has its own queue; handlers of one subscription run one at a time, in publish
/// order. A handler that throws is logged; the subscription stays active.
/// </para>
/// <para>
/// The host's front ends and recorders subscribe losslessly: when such a subscriber falls behind,
/// <see cref="PublishAsync{TEvent}"/> waits for it (back-pressure) and <see cref="Publish{TEvent}"/> queues beyond the
/// limit rather than drop. A plugin's subscriptions are bounded: when one falls behind, its oldest undelivered events
/// are dropped, counted, logged and reported as a <see cref="WarningEvent"/>, so a slow plugin never holds up a run.
/// </para>
/// </remarks>
public interface IEventBus
{
    /// <summary>Publishes an event to every matching subscription without waiting for handlers or queue space.</summary>
    /// <typeparam name="TEvent">The event type.</typeparam>
    /// <param name="agentEvent">The event.</param>
    void Publish<TEvent>(TEvent agentEvent)
        where TEvent : AgentEvent;

    /// <summary>
    /// Publishes an event, waiting while a lossless subscriber's queue is full (use it for high-volume events from
    /// asynchronous code). Never waits when called from inside an event handler.
    /// </summary>
    /// <typeparam name="TEvent">The event type.</typeparam>
    /// <param name="agentEvent">The event.</param>
    /// <param name="cancellationToken">Stops waiting for queue space (the event is then not delivered to that subscriber).</param>
    /// <returns>A task that completes when every matching subscription has queued the event.</returns>
    ValueTask PublishAsync<TEvent>(TEvent agentEvent, CancellationToken cancellationToken = default)
        where TEvent : AgentEvent
    {
        Publish(agentEvent);
        return ValueTask.CompletedTask;
    }

    /// <summary>Subscribes to events assignable to <typeparamref name="TEvent"/>.</summary>
    /// <typeparam name="TEvent">The event type; <see cref="AgentEvent"/> receives everything.</typeparam>
    /// <param name="handler">The handler.</param>
    /// <returns>Disposing it ends the subscription.</returns>
    IDisposable Subscribe<TEvent>(Func<TEvent, CancellationToken, ValueTask> handler)
        where TEvent : AgentEvent;
}
