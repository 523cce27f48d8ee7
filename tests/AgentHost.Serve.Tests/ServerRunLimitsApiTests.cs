using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Server;
using AgentHost.Tests.Support;

namespace AgentHost.Serve.Tests;

/// <summary>
/// One counter per user for every kind of run (docs/server.md "Limits"; issue #73 §5), over real HTTP with members'
/// tokens and the scripted model: sends, forks and workflow runs (with their agent nodes) count against
/// <c>concurrent_runs</c>, and runs in flight reserve their estimate against the daily token and cost budgets.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class ServerRunLimitsApiTests : IDisposable
{
    /// <summary>A run that stays in flight until answered (its wait node), then runs an agent node.</summary>
    private const string Gate = """
        name: gate
        nodes:
          - id: ask
            kind: wait
            question: "Go on?"
            options: [go, stop]
          - id: answer
            kind: agent
            prompt: "Say hi"
        output: "{{ nodes.answer.text }}"
        """;

    private readonly RunWorkspace _ws = new();

    public ServerRunLimitsApiTests() => File.WriteAllText(Path.Combine(_ws.Root, "gate.yaml"), Gate);

    public void Dispose() => _ws.Dispose();

    [Fact]
    public async Task ConcurrentRuns_ASendInFlight_RefusesAWorkflowRunAndAFork_AndAWorkflowRunInFlightRefusesASend()
    {
        _ws.WriteUserConfig("server:\n  limits:\n    concurrent_runs: 1\n");
        var token = await AgentServer.AddUserAsync(_ws, "alice", "member");
        var trusted = await _ws.RunAsync("trust");
        Assert.True(trusted.ExitCode == ExitCodes.Success, trusted.Error + trusted.Output);
        await using var server = await AgentServer.StartAsync(
            _ws.Root, _ws.Environment, "--plugin", "scripted", "--plugin", "files", "--no-default-plugins", "--model", Script("turns:\n  - text: Hi.\n"));
        using var alice = server.Client(token);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await using var events = await SseReader.OpenAsync(alice, "v1/events", null, timeout.Token);
        var waiting = await ServerLimitsApiTests.CreateAsync(alice, new { interactive = true, permissionMode = "ask", model = Script("""
            turns:
              - tool_calls: [{ name: write, arguments: { path: notes.txt, content: "hello" } }]
              - text: Written.
            """) });
        var other = await ServerLimitsApiTests.CreateAsync(alice, new { model = Script("turns:\n  - text: Other.\n  - text: Again.\n") });

        // A send in flight (waiting on its permission request) holds alice's one slot.
        using var first = await alice.PostAsJsonAsync($"v1/sessions/{waiting}/messages", new { prompt = "write notes" });
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        var asked = JsonDocument.Parse((await AgentServer.UntilAsync(events, "permission.requested"))[^1].Data).RootElement;

        using var workflowRefused = await alice.PostAsJsonAsync("v1/workflows/runs", new { workflow = "gate.yaml" });
        var body = await AgentServer.ReadAsync(workflowRefused, HttpStatusCode.TooManyRequests);
        Assert.Equal("rate_limited", body.GetProperty("kind").GetString());
        Assert.Contains("user 'alice' has 1 runs in flight, the most at once (server.limits.concurrent_runs)", body.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.NotNull(workflowRefused.Headers.RetryAfter?.Delta);
        Assert.Empty(await WorkflowRunIdsAsync(alice));
        using var forkRefused = await alice.PostAsJsonAsync($"v1/sessions/{other}/fork", new { });
        Assert.Contains("server.limits.concurrent_runs", (await AgentServer.ReadAsync(forkRefused, HttpStatusCode.TooManyRequests)).GetProperty("error").GetString(), StringComparison.Ordinal);

        using var answered = await alice.PostAsJsonAsync($"v1/sessions/{waiting}/permissions/{asked.GetProperty("requestId").GetString()}", new { answer = "once" });
        Assert.Equal(HttpStatusCode.NoContent, answered.StatusCode);
        await AgentServer.UntilAsync(events, "run.ended", waiting);

        // The slot is free again: the workflow run starts, and while it is in flight (its wait node) it holds the slot.
        using var started = await alice.PostAsJsonAsync("v1/workflows/runs", new { workflow = "gate.yaml" });
        var runId = (await AgentServer.ReadAsync(started, HttpStatusCode.Accepted)).GetProperty("id").GetString()!;
        await ServerWorkflowsApiTests.UntilAsync(alice, runId, r => r.GetProperty("status").GetString() == "waiting");
        using var sendRefused = await alice.PostAsJsonAsync($"v1/sessions/{other}/messages", new { prompt = "meanwhile" });
        Assert.Contains("server.limits.concurrent_runs", (await AgentServer.ReadAsync(sendRefused, HttpStatusCode.TooManyRequests)).GetProperty("error").GetString(), StringComparison.Ordinal);

        // Its agent node runs in the run's own slot; once the run has ended, alice sends again.
        using var go = await alice.PostAsJsonAsync($"v1/workflows/runs/{runId}/answer", new { answer = "go" });
        Assert.Equal(HttpStatusCode.Accepted, go.StatusCode);
        var done = await ServerWorkflowsApiTests.UntilAsync(alice, runId, r => r.GetProperty("status").GetString() is not ("running" or "waiting"));
        Assert.True(done.GetProperty("status").GetString() == "completed", done.ToString());
        Assert.Equal("Hi.", done.GetProperty("output").GetString());
        using var after = await alice.PostAsJsonAsync($"v1/sessions/{other}/messages?wait=true", new { prompt = "now" });
        Assert.Equal("Other.", (await AgentServer.ReadAsync(after, HttpStatusCode.OK)).GetProperty("finalText").GetString());
    }

    [Fact]
    public async Task TokensPerDay_ParallelSends_OnlyWhatTheBudgetAllowsRuns_TheRestAre429_AndAFinishedRunFreesItsReservation()
    {
        _ws.WriteUserConfig("server:\n  limits:\n    tokens_per_day: 500\n");
        var token = await AgentServer.AddUserAsync(_ws, "alice", "member");
        await using var server = await AgentServer.StartAsync(
            _ws.Root, _ws.Environment, "--plugin", "scripted", "--plugin", "files", "--no-default-plugins", "--model", Script("turns:\n  - text: Hi.\n"));
        using var alice = server.Client(token);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await using var events = await SseReader.OpenAsync(alice, "v1/events", null, timeout.Token);
        // Each run uses 450 tokens, reported as its model steps end; four of them would spend 1,800 of a 500 budget. The
        // first stays in flight until its write is answered (a scripted run that finished at once would hand its
        // reservation back before the next send arrived, and then that one would rightly run).
        var held = await ServerLimitsApiTests.CreateAsync(alice, new
        {
            interactive = true,
            permissionMode = "ask",
            model = Script("""
                turns:
                  - tool_calls: [{ name: write, arguments: { path: notes.txt, content: "hello" } }]
                    usage: { input: 200, output: 25 }
                  - text: Done.
                    usage: { input: 200, output: 25 }
                """),
        });
        var script = Script("turns:\n  - text: Done.\n    usage: { input: 400, output: 50 }\n");
        var sessions = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            sessions.Add(await ServerLimitsApiTests.CreateAsync(alice, new { model = script }));
        }

        using (var first = await alice.PostAsJsonAsync($"v1/sessions/{held}/messages", new { prompt = "go" }))
        {
            Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        }

        var asked = JsonDocument.Parse((await AgentServer.UntilAsync(events, "permission.requested", held))[^1].Data).RootElement;
        var answers = await Task.WhenAll(sessions.Select(async id =>
        {
            using var response = await alice.PostAsJsonAsync($"v1/sessions/{id}/messages", new { prompt = "go" });
            return (Session: id, response.StatusCode, Body: await response.Content.ReadAsStringAsync(), RetryAfter: response.Headers.RetryAfter?.Delta);
        }));

        // The accepted run reserves its estimate (its first request's input: far more than the 500), so every other
        // send, made while it runs, finds the budget reserved, whichever node or thread it reached.
        var refused = answers.Where(a => a.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.True(refused.Count == 3, string.Join("\n", answers.Select(a => $"{a.StatusCode}: {a.Body}")));
        Assert.All(refused, r =>
        {
            Assert.Contains("runs in flight reserve", r.Body, StringComparison.Ordinal);
            Assert.Contains("server.limits.tokens_per_day", r.Body, StringComparison.Ordinal);
            Assert.NotNull(r.RetryAfter);
        });
        using (var answered = await alice.PostAsJsonAsync($"v1/sessions/{held}/permissions/{asked.GetProperty("requestId").GetString()}", new { answer = "once" }))
        {
            Assert.Equal(HttpStatusCode.NoContent, answered.StatusCode);
        }

        await AgentServer.UntilAsync(events, "run.ended", held);

        // Spent: one run's 450, within the budget plus one run. The run ended, its reservation with it: the next send runs.
        Assert.Equal(450, await TokensTodayAsync(alice));
        using (var next = await alice.PostAsJsonAsync($"v1/sessions/{refused[0].Session}/messages?wait=true", new { prompt = "again" }))
        {
            Assert.Equal("completed", (await AgentServer.ReadAsync(next, HttpStatusCode.OK)).GetProperty("status").GetString());
        }

        using var spent = await alice.PostAsJsonAsync($"v1/sessions/{refused[1].Session}/messages", new { prompt = "more" });
        Assert.Contains("user 'alice' used 900 tokens today, the budget is 500 (server.limits.tokens_per_day); it renews at midnight UTC", (await AgentServer.ReadAsync(spent, HttpStatusCode.TooManyRequests)).GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(900, await TokensTodayAsync(alice));
    }

    [Fact]
    public async Task CostPerDay_ParallelSends_ReserveTheirInputAtTheModelsPrice_SoOnlyWhatTheBudgetAllowsRuns()
    {
        // Each run uses 400 input and 50 output tokens at $1,000 a million: $0.45, against a $0.50 daily budget. Its
        // estimate before it runs (its prompt and the first turn's 2,000 tokens of input, at the input price) is about $2.
        var script = _ws.WriteScript("turns:\n  - text: Done.\n    usage: { input: 400, output: 50 }\n");
        _ws.WriteUserConfig($$"""
            providers:
              priced:
                type: scripted
                script: {{script}}
                models:
                  - { id: m, input_price: 1000, output_price: 1000 }
            server:
              limits:
                cost_per_day: 0.5
            """);
        var token = await AgentServer.AddUserAsync(_ws, "alice", "member");
        await using var server = await AgentServer.StartAsync(
            _ws.Root, _ws.Environment, "--plugin", "scripted", "--no-default-plugins", "--model", Script("turns:\n  - text: Hi.\n"));
        using var alice = server.Client(token);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await using var events = await SseReader.OpenAsync(alice, "v1/events", null, timeout.Token);
        var sessions = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            sessions.Add(await ServerLimitsApiTests.CreateAsync(alice, new { model = "priced/m" }));
        }

        var answers = await Task.WhenAll(sessions.Select(async id =>
        {
            using var response = await alice.PostAsJsonAsync($"v1/sessions/{id}/messages", new { prompt = "go" });
            return (Session: id, response.StatusCode, Body: await response.Content.ReadAsStringAsync());
        }));

        // Four runs would spend $1.80 of $0.50: the first accepted reserves its estimate, and every other send finds it reserved.
        var accepted = answers.Where(a => a.StatusCode == HttpStatusCode.Accepted).ToList();
        var refused = answers.Where(a => a.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.True(accepted.Count == 1, string.Join("\n", answers.Select(a => $"{a.StatusCode}: {a.Body}")));
        Assert.Equal(3, refused.Count);
        Assert.All(refused, r =>
        {
            Assert.Contains("user 'alice' spent $0 today and their 1 runs in flight reserve $2.0", r.Body, StringComparison.Ordinal);
            Assert.Contains("server.limits.cost_per_day", r.Body, StringComparison.Ordinal);
        });
        await AgentServer.UntilAsync(events, "run.ended", accepted[0].Session);

        // The run ended, its reservation with it: $0.45 spent, the next send runs; then the budget is spent.
        Assert.Equal(0.45m, await CostTodayAsync(alice));
        using (var next = await alice.PostAsJsonAsync($"v1/sessions/{refused[0].Session}/messages?wait=true", new { prompt = "again" }))
        {
            Assert.Equal("completed", (await AgentServer.ReadAsync(next, HttpStatusCode.OK)).GetProperty("status").GetString());
        }

        using var spent = await alice.PostAsJsonAsync($"v1/sessions/{refused[1].Session}/messages", new { prompt = "more" });
        Assert.Contains("user 'alice' spent $0.9 today, the budget is $0.5 (server.limits.cost_per_day)", (await AgentServer.ReadAsync(spent, HttpStatusCode.TooManyRequests)).GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(0.9m, await CostTodayAsync(alice));
    }

    private static async Task<decimal> CostTodayAsync(HttpClient client)
    {
        using var response = await client.GetAsync("v1/usage");
        return (await AgentServer.ReadAsync(response, HttpStatusCode.OK)).GetProperty("days").EnumerateArray().Sum(d => d.GetProperty("cost").GetDecimal());
    }

    private static async Task<long> TokensTodayAsync(HttpClient client)
    {
        using var response = await client.GetAsync("v1/usage");
        return (await AgentServer.ReadAsync(response, HttpStatusCode.OK)).GetProperty("days").EnumerateArray().Sum(d => d.GetProperty("inputTokens").GetInt64() + d.GetProperty("outputTokens").GetInt64());
    }

    private static async Task<List<string>> WorkflowRunIdsAsync(HttpClient client)
    {
        using var response = await client.GetAsync("v1/workflows/runs");
        return [.. (await AgentServer.ReadAsync(response, HttpStatusCode.OK)).EnumerateArray().Select(r => r.GetProperty("id").GetString()!)];
    }

    private string Script(string yaml) => "scripted/" + _ws.WriteRootScript(yaml);
}
