namespace AgentHost.Sdk.Events;

/// <summary>The host's typed, asynchronous publish/subscribe channel.</summary>
/// <remarks>
/// Thread-safe. Each subscription has its own bounded queue: a slow subscriber never blocks publishers; when its
/// queue is full, its oldest undelivered events are dropped and counted. Handlers of one subscription run one at a
/// time, in publish order. A handler that throws is logged; the subscription stays active.
/// </remarks>
public interface IEventBus
{
    /// <summary>Publishes an event to every matching subscription without waiting for handlers.</summary>
    /// <typeparam name="TEvent">The event type.</typeparam>
    /// <param name="agentEvent">The event.</param>
    void Publish<TEvent>(TEvent agentEvent)
        where TEvent : AgentEvent;

    /// <summary>Subscribes to events assignable to <typeparamref name="TEvent"/>.</summary>
    /// <typeparam name="TEvent">The event type; <see cref="AgentEvent"/> receives everything.</typeparam>
    /// <param name="handler">The handler.</param>
    /// <returns>Disposing it ends the subscription.</returns>
    IDisposable Subscribe<TEvent>(Func<TEvent, CancellationToken, ValueTask> handler)
        where TEvent : AgentEvent;
}
