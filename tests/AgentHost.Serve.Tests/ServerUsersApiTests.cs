using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Server;
using AgentHost.Tests.Support;

namespace AgentHost.Serve.Tests;

/// <summary>
/// agent serve with users over real HTTP (docs/server.md "Users and roles"): two members, a viewer and an admin added
/// with 'agent server user add', each with their own token; sessions belong to their creator.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class ServerUsersApiTests : IDisposable
{
    private readonly RunWorkspace _ws = new();

    public void Dispose() => _ws.Dispose();

    [Fact]
    public async Task UserAdd_WithoutAConfiguredStore_SaysItWroteToTheLocalSqliteFile()
    {
        var added = await _ws.RunAsync("server", "user", "add", "alice");

        Assert.True(added.ExitCode == 0, added.Error);
        // Without server.store the user goes to the data folder's SQLite file: a server given another store never sees it.
        var file = _ws.Combine("home", "sessions.db");
        Assert.Contains($"Added member 'alice' to the SQLite store {file}.", added.Error, StringComparison.Ordinal);
        Assert.True(File.Exists(file), file);
    }

    [Fact]
    public async Task Members_SeeOnlyTheirOwnSessions_AnotherMembersIs404AsIfItDidNotExist_AViewerReadsButChangesNothing()
    {
        var tokens = await AddUsersAsync();
        await using var server = await StartAsync();
        using var alice = server.Client(tokens["alice"]);
        using var bob = server.Client(tokens["bob"]);
        using var vera = server.Client(tokens["vera"]);
        using var ada = server.Client(tokens["ada"]);

        var a = await CreateAsync(alice);
        var b = await CreateAsync(bob);
        var mine = await server.GetAsync("v1/sessions");

        Assert.Equal([a], await ListAsync(alice));
        Assert.Equal([b], await ListAsync(bob));
        Assert.Equal([a, b], (await ListAsync(vera)).Order());
        Assert.Equal([a, b], (await ListAsync(ada)).Order());
        Assert.Equal([a, b], mine.GetProperty("sessions").EnumerateArray().Select(s => s.GetProperty("id").GetString()!).Order());
        Assert.Equal("alice", (await GetAsync(ada, $"v1/sessions/{a}", HttpStatusCode.OK)).GetProperty("owner").GetString());

        // Another member's session is answered exactly as a session that does not exist.
        await AgentServer.AssertAnsweredAsMissingAsync(bob, SessionRequests(), a, "01JNOSUCHSESSION0000000000");

        // A viewer reads every session but changes none (403: it can see them), and creates none.
        await GetAsync(vera, $"v1/sessions/{a}", HttpStatusCode.OK);
        await GetAsync(vera, $"v1/sessions/{a}/messages", HttpStatusCode.OK);
        await GetAsync(vera, $"v1/sessions/{a}/permissions", HttpStatusCode.OK);
        foreach (var (method, path, body) in SessionRequests().Where(r => r.Method != HttpMethod.Get))
        {
            var refused = await AgentServer.SendAsync(vera, method, path(a), body);
            Assert.True(refused.Status == HttpStatusCode.Forbidden, $"{method} {path(a)} by a viewer: {(int)refused.Status} {refused.Body}");
            Assert.Contains("user 'vera' is a viewer", refused.Body, StringComparison.Ordinal);
        }

        var create = await AgentServer.SendAsync(vera, HttpMethod.Post, "v1/sessions", new { });
        Assert.Equal(HttpStatusCode.Forbidden, create.Status);
        Assert.Equal([a, b], (await ListAsync(ada)).Order());

        // An admin changes any session; a member their own.
        Assert.Equal(HttpStatusCode.OK, (await AgentServer.SendAsync(ada, HttpMethod.Patch, $"v1/sessions/{b}", new { settings = new { title = "renamed by ada" } })).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await AgentServer.SendAsync(alice, HttpMethod.Delete, $"v1/sessions/{a}", null)).Status);
        Assert.Equal([b], await ListAsync(ada));
    }

    [Fact]
    public async Task PermissionRequests_AreAnsweredOnlyByTheOwner_AndTheEventStreamShowsAMemberOnlyTheirOwnSessions()
    {
        var tokens = await AddUsersAsync();
        await using var server = await StartAsync("--plugin", "files");
        using var alice = server.Client(tokens["alice"]);
        using var bob = server.Client(tokens["bob"]);
        using var vera = server.Client(tokens["vera"]);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await using var aliceEvents = await SseReader.OpenAsync(alice, "v1/events", null, timeout.Token);
        await using var bobEvents = await SseReader.OpenAsync(bob, "v1/events", null, timeout.Token);
        await using var veraEvents = await SseReader.OpenAsync(vera, "v1/events", null, timeout.Token);

        var a = await CreateAsync(alice, new { interactive = true, permissionMode = "ask", model = "scripted/" + _ws.WriteRootScript("""
            turns:
              - tool_calls: [{ name: write, arguments: { path: notes.txt, content: "hello" } }]
              - text: Written.
            """) });
        Assert.Equal(HttpStatusCode.Accepted, (await AgentServer.SendAsync(alice, HttpMethod.Post, $"v1/sessions/{a}/messages", new { prompt = "write notes" })).Status);
        var asked = JsonDocument.Parse((await AgentServer.UntilAsync(aliceEvents, "permission.requested"))[^1].Data).RootElement;
        var requestId = asked.GetProperty("requestId").GetString()!;
        Assert.Equal(a, asked.GetProperty("sessionId").GetString());
        var seenByViewer = JsonDocument.Parse((await AgentServer.UntilAsync(veraEvents, "permission.requested"))[^1].Data).RootElement;
        Assert.Equal(requestId, seenByViewer.GetProperty("requestId").GetString());

        Assert.Equal(HttpStatusCode.NotFound, (await AgentServer.SendAsync(bob, HttpMethod.Get, $"v1/sessions/{a}/permissions", null)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await AgentServer.SendAsync(bob, HttpMethod.Post, $"v1/sessions/{a}/permissions/{requestId}", new { answer = "once" })).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await AgentServer.SendAsync(vera, HttpMethod.Post, $"v1/sessions/{a}/permissions/{requestId}", new { answer = "deny" })).Status);
        Assert.Single((await GetAsync(alice, $"v1/sessions/{a}/permissions", HttpStatusCode.OK)).EnumerateArray());
        Assert.Equal(HttpStatusCode.NoContent, (await AgentServer.SendAsync(alice, HttpMethod.Post, $"v1/sessions/{a}/permissions/{requestId}", new { answer = "once" })).Status);
        var aliceRun = await AgentServer.UntilAsync(aliceEvents, "run.ended");
        Assert.Equal("completed", JsonDocument.Parse(aliceRun[^1].Data).RootElement.GetProperty("status").GetString());
        Assert.Equal("hello", await File.ReadAllTextAsync(Path.Combine(_ws.Root, "notes.txt")));
        var decided = aliceRun.Select(e => JsonDocument.Parse(e.Data).RootElement).Where(e => e.TryGetProperty("answeredBy", out _)).ToList();
        Assert.Contains(decided, e => e.GetProperty("answeredBy").GetString() == "http:alice");

        // Bob's own run comes after alice's in the server's one event order: his stream reaches its end having
        // skipped every event of alice's session.
        var b = await CreateAsync(bob, new { model = "scripted/" + _ws.WriteRootScript("turns:\n  - text: Bob's answer.\n") });
        Assert.Equal(HttpStatusCode.Accepted, (await AgentServer.SendAsync(bob, HttpMethod.Post, $"v1/sessions/{b}/messages", new { prompt = "hi" })).Status);
        var bobSaw = await AgentServer.UntilAsync(bobEvents, "run.ended");
        var sessions = bobSaw.Select(e => JsonDocument.Parse(e.Data).RootElement).Select(e => e.TryGetProperty("sessionId", out var id) ? id.GetString() : null).ToList();
        Assert.All(sessions, s => Assert.Equal(b, s));
        Assert.Contains(bobSaw, e => e.EventType == "run.accepted");
        var refused = await AgentServer.SendAsync(bob, HttpMethod.Get, $"v1/sessions/{a}/events", null);
        Assert.Equal(HttpStatusCode.NotFound, refused.Status);
    }

    [Fact]
    public async Task Tokens_AreShownOnce_StoredHashed_ReplacedAndRevokedAtOnce_AndTheServerTokenStaysAnAdmin()
    {
        var tokens = await AddUsersAsync();
        await using var server = await StartAsync();
        using var alice = server.Client(tokens["alice"]);
        await GetAsync(alice, "v1/sessions", HttpStatusCode.OK);

        var stored = Directory.GetFiles(_ws.Environment["AGENT_HOME"], "sessions.db*");
        Assert.NotEmpty(stored);
        foreach (var file in stored)
        {
            using var copy = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var text = new StreamReader(copy, System.Text.Encoding.Latin1);
            Assert.DoesNotContain(tokens["alice"], await text.ReadToEndAsync(), StringComparison.Ordinal);
        }
        var list = await _ws.RunAsync("server", "user", "list");
        Assert.Equal(0, list.ExitCode);
        Assert.Contains("alice", list.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(tokens["alice"], list.Output + list.Error, StringComparison.Ordinal);

        var renewed = await _ws.RunAsync("server", "user", "token", "alice");
        Assert.Equal(0, renewed.ExitCode);
        var fresh = renewed.Output.Trim();
        Assert.Equal(HttpStatusCode.Unauthorized, (await AgentServer.SendAsync(alice, HttpMethod.Get, "v1/sessions", null)).Status);
        using var aliceAgain = server.Client(fresh);
        await GetAsync(aliceAgain, "v1/sessions", HttpStatusCode.OK);

        Assert.Equal(0, (await _ws.RunAsync("server", "user", "remove", "alice")).ExitCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await AgentServer.SendAsync(aliceAgain, HttpMethod.Get, "v1/sessions", null)).Status);
        using var nobody = server.Client("agt_" + new string('A', 43));
        Assert.Equal(HttpStatusCode.Unauthorized, (await AgentServer.SendAsync(nobody, HttpMethod.Get, "v1/sessions", null)).Status);

        var taken = await _ws.RunAsync("server", "user", "add", "bob");
        Assert.NotEqual(0, taken.ExitCode);
        Assert.Contains("user 'bob' exists already", taken.Error, StringComparison.Ordinal);
        var badRole = await _ws.RunAsync("server", "user", "add", "carl", "--role", "root");
        Assert.Contains("--role: 'root' is not a role; use admin, member or viewer", badRole.Error, StringComparison.Ordinal);

        // The server's own token is the built-in admin: it sees a member's session.
        var b = await CreateAsync(server.Client(tokens["bob"]));
        await server.GetAsync($"v1/sessions/{b}");
    }

    [Fact]
    public async Task SessionRoots_OutsideTheConfiguredRoots_AreRefusedWithTheAllowedOnes_PerRoleAndUser_LinksResolved()
    {
        var shared = _ws.Combine("shared");
        var adminOnly = _ws.Combine("admin-only");
        Directory.CreateDirectory(Path.Combine(shared, "app"));
        Directory.CreateDirectory(adminOnly);
        File.CreateSymbolicLink(Path.Combine(shared, "escape"), "/");
        _ws.WriteUserConfig($"server:\n  roots: ['{shared}']\n  role_roots:\n    admin: ['{shared}', '{adminOnly}']\n");
        var tokens = await AddUsersAsync();
        await using var server = await StartAsync();
        using var alice = server.Client(tokens["alice"]);
        using var ada = server.Client(tokens["ada"]);

        foreach (var root in new[] { "/", adminOnly, _ws.Root, Path.Combine(shared, "escape"), Path.Combine(shared, "app", "..", "..") })
        {
            var refused = await AgentServer.SendAsync(alice, HttpMethod.Post, "v1/sessions", new { root });
            Assert.True(refused.Status == HttpStatusCode.Forbidden, $"root {root}: {(int)refused.Status} {refused.Body}");
            Assert.Contains($"outside the roots this server lets user 'alice' use ({WorkspaceReal(shared)})", refused.Body, StringComparison.Ordinal);
        }

        var missing = await AgentServer.SendAsync(alice, HttpMethod.Post, "v1/sessions", new { root = "/no/such/folder" });
        Assert.Equal(HttpStatusCode.Forbidden, missing.Status);
        Assert.Equal(HttpStatusCode.Created, (await AgentServer.SendAsync(alice, HttpMethod.Post, "v1/sessions", new { root = Path.Combine(shared, "app") })).Status);
        Assert.Equal(HttpStatusCode.Created, (await AgentServer.SendAsync(ada, HttpMethod.Post, "v1/sessions", new { root = adminOnly })).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await AgentServer.SendAsync(ada, HttpMethod.Post, "v1/sessions", new { root = "/" })).Status);
        Assert.Equal([Path.Combine(WorkspaceReal(shared), "app")], (await GetAsync(alice, "v1/sessions", HttpStatusCode.OK)).GetProperty("sessions").EnumerateArray().Select(s => s.GetProperty("root").GetString()!));
    }

    private static string WorkspaceReal(string path) => AgentHost.Sdk.Tools.WorkspacePaths.RealPath(Path.GetFullPath(path));

    private static IEnumerable<(HttpMethod Method, Func<string, string> Path, object? Body)> SessionRequests() =>
    [
        (HttpMethod.Get, id => $"v1/sessions/{id}", null),
        (HttpMethod.Get, id => $"v1/sessions/{id}/messages", null),
        (HttpMethod.Get, id => $"v1/sessions/{id}/permissions", null),
        (HttpMethod.Get, id => $"v1/sessions/{id}/questions", null),
        (HttpMethod.Get, id => $"v1/sessions/{id}/events", null),
        (HttpMethod.Get, id => $"v1/events?session={id}", null),
        (HttpMethod.Patch, id => $"v1/sessions/{id}", new { settings = new { title = "mine now" } }),
        (HttpMethod.Post, id => $"v1/sessions/{id}/messages", new { prompt = "hello" }),
        (HttpMethod.Post, id => $"v1/sessions/{id}/fork", new { }),
        (HttpMethod.Post, id => $"v1/sessions/{id}/permissions/p1", new { answer = "once" }),
        (HttpMethod.Post, id => $"v1/sessions/{id}/questions/q1", new { answer = "yes" }),
        (HttpMethod.Delete, id => $"v1/sessions/{id}", null),
    ];

    /// <summary>Adds alice and bob (members), vera (viewer) and ada (admin) with the CLI; returns their tokens.</summary>
    private async Task<Dictionary<string, string>> AddUsersAsync()
    {
        var tokens = new Dictionary<string, string>();
        foreach (var (name, role) in new[] { ("alice", "member"), ("bob", "member"), ("vera", "viewer"), ("ada", "admin") })
        {
            tokens[name] = await AgentServer.AddUserAsync(_ws, name, role);
        }

        return tokens;
    }

    private async Task<AgentServer> StartAsync(params string[] args) =>
        await AgentServer.StartAsync(_ws.Root, _ws.Environment, ["--plugin", "scripted", "--no-default-plugins", "--model", "scripted/" + _ws.WriteScript("turns:\n  - text: Hi.\n"), .. args]);

    private static async Task<string> CreateAsync(HttpClient client, object? request = null)
    {
        using var response = await client.PostAsJsonAsync("v1/sessions", request ?? new { });
        return (await AgentServer.ReadAsync(response, HttpStatusCode.Created)).GetProperty("id").GetString()!;
    }

    private static async Task<List<string>> ListAsync(HttpClient client) =>
        [.. (await GetAsync(client, "v1/sessions", HttpStatusCode.OK)).GetProperty("sessions").EnumerateArray().Select(s => s.GetProperty("id").GetString()!)];

    private static async Task<JsonElement> GetAsync(HttpClient client, string path, HttpStatusCode expected)
    {
        using var response = await client.GetAsync(path);
        return await AgentServer.ReadAsync(response, expected);
    }
}
