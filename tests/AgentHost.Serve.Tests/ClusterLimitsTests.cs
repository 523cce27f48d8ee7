using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Server;
using AgentHost.Tests.Support;

namespace AgentHost.Serve.Tests;

/// <summary>
/// Per-user limits on <c>agent serve --cluster</c> (docs/cluster.md "How it works"; issue #73 §5): two real nodes on one
/// real PostgreSQL count a member's runs in one counter, the store's.
/// </summary>
public sealed class ClusterLimitsTests
{
    [PostgresFact]
    [Trait("Speed", "Slow")]
    public async Task ConcurrentRuns_ARunInFlightOnOneNode_RefusesASendOnTheOther_UntilItEnds()
    {
        using var ws = new RunWorkspace();
        ws.WriteUserConfig("server:\n  limits:\n    concurrent_runs: 1\n");
        var database = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync("limits");
        var added = await AgentProcess.RunAsync(ws.Root, ClusterTests.Node(ws, "admin", database), "server", "user", "add", "alice", "--role", "member");
        Assert.True(added.ExitCode == 0, added.Error);
        Assert.Contains($"Added member 'alice' to the PostgreSQL store {database}.", added.Error, StringComparison.Ordinal); // where, without a password
        var token = added.Output.Trim();
        string[] args = ["--cluster", "--plugin", "scripted", "--plugin", "files", "--no-default-plugins", "--model", "scripted/" + ws.WriteScript("turns:\n  - text: Hi.\n")];
        await using var a = await AgentServer.StartAsync(ws.Root, ClusterTests.Node(ws, "a", database), args);
        await using var b = await AgentServer.StartAsync(ws.Root, ClusterTests.Node(ws, "b", database), args);
        using var onA = a.Client(token);
        using var onB = b.Client(token);

        // A run on a, in flight until its permission request is answered.
        var waiting = await ServerLimitsApiTests.CreateAsync(onA, new { interactive = true, permissionMode = "ask", model = "scripted/" + ws.WriteRootScript("""
            turns:
              - tool_calls: [{ name: write, arguments: { path: notes.txt, content: "hello" } }]
              - text: Written.
            """) });
        var other = await ServerLimitsApiTests.CreateAsync(onB, new { model = "scripted/" + ws.WriteRootScript("turns:\n  - text: Other.\n") });
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await using var events = await SseReader.OpenAsync(onA, $"v1/sessions/{waiting}/events?after=0", null, timeout.Token);
        using var first = await onA.PostAsJsonAsync($"v1/sessions/{waiting}/messages", new { prompt = "write notes" });
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        var asked = JsonDocument.Parse((await AgentServer.UntilAsync(events, "permission.requested"))[^1].Data).RootElement;

        // b counts a's run: alice is at her one run, whichever node she asks.
        using var refused = await onB.PostAsJsonAsync($"v1/sessions/{other}/messages", new { prompt = "meanwhile" });
        var body = await AgentServer.ReadAsync(refused, HttpStatusCode.TooManyRequests);
        Assert.Contains("user 'alice' has 1 runs in flight, the most at once (server.limits.concurrent_runs)", body.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.NotNull(refused.Headers.RetryAfter?.Delta);

        using var answered = await onA.PostAsJsonAsync($"v1/sessions/{waiting}/permissions/{asked.GetProperty("requestId").GetString()}", new { answer = "once" });
        Assert.Equal(HttpStatusCode.NoContent, answered.StatusCode);
        await AgentServer.UntilAsync(events, "run.ended");
        using var after = await onB.PostAsJsonAsync($"v1/sessions/{other}/messages?wait=true", new { prompt = "now" });
        Assert.Equal("Other.", (await AgentServer.ReadAsync(after, HttpStatusCode.OK)).GetProperty("finalText").GetString());
    }

    [PostgresFact]
    [Trait("Speed", "Slow")]
    public async Task RequestsPerMinute_AreOneWindowForBothNodes_SoTheRequestsOverTheLimitAre429OnEither()
    {
        using var ws = new RunWorkspace();
        ws.WriteUserConfig("server:\n  limits:\n    requests_per_minute: 3\n");
        var database = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync("rpm");
        var added = await AgentProcess.RunAsync(ws.Root, ClusterTests.Node(ws, "admin", database), "server", "user", "add", "alice", "--role", "member");
        Assert.True(added.ExitCode == 0, added.Error);
        string[] args = ["--cluster", "--plugin", "scripted", "--no-default-plugins", "--model", "scripted/" + ws.WriteScript("turns:\n  - text: Hi.\n")];
        await using var a = await AgentServer.StartAsync(ws.Root, ClusterTests.Node(ws, "a", database), args);
        await using var b = await AgentServer.StartAsync(ws.Root, ClusterTests.Node(ws, "b", database), args);
        using var onA = a.Client(added.Output.Trim());
        using var onB = b.Client(added.Output.Trim());

        // Two requests on a and one on b are alice's three this minute: counted per node, b would allow two more.
        Assert.Equal(HttpStatusCode.OK, (await onA.GetAsync("v1/sessions")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await onA.GetAsync("v1/sessions")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await onB.GetAsync("v1/sessions")).StatusCode);
        using var limited = await onB.GetAsync("v1/sessions");
        var body = await AgentServer.ReadAsync(limited, HttpStatusCode.TooManyRequests);
        Assert.Contains("user 'alice' sent more than 3 requests this minute (server.limits.requests_per_minute), counted on every node", body.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.InRange(limited.Headers.RetryAfter?.Delta?.TotalSeconds ?? -1, 1, 60);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await onA.GetAsync("v1/sessions")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await a.Http.GetAsync("v1/sessions")).StatusCode);
    }
}
