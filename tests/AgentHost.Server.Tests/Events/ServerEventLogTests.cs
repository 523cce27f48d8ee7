using System.Text.Json;
using AgentHost.Server.Events;
using AgentHost.Hosting.Events;
using AgentHost.Sdk.Events;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentHost.Server.Tests;

/// <summary>The server's event log in process: one id sequence, bounded memory, gaps told, filtering, ends.</summary>
public sealed class ServerEventLogTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task Appends_FromManyThreads_GetOneGaplessIdSequence_AndReadersSeeEachOnce()
    {
        using var log = new ServerEventLog(new ServerEventLogOptions { FirstId = 1 });
        using var cancel = new CancellationTokenSource(Timeout);

        await Task.WhenAll(Enumerable.Range(0, 4).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < 1000; i++)
            {
                log.Append(new MessageDeltaEvent($"s{t}", 1, $"{i}"));
            }
        })));
        log.Complete();
        var read = new List<LoggedEvent>();
        await foreach (var logged in log.ReadAsync(0, null, cancel.Token))
        {
            read.Add(logged);
        }

        Assert.Equal(4000, log.LastId);
        Assert.Equal(Enumerable.Range(1, 4000).Select(i => (long)i), read.Select(e => e.Id));
        for (var t = 0; t < 4; t++)
        {
            Assert.Equal(Enumerable.Range(0, 1000).Select(i => $"{i}"), read.Where(e => e.SessionId == $"s{t}").Select(e => Text(e)));
        }
    }

    [Fact]
    public void IdsByDefault_StartFromTheClock_SoAnEarlierRunsIdsAreRecognised()
    {
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000;
        using var log = new ServerEventLog(new ServerEventLogOptions());

        var first = log.Append(new WarningEvent("test", "first"));

        Assert.InRange(first.Id, before + 1, (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000) + 1);
        Assert.True(first.Id < (1L << 53), "ids must stay exact as JavaScript numbers");
    }

    [Fact]
    public async Task ReaderThatFallsMoreThanTheCapacityBehind_IsToldOfTheGap_ThenGoesOnWithWhatIsKept()
    {
        using var log = new ServerEventLog(new ServerEventLogOptions { FirstId = 1, Capacity = 4 });
        using var cancel = new CancellationTokenSource(Timeout);
        log.Append(new MessageDeltaEvent("s1", 1, "1"));
        log.Append(new MessageDeltaEvent("s1", 1, "2"));
        await using var reader = log.ReadAsync(0, "s1", cancel.Token).GetAsyncEnumerator(cancel.Token);
        Assert.True(await reader.MoveNextAsync());
        Assert.Equal(1, reader.Current.Id);

        for (var i = 3; i <= 12; i++)
        {
            log.Append(new MessageDeltaEvent("s1", 1, $"{i}"));
        }

        var rest = new List<LoggedEvent>();
        for (var i = 0; i < 6; i++)
        {
            Assert.True(await reader.MoveNextAsync());
            rest.Add(reader.Current);
        }

        // The reader had taken a batch (1 and 2) before falling behind; 3 to 8 were dropped; 9 to 12 are kept.
        Assert.Equal([2L, 8, 9, 10, 11, 12], rest.Select(e => e.Id));
        var gap = rest[1];
        Assert.Equal(EventsGapEvent.TypeName, gap.Type);
        using var json = JsonDocument.Parse(gap.Json);
        Assert.Equal(3, json.RootElement.GetProperty("firstMissedId").GetInt64());
        Assert.Equal(8, json.RootElement.GetProperty("lastMissedId").GetInt64());
        Assert.Equal(6, json.RootElement.GetProperty("missed").GetInt64());
        Assert.Contains("last 4 events", json.RootElement.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StalledReader_LosesNothingWithinCapacity_WhileTheBusPublishesOn()
    {
        using var log = new ServerEventLog(new ServerEventLogOptions { FirstId = 1, Capacity = 10_000 });
        using var cancel = new CancellationTokenSource(Timeout);
        var bus = new EventBus(NullLogger<EventBus>.Instance, capacity: 2);
        await using var disposeBus = bus;
        using var attached = log.Attach(bus);
        await using var reader = log.ReadAsync(0, "s1", cancel.Token).GetAsyncEnumerator(cancel.Token);
        var first = reader.MoveNextAsync().AsTask();

        // The reader does not move while the whole capacity is published through a bus whose queue holds 2.
        for (var i = 1; i <= 10_000; i++)
        {
            await bus.PublishAsync(new MessageDeltaEvent("s1", 1, $"{i}"), cancel.Token);
        }

        await bus.DrainAsync(cancel.Token);
        var ids = new List<long>();
        Assert.True(await first);
        ids.Add(reader.Current.Id);
        while (ids.Count < 10_000)
        {
            Assert.True(await reader.MoveNextAsync());
            ids.Add(reader.Current.Id);
        }

        Assert.Equal(10_000, log.LastId);
        Assert.Equal(Enumerable.Range(1, 10_000).Select(i => (long)i), ids);
    }

    [Fact]
    public async Task LargeEvents_KeepFewerThanTheCapacity_WithinTheByteBudget_ButAlwaysTheNewest()
    {
        var message = new string('m', 1000);
        var size = AgentHost.Agent.Service.AgentEventJson.Serialize(new WarningEvent("test", message)).Length;
        using var twoFit = new ServerEventLog(new ServerEventLogOptions { FirstId = 1, Capacity = 100, MaxBytes = 5000 });
        using var noneFits = new ServerEventLog(new ServerEventLogOptions { FirstId = 1, Capacity = 100, MaxBytes = 1 });
        using var cancel = new CancellationTokenSource(Timeout);

        for (var i = 0; i < 10; i++)
        {
            twoFit.Append(new WarningEvent("test", message));
            noneFits.Append(new WarningEvent("test", message));
        }

        twoFit.Complete();
        noneFits.Complete();
        var kept = await ReadAllAsync(twoFit.ReadAsync(0, null, cancel.Token));
        var newest = await ReadAllAsync(noneFits.ReadAsync(0, null, cancel.Token));

        Assert.InRange(size, 1000, 1250); // each event's JSON is about 2.1 KB in memory, so two fit in 5000 bytes
        Assert.Equal([8L, 9, 10], kept.Select(e => e.Id));
        Assert.Equal(EventsGapEvent.TypeName, kept[0].Type);
        Assert.Contains("at most 5000 bytes", kept[0].Json, StringComparison.Ordinal);
        Assert.Equal([9L, 10], newest.Select(e => e.Id));
    }

    [Fact]
    public async Task Warning_HasNoSession_AndReachesOnlyReadersOfAllSessions()
    {
        using var log = new ServerEventLog(new ServerEventLogOptions { FirstId = 1 });
        using var cancel = new CancellationTokenSource(Timeout);

        var warning = log.Append(new WarningEvent("agent", "careful"));
        log.Append(new RunStartedEvent("s1", "scripted", "m", "hi"));
        log.Complete();

        Assert.Null(warning.SessionId);
        Assert.Equal(["warning", "run.started"], await TypesAsync(log.ReadAsync(0, null, cancel.Token)));
        Assert.Equal(["run.started"], await TypesAsync(log.ReadAsync(0, "s1", cancel.Token)));
    }

    [Fact]
    public async Task WaitingReader_IsWokenByAnAppend_AndEndsWithCancellation()
    {
        using var log = new ServerEventLog(new ServerEventLogOptions { FirstId = 1 });
        using var cancel = new CancellationTokenSource(Timeout);
        await using var reader = log.ReadAsync(0, null, cancel.Token).GetAsyncEnumerator(cancel.Token);

        var next = reader.MoveNextAsync().AsTask();
        Assert.False(next.IsCompleted);
        log.Append(new WarningEvent("test", "wake"));
        Assert.True(await next);
        Assert.Equal(1, reader.Current.Id);

        var waiting = reader.MoveNextAsync().AsTask();
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
    }

    private static string? Text(LoggedEvent logged)
    {
        using var json = JsonDocument.Parse(logged.Json);
        return json.RootElement.GetProperty("text").GetString();
    }

    private static async Task<List<LoggedEvent>> ReadAllAsync(IAsyncEnumerable<LoggedEvent> events)
    {
        var read = new List<LoggedEvent>();
        await foreach (var logged in events)
        {
            read.Add(logged);
        }

        return read;
    }

    private static async Task<List<string>> TypesAsync(IAsyncEnumerable<LoggedEvent> events)
    {
        var types = new List<string>();
        await foreach (var logged in events)
        {
            types.Add(logged.Type);
        }

        return types;
    }
}
