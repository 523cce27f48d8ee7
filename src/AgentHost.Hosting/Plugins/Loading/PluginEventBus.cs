using AgentHost.Hosting.Events;
using AgentHost.Sdk.Events;

namespace AgentHost.Hosting.Plugins.Loading;

/// <summary>
/// A plugin's view of the event bus: its subscriptions are drop-oldest (a slow plugin never holds up a run; drops are
/// reported) and end when the plugin unloads.
/// </summary>
internal sealed class PluginEventBus(EventBus inner, string pluginId) : IEventBus, IDisposable
{
    private readonly List<IDisposable> _subscriptions = [];
    private bool _disposed;

    public void Publish<TEvent>(TEvent agentEvent)
        where TEvent : AgentEvent => inner.Publish(agentEvent);

    public ValueTask PublishAsync<TEvent>(TEvent agentEvent, CancellationToken cancellationToken = default)
        where TEvent : AgentEvent => inner.PublishAsync(agentEvent, cancellationToken);

    public IDisposable Subscribe<TEvent>(Func<TEvent, CancellationToken, ValueTask> handler)
        where TEvent : AgentEvent
    {
        ArgumentNullException.ThrowIfNull(handler);
        var subscription = inner.Subscribe(typeof(TEvent), (e, ct) => handler((TEvent)e, ct), EventDelivery.DropOldest, $"plugin {pluginId}: subscriber of {typeof(TEvent).Name}");
        lock (_subscriptions)
        {
            if (_disposed)
            {
                subscription.Dispose();
                throw new ObjectDisposedException(nameof(PluginEventBus), "The plugin has been unloaded.");
            }

            _subscriptions.Add(subscription);
        }

        return subscription;
    }

    /// <summary>Whether the plugin subscribed to anything (a plugin that did cannot stay dormant).</summary>
    public bool HasSubscriptions
    {
        get
        {
            lock (_subscriptions)
            {
                return _subscriptions.Count > 0;
            }
        }
    }

    public void Dispose()
    {
        IDisposable[] all;
        lock (_subscriptions)
        {
            _disposed = true;
            all = [.. _subscriptions];
            _subscriptions.Clear();
        }

        foreach (var subscription in all)
        {
            subscription.Dispose();
        }
    }
}
