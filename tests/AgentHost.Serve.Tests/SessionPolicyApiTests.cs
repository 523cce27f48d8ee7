using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Server;

namespace AgentHost.Serve.Tests;

/// <summary>
/// Session policies over real HTTP (docs/permissions.md "Session policies", docs/server.md): a read cap, allow and deny
/// globs and a network allowlist set at <c>POST /v1/sessions</c> or <c>PATCH …/settings</c> narrow what the session's
/// tools may do under the configured rules, and a change that would widen them is a 400 naming the field.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class SessionPolicyApiTests : IDisposable
{
    private readonly RunWorkspace _ws = new();

    public void Dispose() => _ws.Dispose();

    [Fact]
    public async Task ReadOverTheCap_IsTruncated_AndADeniedGlobIsRefused_EvenInYolo()
    {
        File.WriteAllText(Path.Combine(_ws.Root, "big.txt"), string.Concat(Enumerable.Range(0, 200).Select(i => $"line {i:D3} of the big file\n")));
        Directory.CreateDirectory(Path.Combine(_ws.Root, "secrets"));
        File.WriteAllText(Path.Combine(_ws.Root, "secrets", "token.txt"), "TOKEN-VALUE");
        await using var server = await StartAsync("""
            turns:
              - tool_calls: [{ name: view, arguments: { path: big.txt } }, { name: view, arguments: { path: secrets/token.txt } }]
              - text: Done.
            """);
        var id = (await server.CreateSessionAsync(new { permissionMode = "yolo", settings = new Dictionary<string, string> { ["max_read_bytes"] = "400", ["deny_paths"] = "secrets/**" } })).GetProperty("id").GetString()!;

        Assert.Equal("completed", (await server.SendAndWaitAsync(id, new { prompt = "read them" })).GetProperty("status").GetString());

        var results = await ToolResultsAsync(server, id);
        Assert.Equal(2, results.Count);
        Assert.Contains("line 000", results[0], StringComparison.Ordinal);
        Assert.DoesNotContain("line 199", results[0], StringComparison.Ordinal);
        Assert.Contains("[truncated: the session's max_read_bytes is 400;", results[0], StringComparison.Ordinal);
        Assert.DoesNotContain("TOKEN-VALUE", results[1], StringComparison.Ordinal);
        Assert.Contains("deny_paths glob 'secrets/**'", results[1], StringComparison.Ordinal);
        var settings = (await server.GetAsync($"v1/sessions/{id}/settings")).GetProperty("settings");
        Assert.Equal("400", settings.GetProperty("max_read_bytes").GetString());
        Assert.Equal("secrets/**", settings.GetProperty("deny_paths").GetString());
    }

    [Fact]
    public async Task AllowGlob_CannotWidenPastAConfiguredDeny_AndPathsOutsideItAreRefused()
    {
        _ws.WriteUserConfig("permissions:\n  deny:\n    - read(src/key.txt)\n");
        Directory.CreateDirectory(Path.Combine(_ws.Root, "src"));
        File.WriteAllText(Path.Combine(_ws.Root, "src", "key.txt"), "KEY-VALUE");
        File.WriteAllText(Path.Combine(_ws.Root, "src", "a.cs"), "class A {}");
        File.WriteAllText(Path.Combine(_ws.Root, "notes.md"), "NOTES-VALUE");
        await using var server = await StartAsync("""
            turns:
              - tool_calls: [{ name: view, arguments: { path: src/key.txt } }, { name: view, arguments: { path: notes.md } }, { name: view, arguments: { path: src/a.cs } }]
              - text: Done.
            """);
        var id = (await server.CreateSessionAsync(new { permissionMode = "yolo", settings = new Dictionary<string, string> { ["allow_paths"] = "src/**" } })).GetProperty("id").GetString()!;

        await server.SendAndWaitAsync(id, new { prompt = "read them" });

        var results = await ToolResultsAsync(server, id);
        Assert.Contains("denied by rule read(src/key.txt)", results[0], StringComparison.Ordinal);
        Assert.Contains("outside the session's allow_paths (src/**)", results[1], StringComparison.Ordinal);
        Assert.Contains("class A {}", results[2], StringComparison.Ordinal);
        Assert.DoesNotContain(results, r => r.Contains("KEY-VALUE", StringComparison.Ordinal) || r.Contains("NOTES-VALUE", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WebFetch_OfAHostOutsideTheAllowlist_IsRefused_AndNeverReachesIt()
    {
        _ws.WriteUserConfig(ServerConcurrencyTests.WebConfig);
        await using var pages = new GatedPageServer(TimeSpan.Zero);
        var script = $"turns:\n  - tool_calls: [{{ name: fetch, arguments: {{ url: \"{pages.Page("p")}\" }} }}]\n  - text: Done.\n";
        await using var server = await AgentServer.StartAsync(_ws.Root, _ws.Environment, "--plugin", "scripted", "--plugin", "web", "--no-default-plugins", "--model", "scripted/" + _ws.WriteScript(script));
        var limited = (await server.CreateSessionAsync(new { settings = new Dictionary<string, string> { ["network_allow"] = "docs.example.com" } })).GetProperty("id").GetString()!;
        var open = (await server.CreateSessionAsync()).GetProperty("id").GetString()!;

        await server.SendAndWaitAsync(limited, new { prompt = "fetch" });

        var refused = Assert.Single(await ToolResultsAsync(server, limited));
        Assert.Contains("127.0.0.1 is not in the session's network_allow (docs.example.com)", refused, StringComparison.Ordinal);
        Assert.Empty(pages.Requests);

        // The same call in a session without the allowlist reaches the page: the refusal was the session's policy.
        await server.SendAndWaitAsync(open, new { prompt = "fetch" });
        Assert.Contains("page /page/p", Assert.Single(await ToolResultsAsync(server, open)), StringComparison.Ordinal);
        Assert.Single(pages.Requests);
    }

    [Fact]
    public async Task PatchThatWidens_Is400NamingTheField_AndChangesNothing_WhileNarrowingWorks()
    {
        _ws.WriteUserConfig("permissions:\n  max_read_bytes: 2000\n");
        await using var server = await StartAsync("turns:\n  - text: Hi.\n");

        using (var over = await server.Http.PostAsJsonAsync("v1/sessions", new { settings = new Dictionary<string, string> { ["max_read_bytes"] = "4000" } }))
        {
            var error = (await AgentServer.ReadAsync(over, HttpStatusCode.BadRequest)).GetProperty("error").GetString()!;
            Assert.StartsWith("settings.max_read_bytes: 4000 is more than permissions.max_read_bytes (2000,", error, StringComparison.Ordinal);
        }

        var id = (await server.CreateSessionAsync(new { settings = new Dictionary<string, string> { ["max_read_bytes"] = "1000", ["deny_paths"] = "a/**", ["allow_paths"] = "src/**,docs/**", ["network_allow"] = "docs.example.com" } })).GetProperty("id").GetString()!;
        var before = (await server.GetAsync($"v1/sessions/{id}/settings")).GetProperty("settings").ToString();

        foreach (var (key, value, expected) in new (string, string?, string)[]
        {
            ("max_read_bytes", "1500", "settings.max_read_bytes: raising it above 1000 would widen the session's policy"),
            ("deny_paths", "b/**", "settings.deny_paths: dropping a/** would widen"),
            ("deny_paths", null, "settings.deny_paths: removing it would widen"),
            ("allow_paths", "src/**,lib/**", "settings.allow_paths: adding lib/** (the session now allows only src/**,docs/**) would widen"),
            ("network_allow", "docs.example.com,evil.example.net", "settings.network_allow: adding evil.example.net"),
            ("network_allow", "https://docs.example.com", "settings.network_allow: 'https://docs.example.com' is not a host name"),
        })
        {
            using var patch = await server.Http.PatchAsJsonAsync($"v1/sessions/{id}/settings", new { settings = new Dictionary<string, string?> { [key] = value } });
            var body = await AgentServer.ReadAsync(patch, HttpStatusCode.BadRequest);
            Assert.True(body.GetProperty("error").GetString()!.StartsWith(expected, StringComparison.Ordinal), body.ToString());
        }

        Assert.Equal(before, (await server.GetAsync($"v1/sessions/{id}/settings")).GetProperty("settings").ToString());

        using var narrower = await server.Http.PatchAsJsonAsync($"v1/sessions/{id}/settings", new { settings = new Dictionary<string, string> { ["max_read_bytes"] = "500", ["deny_paths"] = "a/**,b/**", ["allow_paths"] = "src/**", ["network_allow"] = "none" } });
        var now = (await AgentServer.ReadAsync(narrower, HttpStatusCode.OK)).GetProperty("settings");
        Assert.Equal(("500", "a/**,b/**", "src/**", "none"), (now.GetProperty("max_read_bytes").GetString(), now.GetProperty("deny_paths").GetString(), now.GetProperty("allow_paths").GetString(), now.GetProperty("network_allow").GetString()));
    }

    [Fact]
    public async Task PatchOfAnOpenSession_NarrowsItsNextTurn()
    {
        File.WriteAllText(Path.Combine(_ws.Root, "notes.md"), "NOTES-VALUE");
        await using var server = await StartAsync("""
            turns:
              - tool_calls: [{ name: view, arguments: { path: notes.md } }]
              - text: First.
              - tool_calls: [{ name: view, arguments: { path: notes.md } }]
              - text: Second.
            """);
        var id = (await server.CreateSessionAsync(new { permissionMode = "yolo" })).GetProperty("id").GetString()!;
        await server.SendAndWaitAsync(id, new { prompt = "one" });

        using (var patch = await server.Http.PatchAsJsonAsync($"v1/sessions/{id}/settings", new { settings = new Dictionary<string, string> { ["deny_paths"] = "*.md" } }))
        {
            Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
        }

        await server.SendAndWaitAsync(id, new { prompt = "two" });

        var results = await ToolResultsAsync(server, id);
        Assert.Contains("NOTES-VALUE", results[0], StringComparison.Ordinal);
        Assert.Contains("deny_paths glob '*.md'", results[1], StringComparison.Ordinal);
        Assert.DoesNotContain("NOTES-VALUE", results[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task AViewerCannotChangeAPolicy_AndAMembersAllowGlobDoesNotReachOutsideTheRoot()
    {
        var alice = await AgentServer.AddUserAsync(_ws, "alice", "member");
        var vera = await AgentServer.AddUserAsync(_ws, "vera", "viewer");
        await using var server = await StartAsync("""
            turns:
              - tool_calls: [{ name: view, arguments: { path: /etc/hostname } }]
              - text: Done.
            """);
        using var member = server.Client(alice);
        using var viewer = server.Client(vera);
        using var created = await member.PostAsJsonAsync("v1/sessions", new { permissionMode = "dont-ask", settings = new Dictionary<string, string> { ["allow_paths"] = "/**" } });
        var id = (await AgentServer.ReadAsync(created, HttpStatusCode.Created)).GetProperty("id").GetString()!;

        using (var patch = await viewer.PatchAsJsonAsync($"v1/sessions/{id}/settings", new { settings = new Dictionary<string, string> { ["deny_paths"] = "x/**" } }))
        {
            Assert.Equal(HttpStatusCode.Forbidden, patch.StatusCode);
        }

        using var sent = await member.PostAsJsonAsync($"v1/sessions/{id}/messages?wait=true", new { prompt = "read" });
        await AgentServer.ReadAsync(sent, HttpStatusCode.OK);
        using var history = await member.GetAsync($"v1/sessions/{id}/messages");
        var result = Assert.Single(ToolResults(await AgentServer.ReadAsync(history, HttpStatusCode.OK)));
        Assert.Contains("outside the sandbox", result, StringComparison.Ordinal);
        Assert.False((await server.GetAsync($"v1/sessions/{id}/settings")).GetProperty("settings").TryGetProperty("deny_paths", out _));
    }

    private async Task<AgentServer> StartAsync(string script) =>
        await AgentServer.StartAsync(_ws.Root, _ws.Environment, "--plugin", "scripted", "--plugin", "files", "--no-default-plugins", "--model", "scripted/" + _ws.WriteScript(script));

    private static async Task<List<string>> ToolResultsAsync(AgentServer server, string id) =>
        ToolResults(await server.GetAsync($"v1/sessions/{id}/messages"));

    /// <summary>The text of every tool result in a session's history, in order.</summary>
    private static List<string> ToolResults(JsonElement history) =>
        [.. history.GetProperty("messages").EnumerateArray()
            .Where(m => m.GetProperty("role").GetString() == "tool")
            .SelectMany(m => m.GetProperty("contents").EnumerateArray())
            .Where(c => c.TryGetProperty("result", out _))
            .Select(c => c.GetProperty("result").ToString())];
}
