namespace AgentHost.Hosting.Events;

/// <summary>What a subscription of the <see cref="EventBus"/> does when its subscriber falls behind.</summary>
public enum EventDelivery
{
    /// <summary>
    /// Nothing is ever dropped: <see cref="EventBus.PublishAsync{TEvent}"/> waits for queue space (back-pressure) and
    /// <see cref="EventBus.Publish{TEvent}"/> queues beyond the limit. For front ends, recorders and audit.
    /// </summary>
    Lossless,

    /// <summary>
    /// A bounded queue that drops its oldest event when full; every drop is counted, logged and reported as a
    /// <see cref="Sdk.Events.WarningEvent"/>. For plugins' subscribers, so that a slow plugin never holds up a run.
    /// </summary>
    DropOldest,
}
