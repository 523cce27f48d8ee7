using System.Net;
using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Text.Json;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Server;
using AgentHost.Tests.Support;

namespace AgentHost.Serve.Tests;

/// <summary>agent serve's live events over real HTTP: a run streamed whole, a reconnect that resumes, a permission request seen and answered by a second client.</summary>
[Trait("Speed", "Slow")]
public sealed class ServerEventsApiTests : IDisposable
{
    private readonly RunWorkspace _ws = new();

    public void Dispose() => _ws.Dispose();

    [Fact]
    public async Task ARun_IsStreamedWhole_FromAcceptedToEnded_InIdOrder()
    {
        await using var server = await StartAsync("""
            turns:
              - tool_calls: [{ name: view, arguments: { path: README.md } }]
              - text: Read the readme.
            """);
        var id = (await server.CreateSessionAsync()).GetProperty("id").GetString()!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var stream = await SseReader.OpenAsync(server.Http, $"v1/sessions/{id}/events", null, timeout.Token);

        using var accepted = await server.Http.PostAsJsonAsync($"v1/sessions/{id}/messages", new { prompt = "read it" });
        var runId = (await AgentServer.ReadAsync(accepted, HttpStatusCode.Accepted)).GetProperty("id").GetString()!;
        var events = await UntilAsync(stream, "run.ended");

        var types = events.Select(e => e.EventType).ToList();
        Assert.Equal("run.accepted", types[0]);
        Assert.Equal("run.ended", types[^1]);
        Assert.True(types.IndexOf("run.started") < types.IndexOf("tool.started"), string.Join(", ", types));
        Assert.True(types.IndexOf("tool.completed") < types.IndexOf("run.completed"), string.Join(", ", types));
        Assert.Contains("message.delta", types);
        var ids = events.Select(e => long.Parse(e.EventId!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(ids.Order(), ids);
        var ended = JsonDocument.Parse(events[^1].Data).RootElement;
        Assert.Equal(runId, ended.GetProperty("runId").GetString());
        Assert.Equal("completed", ended.GetProperty("status").GetString());
        Assert.All(events, e => Assert.Equal(id, JsonDocument.Parse(e.Data).RootElement.GetProperty("sessionId").GetString()));
    }

    [Fact]
    public async Task AReconnectWithLastEventId_GetsExactlyTheRest_AndEventsAfterStreamsARunOpenedLate()
    {
        await using var server = await StartAsync("turns:\n  - text: One.\n  - text: Two.\n");
        var id = (await server.CreateSessionAsync()).GetProperty("id").GetString()!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        List<SseItem<string>> all;
        await using (var whole = await SseReader.OpenAsync(server.Http, $"v1/sessions/{id}/events", null, timeout.Token))
        {
            await server.SendAndWaitAsync(id, new { prompt = "first" });
            all = await UntilAsync(whole, "run.ended");
        }

        // The connection dropped after the third event: resuming after its id gives exactly the rest.
        await using (var resumed = await SseReader.OpenAsync(server.Http, $"v1/sessions/{id}/events", all[2].EventId, timeout.Token))
        {
            var rest = await UntilAsync(resumed, "run.ended");
            Assert.Equal(all.Skip(3).Select(e => e.EventId), rest.Select(e => e.EventId));
        }

        // A client that opens the stream after sending uses the run's eventsAfter and still sees the run whole.
        var run = await server.SendAndWaitAsync(id, new { prompt = "second" });
        await using var late = await SseReader.OpenAsync(server.Http, $"v1/sessions/{id}/events?after={run.GetProperty("eventsAfter").GetInt64()}", null, timeout.Token);
        var second = await UntilAsync(late, "run.ended");
        Assert.Equal("run.accepted", second[0].EventType);
        Assert.Equal(run.GetProperty("id").GetString(), JsonDocument.Parse(second[0].Data).RootElement.GetProperty("runId").GetString());
    }

    [Fact]
    public async Task APermissionRequest_ReachesEveryClientsStream_AndOneAnswerDecidesIt()
    {
        await using var server = await StartAsync("""
            turns:
              - tool_calls: [{ name: write, arguments: { path: notes.txt, content: "hello" } }]
              - text: Written.
            """);
        var id = (await server.CreateSessionAsync(new { interactive = true })).GetProperty("id").GetString()!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        using var reviewer = server.Client(server.Token);
        await using var reviewerStream = await SseReader.OpenAsync(reviewer, "v1/events", null, timeout.Token);

        using var accepted = await server.Http.PostAsJsonAsync($"v1/sessions/{id}/messages", new { prompt = "write notes" });
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var request = JsonDocument.Parse((await UntilAsync(reviewerStream, "permission.requested"))[^1].Data).RootElement;
        Assert.Equal("write", request.GetProperty("tool").GetString());
        using var answer = await reviewer.PostAsJsonAsync($"v1/sessions/{id}/permissions/{request.GetProperty("requestId").GetString()}", new { answer = "session" });
        Assert.Equal(HttpStatusCode.NoContent, answer.StatusCode);

        var rest = await UntilAsync(reviewerStream, "run.ended");
        var decided = JsonDocument.Parse(rest.Single(e => e.EventType == "permission.decided").Data).RootElement;
        Assert.Equal("http", decided.GetProperty("answeredBy").GetString());
        Assert.Equal("completed", JsonDocument.Parse(rest[^1].Data).RootElement.GetProperty("status").GetString());
        Assert.Equal("hello", await File.ReadAllTextAsync(Path.Combine(_ws.Root, "notes.txt")));
    }

    private async Task<AgentServer> StartAsync(string script) =>
        await AgentServer.StartAsync(_ws.Root, _ws.Environment, "--plugin", "scripted", "--plugin", "files", "--no-default-plugins", "--model", "scripted/" + _ws.WriteScript(script));

    /// <summary>Reads events up to and including the first of <paramref name="type"/>.</summary>
    private static async Task<List<SseItem<string>>> UntilAsync(SseReader reader, string type)
    {
        var events = new List<SseItem<string>>();
        while (await reader.NextAsync() is { } item)
        {
            events.Add(item);
            if (item.EventType == type)
            {
                return events;
            }
        }

        throw new InvalidOperationException($"the stream ended before {type}: {string.Join(", ", events.Select(e => e.EventType))}");
    }
}
