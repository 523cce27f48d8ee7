using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Text.Json;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Server;
using AgentHost.Tests.Support;

namespace AgentHost.Serve.Tests;

/// <summary>
/// <c>agent serve</c> under load, over real HTTP on 127.0.0.1: 20 sessions whose runs each make 5 parallel
/// <c>fetch</c> calls of a local page server that holds them, so 100 tool calls are in flight at once (the page
/// server counts them); then every run completes, every history is whole, nothing answers 5xx, and a second prompt
/// to a running session is refused with 409. Once with the scripted model, once with the openai provider against a
/// local OpenAI-compatible server with latency (20 model calls in flight at once as well).
/// </summary>
public sealed class ServerConcurrencyTests
{
    private const int Sessions = 20;
    private const int Calls = LatencyOpenAIServer.CallsPerStep;
    private static readonly TimeSpan Generous = TimeSpan.FromMinutes(4);

    /// <summary>What every test here configures: fetch allowed without asking, the page server's loopback address allowed, long waits.</summary>
    internal static string WebConfig => """
        permissions:
          allow:
            - fetch
        plugins:
          settings:
            web:
              allow_private_addresses: true
              timeout_ms: 600000
              read_timeout_ms: 600000
        """ + "\n";

    [Fact]
    [Trait("Speed", "Slow")]
    public async Task TwentySessions_ScriptedModel_AHundredToolCallsInFlight_AllComplete_WithWholeHistories()
    {
        using var ws = new RunWorkspace();
        await using var pages = new GatedPageServer(TimeSpan.FromMilliseconds(20));
        ws.WriteUserConfig(WebConfig);
        var scripts = Enumerable.Range(0, Sessions).Select(i => ws.WriteScript(Script(pages, Name(i)))).ToList();
        await using var server = await AgentServer.StartAsync(ws.Root, ws.Environment, "--plugin", "scripted", "--plugin", "web", "--no-default-plugins", "--model", "scripted/" + scripts[0]);

        // Created concurrently too; each session replays its own script (its page names carry the session's name).
        var ids = await Task.WhenAll(scripts.Select(async script => (await server.CreateSessionAsync(new { model = "scripted/" + script })).GetProperty("id").GetString()!));

        await RunAllAsync(server, pages, ids, i => $"fetch the five pages of session {Name(i)}");

        // The sessions stay usable: a second prompt each, all at once, answered from the script's next turn.
        var again = await Task.WhenAll(ids.Select(id => server.SendAndWaitAsync(id, new { prompt = "and again" })));
        Assert.All(again.Select((run, i) => (run, i)), r => Assert.Equal(("completed", "again " + Name(r.i)), (r.run.GetProperty("status").GetString(), r.run.GetProperty("finalText").GetString())));
    }

    [Fact]
    [Trait("Speed", "Slow")]
    public async Task TwentySessions_OpenAIProviderWithLatency_TwentyModelCallsAndAHundredToolCallsInFlight_AllComplete()
    {
        using var ws = new RunWorkspace();
        await using var pages = new GatedPageServer(TimeSpan.FromMilliseconds(20));
        await using var model = new LatencyOpenAIServer(pages, modelGate: Sessions, latency: TimeSpan.FromMilliseconds(50));
        ws.WriteUserConfig(WebConfig + $"""
            providers:
              local:
                type: openai
                base_url: {model.BaseUrl}
                models:
                  - {"{"} id: fake-model, context_window: 128000, features: [tools] {"}"}
            """ + "\n");
        await using var server = await AgentServer.StartAsync(ws.Root, ws.Environment, "--plugin", "openai", "--plugin", "web", "--no-default-plugins", "--model", "local/fake-model");
        var ids = await Task.WhenAll(Enumerable.Range(0, Sessions).Select(async _ => (await server.CreateSessionAsync()).GetProperty("id").GetString()!));

        await RunAllAsync(server, pages, ids, i => $"fetch the five pages of session {Name(i)}");

        // Every session's first step was held until all 20 were in flight: 20 model calls at once.
        Assert.True(model.Peak >= Sessions, $"the model server saw at most {model.Peak} chat requests at once");
    }

    [Fact]
    [Trait("Speed", "Slow")]
    public async Task PromptsBackToBack_AfterWaitTrueAnswers_AreNeverRefused()
    {
        // wait=true answers once the run has ended, so the session takes the next prompt at once: no 409 in between.
        const int Prompts = 40;
        using var ws = new RunWorkspace();
        var script = ws.WriteScript("turns:\n" + string.Concat(Enumerable.Range(0, Prompts).Select(i => $"  - text: answer {i}\n")));
        await using var server = await AgentServer.StartAsync(ws.Root, ws.Environment, "--plugin", "scripted", "--no-default-plugins", "--model", "scripted/" + script);
        var ids = await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ => (await server.CreateSessionAsync()).GetProperty("id").GetString()!));

        await Task.WhenAll(ids.Select(async id =>
        {
            for (var i = 0; i < Prompts; i++)
            {
                var run = await server.SendAndWaitAsync(id, new { prompt = "next" });
                Assert.Equal("answer " + i.ToString(CultureInfo.InvariantCulture), run.GetProperty("finalText").GetString());
            }
        }));
    }

    [Fact]
    [Trait("Speed", "Slow")]
    public async Task ASlowEventReader_DoesNotSlowRuns_AndLaterReceivesEveryEventInOrder()
    {
        // 8 runs (one per session, one after another) of a 160 KB answer in 5,000 deltas: about 8 MB of events, twice
        // what the socket buffers on both ends hold (the reader's receive buffer is 4 KB; Linux's send buffer grows to
        // 4 MB by default), so the server's writer is held back by the reader for at least half of it.
        const int Runs = 8;
        const int Words = 10_000;
        using var ws = new RunWorkspace();
        var word = new string('x', 15);
        var answer = string.Join(' ', Enumerable.Repeat(word, Words));
        var script = ws.WriteScript($"turns:\n  - text: {answer}\n");
        await using var server = await AgentServer.StartAsync(ws.Root, ws.Environment, "--plugin", "scripted", "--no-default-plugins", "--model", "scripted/" + script);
        var ids = await Task.WhenAll(Enumerable.Range(0, Runs).Select(async _ => (await server.CreateSessionAsync()).GetProperty("id").GetString()!));
        using var slow = SlowClient(server);
        // The reading phase's own limit, started when it starts: the runs before it have theirs (each wait=true send),
        // and on a busy machine they can take most of a limit that counted them too.
        using var timeout = new CancellationTokenSource();
        await using var stream = await SseReader.OpenAsync(slow, "v1/events", null, timeout.Token);

        // The reader reads nothing while the runs go on: each still ends (wait=true answers) — the session never waits for it.
        foreach (var id in ids)
        {
            var run = await server.SendAndWaitAsync(id, new { prompt = "the long answer" });
            Assert.True(run.GetProperty("status").GetString() == "completed", run.ToString());
        }

        // Then it reads: every event, ids one after another (this stream gets every event of the server), no gap.
        timeout.CancelAfter(Generous);
        var frames = new List<SseItem<string>>();
        while (frames.Count(f => f.EventType == "run.ended") < Runs)
        {
            frames.Add(await stream.NextAsync() ?? throw new InvalidOperationException($"the stream ended after {frames.Count} events"));
        }

        Assert.DoesNotContain(frames, f => f.EventType == "events.gap");
        var eventIds = frames.Select(f => long.Parse(f.EventId!, CultureInfo.InvariantCulture)).ToList();
        for (var i = 1; i < eventIds.Count; i++)
        {
            Assert.True(eventIds[i] == eventIds[i - 1] + 1, $"event {i}: id {eventIds[i]} after {eventIds[i - 1]} ({frames[i - 1].EventType} then {frames[i].EventType})");
        }

        var runs = frames.Select(f => (f.EventType, Data: JsonDocument.Parse(f.Data).RootElement.Clone())).Where(f => f.Data.TryGetProperty("sessionId", out var s) && ids.Contains(s.GetString())).ToList();
        var starts = runs.Select((f, i) => (f, i)).Where(x => x.f.EventType == "run.accepted").Select(x => x.i).ToList();
        Assert.Equal(Runs, starts.Count);
        foreach (var start in starts)
        {
            var end = runs.FindIndex(start, f => f.EventType == "run.ended");
            var text = string.Concat(runs.Skip(start).Take(end - start).Where(f => f.EventType == "message.delta").Select(f => f.Data.GetProperty("text").GetString()));
            Assert.True(text == answer, $"run at event {start}: {text.Length} characters of the answer's {answer.Length} arrived");
        }

        Assert.True(frames.Sum(f => f.Data.Length) > 6_000_000, $"{frames.Sum(f => f.Data.Length)} bytes of events");
    }

    /// <summary>A client of the server whose sockets have a 4 KB receive buffer, so that a reader that does not read holds the server's writes back soon.</summary>
    private static HttpClient SlowClient(AgentServer server)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, ct) =>
            {
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { ReceiveBufferSize = 4096, NoDelay = true };
                try
                {
                    await socket.ConnectAsync(context.DnsEndPoint, ct);
                    return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        var client = new HttpClient(handler) { BaseAddress = server.Url, Timeout = Timeout.InfiniteTimeSpan };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", server.Token);
        return client;
    }

    /// <summary>
    /// Sends one prompt to every session at once (wait=true), waits until the page server holds all their fetches,
    /// checks the 409 of a second prompt, opens the gate, and checks every run and history.
    /// </summary>
    private static async Task RunAllAsync(AgentServer server, GatedPageServer pages, string[] ids, Func<int, string> prompt)
    {
        var runs = ids.Select((id, i) => server.Http.PostAsJsonAsync($"v1/sessions/{id}/messages?wait=true", new { prompt = prompt(i) })).ToList();
        var all = Sessions * Calls;
        var reached = pages.InFlightAtLeast(all);
        var first = await Task.WhenAny(reached, Task.WhenAny(runs), Task.Delay(Generous));
        if (first != reached)
        {
            var early = runs.FirstOrDefault(r => r.IsCompleted);
            var ended = early is null ? "(none)" : early.IsCompletedSuccessfully ? await (await early).Content.ReadAsStringAsync() : early.Exception!.Message;
            Assert.Fail($"{pages.InFlight} of {all} fetches in flight (peak {pages.Peak}); a run that ended early: {ended}");
        }

        Assert.True(pages.Peak >= all, $"peak {pages.Peak}");

        // One run per session at a time: a second prompt is refused with 409 while the first is in flight (nothing is queued).
        foreach (var id in ids)
        {
            using var busy = await server.Http.PostAsJsonAsync($"v1/sessions/{id}/messages", new { prompt = "too soon" });
            var error = await AgentServer.ReadAsync(busy, HttpStatusCode.Conflict);
            Assert.Equal("in_use", error.GetProperty("kind").GetString());
            var session = await server.GetAsync($"v1/sessions/{id}");
            Assert.False(session.GetProperty("runningRunId").ValueKind == JsonValueKind.Null, session.ToString());
        }

        var health = await server.GetAsync("v1/health");
        Assert.Equal(Sessions, health.GetProperty("runningRuns").GetInt32());

        pages.Open();
        var responses = await Task.WhenAll(runs).WaitAsync(Generous);
        for (var i = 0; i < ids.Length; i++)
        {
            using var response = responses[i];
            var run = await AgentServer.ReadAsync(response, HttpStatusCode.OK);
            Assert.Equal("completed", run.GetProperty("status").GetString());
            Assert.Equal("done " + Name(i), run.GetProperty("finalText").GetString());
            await AssertWholeHistoryAsync(server, ids[i], Name(i));
        }

        Assert.Equal(all, pages.Requests.Count(r => r.Path.StartsWith("/held/", StringComparison.Ordinal)));
        Assert.Equal(0, (await server.GetAsync("v1/health")).GetProperty("runningRuns").GetInt32());
    }

    /// <summary>The stored history of one run: the prompt, the step with five calls, five results (each its own page), the answer; five succeeded tool events.</summary>
    private static async Task AssertWholeHistoryAsync(AgentServer server, string id, string name)
    {
        var history = await server.GetAsync($"v1/sessions/{id}/messages?limit=200");
        var messages = history.GetProperty("messages").EnumerateArray().ToList();
        Assert.Equal(["user", "assistant", .. Enumerable.Repeat("tool", Calls), "assistant"], messages.Select(m => m.GetProperty("role").GetString()));
        var calls = messages[1].GetProperty("contents").EnumerateArray().Where(c => c.TryGetProperty("callId", out _)).Select(c => c.GetProperty("callId").GetString()).ToList();
        var results = messages.Where(m => m.GetProperty("role").GetString() == "tool").SelectMany(m => m.GetProperty("contents").EnumerateArray()).ToList();
        Assert.Equal(Calls, calls.Count);
        Assert.Equal(calls.Order(StringComparer.Ordinal), results.Select(r => r.GetProperty("callId").GetString()).Order(StringComparer.Ordinal));
        var text = string.Join('\n', results.Select(r => r.GetProperty("result").ToString()));
        for (var c = 0; c < Calls; c++)
        {
            Assert.Contains($"page /held/{name}/c{c}", text, StringComparison.Ordinal);
        }

        Assert.DoesNotMatch(@"/held/(?!" + name + "/)", text); // no other session's page
        var tools = (await server.GetAsync($"v1/sessions/{id}/messages?kind=tools&limit=200")).GetProperty("toolEvents").EnumerateArray().ToList();
        Assert.Equal(Enumerable.Repeat("succeeded", Calls), tools.Select(t => t.GetProperty("status").GetString()));
        var session = await server.GetAsync($"v1/sessions/{id}");
        Assert.Equal("completed", session.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, session.GetProperty("runningRunId").ValueKind);
    }

    private static string Name(int i) => "s" + i.ToString("00", CultureInfo.InvariantCulture);

    /// <summary>One session's script: five parallel fetches of its held pages, the answer, then a second answer.</summary>
    private static string Script(GatedPageServer pages, string name) =>
        "turns:\n  - tool_calls:\n" +
        string.Concat(Enumerable.Range(0, Calls).Select(c => $"      - {{ name: fetch, arguments: {{ url: \"{pages.Held($"{name}/c{c}")}\" }} }}\n")) +
        $"  - text: done {name}\n  - text: again {name}\n";
}
