using AgentHost.Hosting.Events;
using AgentHost.Sdk.Events;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentHost.Benchmarks;

/// <summary>
/// <see cref="EventBus.Publish{TEvent}"/> to 4 subscribers: a batch of events is published, then the bus is drained,
/// so each operation is one event delivered to all 4 handlers through their queues and pumps. The baseline calls the
/// same 4 handlers directly and synchronously: the ratio is the cost of the asynchronous, isolated fan-out.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class EventBusBenchmarks
{
    private const int Subscribers = 4;
    private const int Batch = 256;

    private readonly Func<WarningEvent, CancellationToken, ValueTask>[] _handlers = new Func<WarningEvent, CancellationToken, ValueTask>[Subscribers];
    private readonly WarningEvent _event = new("bench", "a clash between two plugins");
    private EventBus _bus = null!;
    private long _handled;

    [GlobalSetup]
    public void Setup()
    {
        _bus = new EventBus(NullLogger<EventBus>.Instance);
        for (var i = 0; i < Subscribers; i++)
        {
            _handlers[i] = (e, _) =>
            {
                Interlocked.Increment(ref _handled);
                return ValueTask.CompletedTask;
            };
            _bus.Subscribe(_handlers[i]);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _bus.DisposeAsync().AsTask().GetAwaiter().GetResult();
        if (_bus.DroppedCount != 0)
        {
            throw new InvalidOperationException($"{_bus.DroppedCount} events were dropped; the figures would not be deliveries");
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Batch, Description = "direct synchronous calls (4 handlers)")]
    public async Task DirectCalls()
    {
        for (var n = 0; n < Batch; n++)
        {
            foreach (var handler in _handlers)
            {
                await handler(_event, CancellationToken.None);
            }
        }
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "EventBus.Publish + drain (4 subscribers)")]
    public async Task PublishAndDrain()
    {
        for (var n = 0; n < Batch; n++)
        {
            _bus.Publish(_event);
        }

        await _bus.DrainAsync();
    }
}
