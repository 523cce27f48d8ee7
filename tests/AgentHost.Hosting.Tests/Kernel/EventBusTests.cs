using AgentHost.Hosting.Events;
using AgentHost.Sdk.Events;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentHost.Hosting.Tests.Kernel;

public sealed class EventBusTests
{
    [Fact]
    public async Task Publish_DoesNotWaitForASlowDropOldestSubscriber_AndReportsWhatItDropped()
    {
        var log = new CollectingLogger();
        await using var bus = new EventBus(log, capacity: 8);
        using var gate = new SemaphoreSlim(0);
        // The slow subscriber watches deltas, not warnings: the bus's own drop report (a warning) must not land in its
        // full queue and cause a second report.
        var slowSeen = new List<int>();
        using var slow = bus.Subscribe(typeof(MessageDeltaEvent), async (e, ct) =>
        {
            await gate.WaitAsync(ct);
            slowSeen.Add(((MessageDeltaEvent)e).Step);
        }, EventDelivery.DropOldest, "plugin slowpoke: watcher");
        var reports = new List<string>();
        using var front = bus.Subscribe<WarningEvent>((e, _) =>
        {
            if (e.Source == "events")
            {
                reports.Add(e.Message);
            }

            return ValueTask.CompletedTask;
        });

        for (var i = 0; i < 1000; i++)
        {
            bus.Publish(new MessageDeltaEvent("s", i, "x"));
        }

        // All 1000 publishes returned while the handler was blocked on the gate.
        Assert.True(bus.DroppedCount >= 1000 - 8 - 1, $"dropped {bus.DroppedCount}");
        gate.Release(2000);
        await bus.DrainAsync();
        Assert.Contains(999, slowSeen);
        Assert.InRange(slowSeen.Count, 8, 9);
        var report = Assert.Single(reports);
        Assert.Contains("plugin slowpoke: watcher could not keep up and missed", report, StringComparison.Ordinal);
        Assert.Contains(log.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("'plugin slowpoke: watcher' fell behind", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PublishAsync_WaitsForABlockedLosslessSubscriber_AndLosesNothing()
    {
        const int Capacity = 8;
        await using var bus = new EventBus(NullLogger<EventBus>.Instance, capacity: Capacity);
        using var gate = new SemaphoreSlim(0);
        var firstArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var seen = new List<int>();
        using var front = bus.Subscribe<MessageDeltaEvent>(async (e, ct) =>
        {
            firstArrived.TrySetResult();
            await gate.WaitAsync(ct);
            seen.Add(e.Step);
        });

        await bus.PublishAsync(new MessageDeltaEvent("s", 0, "x"));
        await firstArrived.Task; // the handler holds event 0; the queue is empty again
        for (var i = 1; i <= Capacity; i++)
        {
            var queued = bus.PublishAsync(new MessageDeltaEvent("s", i, "x")).AsTask();
            Assert.True(queued.IsCompletedSuccessfully, $"event {i} fits in the queue");
        }

        var waiting = bus.PublishAsync(new MessageDeltaEvent("s", Capacity + 1, "x")).AsTask();
        Assert.False(waiting.IsCompleted); // the queue is full: the publisher waits for the subscriber
        gate.Release();
        await waiting;
        var rest = Task.Run(async () =>
        {
            for (var i = Capacity + 2; i < 5000; i++)
            {
                await bus.PublishAsync(new MessageDeltaEvent("s", i, "x"));
            }
        });
        gate.Release(10_000);
        await rest;
        await bus.DrainAsync();

        Assert.Equal(Enumerable.Range(0, 5000), seen);
        Assert.Equal(0, bus.DroppedCount);
    }

    [Fact]
    public async Task SynchronousPublish_ToAFullLosslessSubscriber_QueuesBeyondTheLimit_WithoutBlockingOrLosing()
    {
        await using var bus = new EventBus(NullLogger<EventBus>.Instance, capacity: 4);
        using var gate = new SemaphoreSlim(0);
        var seen = new List<string>();
        using var front = bus.Subscribe<WarningEvent>(async (e, ct) =>
        {
            await gate.WaitAsync(ct);
            seen.Add(e.Message);
        });

        for (var i = 0; i < 100; i++)
        {
            bus.Publish(new WarningEvent("x", i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        gate.Release(100);
        await bus.DrainAsync();
        Assert.Equal(Enumerable.Range(0, 100).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), seen);
        Assert.Equal(0, bus.DroppedCount);
    }

    [Fact]
    public async Task PublishAsync_FromInsideAHandler_DoesNotWaitForItsOwnFullQueue()
    {
        await using var bus = new EventBus(NullLogger<EventBus>.Instance, capacity: 2);
        var seen = new List<int>();
        using var echo = bus.Subscribe<MessageDeltaEvent>(async (e, ct) =>
        {
            seen.Add(e.Step);
            if (e.Step < 50)
            {
                // Each event publishes three more into this same, small queue: waiting here would deadlock.
                await bus.PublishAsync(new MessageDeltaEvent("s", e.Step + 100, "x"), ct);
                await bus.PublishAsync(new MessageDeltaEvent("s", e.Step + 200, "x"), ct);
                await bus.PublishAsync(new MessageDeltaEvent("s", e.Step + 300, "x"), ct);
            }
        });

        for (var i = 0; i < 50; i++)
        {
            await bus.PublishAsync(new MessageDeltaEvent("s", i, "x"));
        }

        await bus.DrainAsync().WaitAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(200, seen.Count);
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

    private sealed class CollectingLogger : ILogger<EventBus>
    {
        private readonly List<(LogLevel Level, string Message)> _entries = [];

        public IReadOnlyList<(LogLevel Level, string Message)> Entries
        {
            get
            {
                lock (_entries)
                {
                    return [.. _entries];
                }
            }
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_entries)
            {
                _entries.Add((logLevel, formatter(state, exception)));
            }
        }
    }
}
