using System.Net;
using System.Net.ServerSentEvents;
using System.Text.Json;
using AgentHost.Server.Events;
using AgentHost.Sdk.Events;

namespace AgentHost.Server.Tests;

/// <summary>The SSE endpoints over real HTTP on 127.0.0.1: live delivery, filtering, resuming, gaps, slow readers, ends.</summary>
public sealed class EventStreamTests
{
    [Fact]
    public async Task Stream_DeliversEventsOfTwoBusesLive_InOneIdSequence_AndPerBusOrder()
    {
        await using var server = await EventServer.StartAsync(null, "s1", "s2");
        var busA = server.AttachBus();
        var busB = server.AttachBus();
        await using var stream = await server.OpenAsync("v1/events");

        var publishA = Task.Run(async () =>
        {
            for (var i = 0; i < 50; i++)
            {
                await busA.PublishAsync(new MessageDeltaEvent("s1", 1, $"a{i}"));
            }
        });
        var publishB = Task.Run(async () =>
        {
            for (var i = 0; i < 50; i++)
            {
                await busB.PublishAsync(new MessageDeltaEvent("s2", 1, $"b{i}"));
            }
        });
        await Task.WhenAll(publishA, publishB);
        var items = await stream.TakeAsync(100);

        Assert.Equal(Enumerable.Range(1, 100).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), items.Select(i => i.EventId));
        Assert.All(items, i => Assert.Equal("message.delta", i.EventType));
        var texts = items.Select(i => Data(i)).ToList();
        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"a{i}"), texts.Where(d => d.GetProperty("sessionId").GetString() == "s1").Select(d => d.GetProperty("text").GetString()));
        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"b{i}"), texts.Where(d => d.GetProperty("sessionId").GetString() == "s2").Select(d => d.GetProperty("text").GetString()));
        Assert.Equal(TimeSpan.FromMilliseconds(SseEventStream.RetryMilliseconds), stream.ReconnectionInterval);
    }

    [Fact]
    public async Task Stream_SetsEventStreamHeaders_AndUsesTheJsonOfAgentRun()
    {
        await using var server = await EventServer.StartAsync();
        await using var stream = await server.OpenAsync("v1/events");
        var warning = new WarningEvent("agent", "compaction failed");
        server.Log.Append(warning);

        var item = (await stream.NextAsync())!.Value;

        Assert.Equal("text/event-stream", stream.Response.Content.Headers.ContentType?.MediaType);
        Assert.True(stream.Response.Headers.CacheControl?.NoCache);
        Assert.Equal("no", Assert.Single(stream.Response.Headers.GetValues("X-Accel-Buffering")));
        Assert.Equal("warning", item.EventType);
        Assert.Equal(AgentHost.Agent.Service.AgentEventJson.Serialize(warning), item.Data);
    }

    [Fact]
    public async Task SessionStreams_CarryOnlyThatSession_AndEventsOfNoSessionOnlyTheAllSessionsStream()
    {
        await using var server = await EventServer.StartAsync(null, "s1", "s2");
        var bus = server.AttachBus();
        await bus.PublishAsync(new RunStartedEvent("s1", "scripted", "m", "hi"));
        await bus.PublishAsync(new RunStartedEvent("s2", "scripted", "m", "hello"));
        await bus.PublishAsync(new WarningEvent("agent", "something odd"));
        await bus.PublishAsync(new MessageDeltaEvent("s1", 1, "one"));
        await bus.PublishAsync(new MessageDeltaEvent("s2", 1, "two"));
        await bus.PublishAsync(new RunCompletedEvent("s1", RunOutcome.Completed, "one", 1));
        await bus.PublishAsync(new RunCompletedEvent("s2", RunOutcome.Completed, "two", 1));
        await bus.DrainAsync(server.Timeout);

        await using var s1 = await server.OpenAsync("v1/sessions/s1/events?after=0");
        await using var s2 = await server.OpenAsync("v1/events?session=s2&after=0");
        await using var all = await server.OpenAsync("v1/events?after=0");

        var ofS1 = await s1.TakeAsync(3);
        Assert.Equal(["run.started", "message.delta", "run.completed"], ofS1.Select(i => i.EventType));
        Assert.Equal(["1", "4", "6"], ofS1.Select(i => i.EventId));
        Assert.Equal(["2", "5", "7"], (await s2.TakeAsync(3)).Select(i => i.EventId));
        Assert.Equal(["run.started", "run.started", "warning", "message.delta", "message.delta", "run.completed", "run.completed"], (await all.TakeAsync(7)).Select(i => i.EventType));

        // Nothing else was waiting on the session streams: the next event each gets is the next of its session.
        server.Log.Append(new WarningEvent("server", "not for sessions"));
        server.Log.Append(new MessageDeltaEvent("s2", 2, "later"));
        server.Log.Append(new MessageDeltaEvent("s1", 2, "later"));
        Assert.Equal("10", (await s1.NextAsync())?.EventId);
        Assert.Equal("9", (await s2.NextAsync())?.EventId);
    }

    [Fact]
    public async Task Reconnect_WithLastEventId_GetsExactlyTheMissedEvents_ThenLiveOnes()
    {
        await using var server = await EventServer.StartAsync(null, "s1");
        var bus = server.AttachBus();
        string lastSeen;
        await using (var first = await server.OpenAsync("v1/sessions/s1/events"))
        {
            for (var i = 0; i < 5; i++)
            {
                await bus.PublishAsync(new MessageDeltaEvent("s1", 1, $"t{i}"));
            }

            await first.TakeAsync(3);
            lastSeen = first.LastEventId;
        }

        for (var i = 5; i < 10; i++)
        {
            await bus.PublishAsync(new MessageDeltaEvent("s1", 1, $"t{i}"));
        }

        await bus.DrainAsync(server.Timeout);
        await using var again = await server.OpenAsync("v1/sessions/s1/events?after=1", lastEventId: lastSeen);
        var missed = await again.TakeAsync(7);
        await bus.PublishAsync(new MessageDeltaEvent("s1", 1, "live"));
        var live = (await again.NextAsync())!.Value;

        Assert.Equal("3", lastSeen);
        Assert.Equal(Enumerable.Range(3, 7).Select(i => $"t{i}"), missed.Select(i => Data(i).GetProperty("text").GetString()));
        Assert.Equal(["4", "5", "6", "7", "8", "9", "10"], missed.Select(i => i.EventId));
        Assert.Equal("11", live.EventId);
        Assert.Equal("live", Data(live).GetProperty("text").GetString());
    }

    [Fact]
    public async Task AfterQuery_ReplaysTheEventsAfterThatId()
    {
        await using var server = await EventServer.StartAsync();
        for (var i = 1; i <= 6; i++)
        {
            server.Log.Append(new WarningEvent("test", $"w{i}"));
        }

        await using var stream = await server.OpenAsync("v1/events?after=4");
        var items = await stream.TakeAsync(2);

        Assert.Equal(["5", "6"], items.Select(i => i.EventId));
        Assert.Equal("w5", Data(items[0]).GetProperty("message").GetString());
    }

    [Fact]
    public async Task Resume_FromBeyondTheRetainedEvents_StartsWithAGapEventThatSaysWhatWasLostAndHowToRecover()
    {
        await using var server = await EventServer.StartAsync(new ServerEventLogOptions { Capacity = 10 }, "s1");
        for (var i = 1; i <= 25; i++)
        {
            server.Log.Append(new MessageDeltaEvent("s1", 1, $"t{i}"));
        }

        await using var stream = await server.OpenAsync("v1/sessions/s1/events", lastEventId: "3");
        var items = await stream.TakeAsync(11);

        var gap = items[0];
        Assert.Equal("events.gap", gap.EventType);
        Assert.Equal("15", gap.EventId);
        var data = Data(gap);
        Assert.Equal(4, data.GetProperty("firstMissedId").GetInt64());
        Assert.Equal(15, data.GetProperty("lastMissedId").GetInt64());
        Assert.Equal(12, data.GetProperty("missed").GetInt64());
        Assert.Equal("s1", data.GetProperty("sessionId").GetString());
        Assert.Contains("GET /v1/sessions/s1/messages", data.GetProperty("fix").GetString(), StringComparison.Ordinal);
        Assert.Equal(Enumerable.Range(16, 10).Select(i => $"t{i}"), items.Skip(1).Select(i => Data(i).GetProperty("text").GetString()));
    }

    [Theory]
    [InlineData("5", "from an earlier run of the server (this run's events start at 1000)")]
    [InlineData("9000", "was never sent by this server (its newest is 1001)")]
    public async Task Resume_FromAnIdThisServerRunNeverSent_SaysSo_AndReplaysEverythingKept(string lastEventId, string reason)
    {
        await using var server = await EventServer.StartAsync(new ServerEventLogOptions { FirstId = 1000 });
        server.Log.Append(new WarningEvent("test", "first"));
        server.Log.Append(new WarningEvent("test", "second"));

        await using var stream = await server.OpenAsync("v1/events", lastEventId);
        var items = await stream.TakeAsync(3);

        Assert.Equal(["events.gap", "warning", "warning"], items.Select(i => i.EventType));
        Assert.Equal(["999", "1000", "1001"], items.Select(i => i.EventId));
        Assert.Contains(reason, Data(items[0]).GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.False(Data(items[0]).TryGetProperty("missed", out _));
    }

    [Fact]
    public async Task SlowReader_LosesNothingWithinCapacity_AndThePublisherNeverWaitsForIt()
    {
        const int Count = 20_000;
        await using var server = await EventServer.StartAsync(new ServerEventLogOptions { Capacity = 50_000 }, "s1");
        var bus = server.AttachBus(capacity: 8);
        var text = new string('x', 1000);
        await using var stream = await server.OpenAsync("v1/events");

        // The reader reads nothing while about 20 MB of events are published: more than the socket buffers hold (when
        // this was written, the server had written about 3,500 of the 20,000 frames by the time the publisher was done).
        for (var i = 0; i < Count; i++)
        {
            await bus.PublishAsync(new MessageDeltaEvent("s1", 1, text + i.ToString(System.Globalization.CultureInfo.InvariantCulture)), server.Timeout);
        }

        await bus.DrainAsync(server.Timeout);
        Assert.Equal(Count, server.Log.LastId);

        var items = await stream.TakeAsync(Count);
        Assert.DoesNotContain(items, i => i.EventType == EventsGapEvent.TypeName);
        for (var i = 0; i < Count; i++)
        {
            Assert.Equal((i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), items[i].EventId);
            Assert.Equal(text + i.ToString(System.Globalization.CultureInfo.InvariantCulture), Data(items[i]).GetProperty("text").GetString());
        }
    }

    [Fact]
    public async Task IdleStream_SendsHeartbeatComments()
    {
        await using var server = await EventServer.StartAsync(new ServerEventLogOptions { Heartbeat = TimeSpan.FromMilliseconds(20) });
        using var response = await server.Client.GetAsync("v1/events", HttpCompletionOption.ResponseHeadersRead, server.Timeout);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(server.Timeout));

        var lines = new List<string>();
        while (lines.Count(l => l == ": ping") < 2)
        {
            lines.Add(await reader.ReadLineAsync(server.Timeout) ?? throw new InvalidOperationException("the stream ended"));
        }

        Assert.Equal("retry: 2000", lines[0]);
        Assert.DoesNotContain(lines, l => l.StartsWith("data:", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("v1/sessions/nope/events")]
    [InlineData("v1/events?session=nope")]
    public async Task UnknownSession_Is404_WithTheOneBodyOfEveryRoute(string path)
    {
        await using var server = await EventServer.StartAsync(null, "s1");

        using var response = await server.Client.GetAsync(path, server.Timeout);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(server.Timeout));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.StartsWith("session 'nope' was not found;", body.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Contains("GET /v1/sessions", body.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal("not_found", body.RootElement.GetProperty("kind").GetString());
    }

    [Fact]
    public async Task MalformedLastEventId_Is400_WithAnErrorAndAFix()
    {
        await using var server = await EventServer.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "v1/events");
        request.Headers.Add("Last-Event-ID", "abc");

        using var response = await server.Client.SendAsync(request, server.Timeout);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(server.Timeout));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith("Last-Event-ID 'abc' is not an event id;", body.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Contains("send the id", body.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal("usage", body.RootElement.GetProperty("kind").GetString());
    }

    [Fact]
    public async Task RequestWithoutTheToken_Is401()
    {
        await using var server = await EventServer.StartAsync();
        using var client = new HttpClient { BaseAddress = server.Client.BaseAddress };

        using var response = await client.GetAsync("v1/events", server.Timeout);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Complete_EndsOpenStreams_AfterWhatWasLogged()
    {
        await using var server = await EventServer.StartAsync(null, "s1");
        await using var all = await server.OpenAsync("v1/events");
        await using var one = await server.OpenAsync("v1/sessions/s1/events");
        server.Log.Append(new MessageDeltaEvent("s1", 1, "last"));

        server.Log.Complete();

        Assert.Equal("1", (await all.NextAsync())?.EventId);
        Assert.Null(await all.NextAsync());
        Assert.Equal("1", (await one.NextAsync())?.EventId);
        Assert.Null(await one.NextAsync());
    }

    [Fact]
    public async Task ServerStop_EndsOpenStreamsCleanly()
    {
        await using var server = await EventServer.StartAsync();
        await using var stream = await server.OpenAsync("v1/events");
        server.Log.Append(new WarningEvent("test", "before"));
        Assert.Equal("1", (await stream.NextAsync())?.EventId);

        await server.StopAsync();

        Assert.Null(await stream.NextAsync());
    }

    private static JsonElement Data(SseItem<string> item) => JsonDocument.Parse(item.Data).RootElement;
}
