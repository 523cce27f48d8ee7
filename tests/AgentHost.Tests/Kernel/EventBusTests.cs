using AgentHost.Kernel.Events;
using AgentHost.Sdk.Events;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentHost.Tests.Kernel;

public sealed class EventBusTests
{
    [Fact]
    public async Task Publish_DoesNotWaitForASlowSubscriber_AndDropsItsOldestEventsWhenFull()
    {
        await using var bus = new EventBus(NullLogger<EventBus>.Instance, capacity: 8);
        using var gate = new SemaphoreSlim(0);
        var slowSeen = new List<string>();
        using var slow = bus.Subscribe<WarningEvent>(async (e, ct) =>
        {
            await gate.WaitAsync(ct);
            slowSeen.Add(e.Message);
        });

        for (var i = 0; i < 1000; i++)
        {
            bus.Publish(new WarningEvent("test", i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        // All 1000 publishes returned while the handler was blocked on the gate.
        Assert.True(bus.DroppedCount >= 1000 - 8 - 1, $"dropped {bus.DroppedCount}");
        gate.Release(1000);
        await bus.DrainAsync();
        Assert.Equal("999", slowSeen[^1]);
        Assert.InRange(slowSeen.Count, 8, 9);
    }

    [Fact]
    public async Task SlowSubscriber_DoesNotDelayOtherSubscribers()
    {
        await using var bus = new EventBus(NullLogger<EventBus>.Instance);
        using var gate = new SemaphoreSlim(0);
        var fastGotIt = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var slow = bus.Subscribe<WarningEvent>(async (_, ct) => await gate.WaitAsync(ct));
        using var fast = bus.Subscribe<WarningEvent>((e, _) =>
        {
            fastGotIt.TrySetResult(e.Message);
            return ValueTask.CompletedTask;
        });

        bus.Publish(new WarningEvent("test", "hello"));

        Assert.Equal("hello", await fastGotIt.Task.WaitAsync(TimeSpan.FromSeconds(30)));
        gate.Release();
    }

    [Fact]
    public async Task Subscribe_DeliversOnlyMatchingTypes_InPublishOrder()
    {
        await using var bus = new EventBus(NullLogger<EventBus>.Instance);
        var seen = new List<string>();
        using var subscription = bus.Subscribe<PluginLoadedEvent>((e, _) =>
        {
            seen.Add(e.PluginId);
            return ValueTask.CompletedTask;
        });

        bus.Publish(new PluginLoadedEvent("a", "1.0.0", 1));
        bus.Publish(new WarningEvent("x", "ignored"));
        bus.Publish(new PluginLoadedEvent("b", "1.0.0", 1));
        await bus.DrainAsync();

        Assert.Equal(["a", "b"], seen);
    }

    [Fact]
    public async Task DisposedSubscription_ReceivesNothingMore()
    {
        await using var bus = new EventBus(NullLogger<EventBus>.Instance);
        var count = 0;
        var subscription = bus.Subscribe<WarningEvent>((_, _) =>
        {
            Interlocked.Increment(ref count);
            return ValueTask.CompletedTask;
        });
        bus.Publish(new WarningEvent("x", "1"));
        await bus.DrainAsync();

        subscription.Dispose();
        bus.Publish(new WarningEvent("x", "2"));
        await bus.DrainAsync();

        Assert.Equal(1, count);
    }

    [Fact]
    public async Task ThrowingHandler_KeepsItsSubscriptionAlive()
    {
        await using var bus = new EventBus(NullLogger<EventBus>.Instance);
        var handled = new List<string>();
        using var subscription = bus.Subscribe<WarningEvent>((e, _) =>
        {
            handled.Add(e.Message);
            return e.Message == "boom" ? throw new InvalidOperationException("boom") : ValueTask.CompletedTask;
        });

        bus.Publish(new WarningEvent("x", "boom"));
        bus.Publish(new WarningEvent("x", "after"));
        await bus.DrainAsync();

        Assert.Equal(["boom", "after"], handled);
    }
}
