using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Server;
using AgentHost.Tests.Support;

namespace AgentHost.Serve.Tests;

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

    [Fact]
    public async Task TokensPerDay_ASpentBudget_Is429UntilMidnightUtc_UsageIsReadPerUser()
    {
        _ws.WriteUserConfig("server:\n  limits:\n    tokens_per_day: 100\n");
        var tokens = await AddUsersAsync("alice", "bob");
        await using var server = await StartAsync();
        using var alice = server.Client(tokens["alice"]);
        using var bob = server.Client(tokens["bob"]);
        var script = Script("turns:\n  - text: Done.\n    usage: { input: 80, output: 30 }\n  - text: Again.\n    usage: { input: 80, output: 30 }\n");
        var hers = await CreateAsync(alice, new { model = script });
        var his = await CreateAsync(bob, new { model = script });

        using (var first = await alice.PostAsJsonAsync($"v1/sessions/{hers}/messages?wait=true", new { prompt = "one" }))
        {
            Assert.Equal("completed", (await AgentServer.ReadAsync(first, HttpStatusCode.OK)).GetProperty("status").GetString());
        }

        using var refused = await alice.PostAsJsonAsync($"v1/sessions/{hers}/messages?wait=true", new { prompt = "two" });
        var body = await AgentServer.ReadAsync(refused, HttpStatusCode.TooManyRequests);
        Assert.Equal("rate_limited", body.GetProperty("kind").GetString());
        Assert.Contains("user 'alice' used 110 tokens today, the budget is 100 (server.limits.tokens_per_day); it renews at midnight UTC", body.GetProperty("error").GetString(), StringComparison.Ordinal);
        var untilMidnight = (DateTime.UtcNow.Date.AddDays(1) - DateTime.UtcNow).TotalSeconds;
        Assert.InRange(refused.Headers.RetryAfter?.Delta?.TotalSeconds ?? -1, 1, untilMidnight + 60);
        using (var other = await bob.PostAsJsonAsync($"v1/sessions/{his}/messages?wait=true", new { prompt = "one" }))
        {
            Assert.Equal("completed", (await AgentServer.ReadAsync(other, HttpStatusCode.OK)).GetProperty("status").GetString());
        }

        var own = await UsageAsync(alice, "v1/usage", HttpStatusCode.OK);
        Assert.Equal(100, own.GetProperty("tokensPerDay").GetInt64());
        Assert.Equal([("alice", 80L, 30L)], Days(own));
        Assert.Equal([("alice", 80L, 30L), ("bob", 80L, 30L)], Days(await UsageAsync(server.Http, "v1/usage", HttpStatusCode.OK)));
        Assert.Equal([("bob", 80L, 30L)], Days(await UsageAsync(server.Http, "v1/usage?user=bob", HttpStatusCode.OK)));
        Assert.Contains("a member sees only their own usage", (await UsageAsync(alice, "v1/usage?user=bob", HttpStatusCode.Forbidden)).GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Contains("is not a day", (await UsageAsync(alice, "v1/usage?from=yesterday", HttpStatusCode.BadRequest)).GetProperty("error").GetString(), StringComparison.Ordinal);

        var stats = await _ws.RunAsync("stats", "--users");
        Assert.True(stats.ExitCode == 0, stats.Error);
        Assert.Matches(@"(?m)^alice\s+1\s+80\s+30\s", stats.Output);
        Assert.Matches(@"(?m)^bob\s+1\s+80\s+30\s", stats.Output);
    }

    [Theory]
    [InlineData("tokens_per_day: lots", "server.limits.tokens_per_day")]
    [InlineData("cost_per_day: -2", "server.limits.cost_per_day: '-2' is not a budget")]
    public async Task BadBudgets_StopServe_NamingTheSetting(string setting, string expected)
    {
        _ws.WriteUserConfig($"server:\n  limits:\n    {setting}\n");

        var result = await _ws.RunAsync("serve", "--port", "0");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
    }

    private static async Task<JsonElement> UsageAsync(HttpClient client, string path, HttpStatusCode expected)
    {
        using var response = await client.GetAsync(path);
        return await AgentServer.ReadAsync(response, expected);
    }

    private static List<(string User, long Input, long Output)> Days(JsonElement usage) =>
        [.. usage.GetProperty("days").EnumerateArray().Select(d => (d.GetProperty("user").GetString()!, d.GetProperty("inputTokens").GetInt64(), d.GetProperty("outputTokens").GetInt64()))];

    private string Script(string yaml) => "scripted/" + _ws.WriteRootScript(yaml);

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

    /// <summary>Creates a session as <paramref name="client"/>'s user; returns its id.</summary>
    internal static async Task<string> CreateAsync(HttpClient client, object request)
    {
        using var response = await client.PostAsJsonAsync("v1/sessions", request);
        return (await AgentServer.ReadAsync(response, HttpStatusCode.Created)).GetProperty("id").GetString()!;
    }
}
