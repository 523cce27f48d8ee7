using AgentHost.Sdk.Events;

namespace AgentHost.Kernel.Plugins;

/// <summary>A plugin's view of the event bus: its subscriptions end when the plugin unloads.</summary>
internal sealed class PluginEventBus(IEventBus inner) : IEventBus, IDisposable
{
    private readonly List<IDisposable> _subscriptions = [];
    private bool _disposed;

    public void Publish<TEvent>(TEvent agentEvent)
        where TEvent : AgentEvent => inner.Publish(agentEvent);

    public IDisposable Subscribe<TEvent>(Func<TEvent, CancellationToken, ValueTask> handler)
        where TEvent : AgentEvent
    {
        var subscription = inner.Subscribe(handler);
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
