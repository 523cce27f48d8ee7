using AgentHost.Sdk.Events;

namespace AgentHost.Sdk.Capabilities;

/// <summary>A handler the host subscribes to the event bus while the plugin is loaded.</summary>
public sealed class EventSubscriberCapability : Capability
{
    /// <summary>Creates a subscriber for events assignable to <paramref name="eventType"/>.</summary>
    /// <param name="name">The subscriber name.</param>
    /// <param name="eventType">The event type (a subclass of <see cref="AgentEvent"/>, or <see cref="AgentEvent"/> for all).</param>
    /// <param name="handler">The handler; it runs on its own queue and cannot slow publishers.</param>
    public EventSubscriberCapability(string name, Type eventType, Func<AgentEvent, CancellationToken, ValueTask> handler)
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(eventType);
        ArgumentNullException.ThrowIfNull(handler);
        if (!typeof(AgentEvent).IsAssignableFrom(eventType))
        {
            throw new ArgumentException($"{eventType} is not an {nameof(AgentEvent)}.", nameof(eventType));
        }

        EventType = eventType;
        Handler = handler;
    }

    /// <inheritdoc />
    public override CapabilityKind Kind => CapabilityKind.EventSubscriber;

    /// <summary>The event type handled.</summary>
    public Type EventType { get; }

    /// <summary>The handler.</summary>
    public Func<AgentEvent, CancellationToken, ValueTask> Handler { get; }
}
