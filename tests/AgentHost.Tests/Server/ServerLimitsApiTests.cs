using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Server;

/// <summary>agent serve's per-user limits over real HTTP (docs/server.md "Limits"): 429 with Retry-After and the API's JSON error body.</summary>
[Trait("Speed", "Slow")]
public sealed class ServerLimitsApiTests : IDisposable
{
    private readonly RunWorkspace _ws = new();

    public void Dispose() => _ws.Dispose();

    [Fact]
    public async Task RequestsPerMinute_OverTheLimit_Is429WithRetryAfter_PerUser_AndTheServerTokenIsNotLimited()
    {
        _ws.WriteUserConfig("server:\n  limits:\n    requests_per_minute: 3\n");
        var tokens = await AddUsersAsync("alice", "bob");
        await using var server = await StartAsync();
        using var alice = server.Client(tokens["alice"]);
        using var bob = server.Client(tokens["bob"]);

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync("v1/sessions")).StatusCode);
        }

        using var limited = await alice.GetAsync("v1/sessions");
        var body = await AgentServer.ReadAsync(limited, HttpStatusCode.TooManyRequests);
        Assert.Equal("rate_limited", body.GetProperty("kind").GetString());
        Assert.Contains("user 'alice' sent more than 3 requests this minute (server.limits.requests_per_minute)", body.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.InRange(limited.Headers.RetryAfter?.Delta?.TotalSeconds ?? -1, 1, 60);
        Assert.Equal(HttpStatusCode.OK, (await bob.GetAsync("v1/sessions")).StatusCode);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await server.Http.GetAsync("v1/sessions")).StatusCode);
        }
    }

    [Fact]
    public async Task ConcurrentRuns_OverTheLimit_Is429_UntilTheUsersRunEnds_OtherUsersRunMeanwhile()
    {
        _ws.WriteUserConfig("server:\n  limits:\n    concurrent_runs: 1\n");
        var tokens = await AddUsersAsync("alice", "bob");
        await using var server = await StartAsync("--plugin", "files");
        using var alice = server.Client(tokens["alice"]);
        using var bob = server.Client(tokens["bob"]);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await using var events = await SseReader.OpenAsync(alice, "v1/events", null, timeout.Token);
        var waiting = await CreateAsync(alice, new { interactive = true, permissionMode = "ask", model = Script("""
            turns:
              - tool_calls: [{ name: write, arguments: { path: notes.txt, content: "hello" } }]
              - text: Written.
            """) });
        var second = await CreateAsync(alice, new { model = Script("turns:\n  - text: Second.\n") });
        var bobs = await CreateAsync(bob, new { model = Script("turns:\n  - text: Bob's.\n") });

        using var first = await alice.PostAsJsonAsync($"v1/sessions/{waiting}/messages", new { prompt = "write notes" });
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        var asked = JsonDocument.Parse((await AgentServer.UntilAsync(events, "permission.requested"))[^1].Data).RootElement;

        using var refused = await alice.PostAsJsonAsync($"v1/sessions/{second}/messages", new { prompt = "meanwhile" });
        var body = await AgentServer.ReadAsync(refused, HttpStatusCode.TooManyRequests);
        Assert.Equal("rate_limited", body.GetProperty("kind").GetString());
        Assert.Contains("user 'alice' has 1 runs in flight, the most at once (server.limits.concurrent_runs)", body.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.NotNull(refused.Headers.RetryAfter?.Delta);
        using var bobRun = await bob.PostAsJsonAsync($"v1/sessions/{bobs}/messages?wait=true", new { prompt = "hi" });
        Assert.Equal("completed", (await AgentServer.ReadAsync(bobRun, HttpStatusCode.OK)).GetProperty("status").GetString());

        using var answered = await alice.PostAsJsonAsync($"v1/sessions/{waiting}/permissions/{asked.GetProperty("requestId").GetString()}", new { answer = "once" });
        Assert.Equal(HttpStatusCode.NoContent, answered.StatusCode);
        await AgentServer.UntilAsync(events, "run.ended", waiting);
        using var after = await alice.PostAsJsonAsync($"v1/sessions/{second}/messages?wait=true", new { prompt = "now" });
        Assert.Equal("Second.", (await AgentServer.ReadAsync(after, HttpStatusCode.OK)).GetProperty("finalText").GetString());
    }

    private string Script(string yaml) => "scripted/" + _ws.WriteScript(yaml);

    private async Task<Dictionary<string, string>> AddUsersAsync(params string[] names)
    {
        var tokens = new Dictionary<string, string>();
        foreach (var name in names)
        {
            tokens[name] = await AgentServer.AddUserAsync(_ws, name, "member");
        }

        return tokens;
    }

    private async Task<AgentServer> StartAsync(params string[] args) =>
        await AgentServer.StartAsync(_ws.Root, _ws.Environment, ["--plugin", "scripted", "--no-default-plugins", "--model", Script("turns:\n  - text: Hi.\n"), .. args]);

    private static async Task<string> CreateAsync(HttpClient client, object request)
    {
        using var response = await client.PostAsJsonAsync("v1/sessions", request);
        return (await AgentServer.ReadAsync(response, HttpStatusCode.Created)).GetProperty("id").GetString()!;
    }
}
