using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Server;

namespace AgentHost.Serve.Tests;

/// <summary>agent serve's session endpoints over real HTTP: create, get, list (filters, pages), patch, fork, delete, history.</summary>
[Trait("Speed", "Slow")]
public sealed class ServerSessionsApiTests : IAsyncLifetime
{
    private readonly RunWorkspace _ws = new();
    private AgentServer _server = null!;
    private string _script = null!;

    public async Task InitializeAsync()
    {
        _script = _ws.WriteScript("""
            turns:
              - text: First answer.
              - text: Second answer.
              - text: Third answer.
            """);
        _server = await AgentServer.StartAsync(_ws.Root, _ws.Environment, "--plugin", "scripted", "--no-default-plugins", "--model", "scripted/" + _script);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _ws.Dispose();
    }

    [Fact]
    public async Task Create_StoresTheSessionAtOnce_WithItsSettings_AndGetShowsIt()
    {
        var created = await _server.CreateSessionAsync(new { settings = new Dictionary<string, string> { ["max_steps"] = "7", ["title"] = "planning" } });
        var id = created.GetProperty("id").GetString()!;

        var got = await _server.GetAsync($"v1/sessions/{id}");

        Assert.Equal(Path.GetFullPath(_ws.Root), got.GetProperty("root").GetString());
        Assert.Equal("7", got.GetProperty("settings").GetProperty("max_steps").GetString());
        Assert.Equal("planning", got.GetProperty("title").GetString());
        Assert.True(got.GetProperty("open").GetBoolean());
        // The store has it: the CLI lists it.
        var listed = await _ws.RunAsync("session", "list", "--json");
        Assert.Contains(id, listed.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_StoresTheSessionsMode_SoThatItReopensInIt()
    {
        var interactive = await _server.CreateSessionAsync(new { interactive = true });
        var planning = await _server.CreateSessionAsync(new { permissionMode = "plan" });
        var headless = await _server.CreateSessionAsync();

        Assert.Equal("ask", interactive.GetProperty("settings").GetProperty("permission_mode").GetString());
        Assert.Equal("plan", planning.GetProperty("settings").GetProperty("permission_mode").GetString());
        Assert.False(headless.GetProperty("settings").TryGetProperty("permission_mode", out _));
        using var bad = await _server.Http.PostAsJsonAsync("v1/sessions", new { permissionMode = "anything-goes" });
        Assert.Contains("permissionMode", (await AgentServer.ReadAsync(bad, HttpStatusCode.BadRequest)).GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_WithAnUnknownSettingOrABadRoot_Is400_AndStoresNothing()
    {
        using var badSetting = await _server.Http.PostAsJsonAsync("v1/sessions", new { settings = new Dictionary<string, string> { ["colour"] = "blue" } });
        var error = await AgentServer.ReadAsync(badSetting, HttpStatusCode.BadRequest);
        Assert.Contains("settings.colour", error.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal("usage", error.GetProperty("kind").GetString());

        using var badRoot = await _server.Http.PostAsJsonAsync("v1/sessions", new { root = Path.Combine(_ws.Root, "no", "such", "folder") });
        Assert.Contains("no such directory", (await AgentServer.ReadAsync(badRoot, HttpStatusCode.BadRequest)).GetProperty("error").GetString(), StringComparison.Ordinal);

        using var badModel = await _server.Http.PostAsJsonAsync("v1/sessions", new { model = "nosuchprovider/model" });
        Assert.Equal(HttpStatusCode.BadRequest, badModel.StatusCode);

        var list = await _server.GetAsync("v1/sessions");
        Assert.Empty(list.GetProperty("sessions").EnumerateArray());
    }

    [Fact]
    public async Task List_PagesWithACursor_AndFiltersByRootAndStatus()
    {
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await _server.CreateSessionAsync()).GetProperty("id").GetString()!);
        }

        var first = await _server.GetAsync("v1/sessions?limit=2");
        var cursor = first.GetProperty("nextCursor").GetString();
        Assert.NotNull(cursor);
        var second = await _server.GetAsync($"v1/sessions?limit=2&cursor={cursor}");
        Assert.Equal(JsonValueKind.Null, second.GetProperty("nextCursor").ValueKind);
        var paged = first.GetProperty("sessions").EnumerateArray().Concat(second.GetProperty("sessions").EnumerateArray()).Select(s => s.GetProperty("id").GetString()).ToList();
        Assert.Equal(ids.AsEnumerable().Reverse(), paged);

        Assert.Equal(3, (await _server.GetAsync($"v1/sessions?root={Uri.EscapeDataString(_ws.Root)}")).GetProperty("sessions").GetArrayLength());
        Assert.Equal(0, (await _server.GetAsync("v1/sessions?root=/elsewhere")).GetProperty("sessions").GetArrayLength());
        Assert.Equal(0, (await _server.GetAsync("v1/sessions?status=completed")).GetProperty("sessions").GetArrayLength());
        await _server.SendAndWaitAsync(ids[0], new { prompt = "hello" });
        var completed = await _server.GetAsync("v1/sessions?status=completed");
        Assert.Equal(ids[0], Assert.Single(completed.GetProperty("sessions").EnumerateArray()).GetProperty("id").GetString());

        using var badCursor = await _server.Http.GetAsync("v1/sessions?cursor=nonsense!");
        Assert.Equal(HttpStatusCode.BadRequest, badCursor.StatusCode);
    }

    [Fact]
    public async Task Patch_ChangesValidatedKeysOnly_AndTheNextRunUsesThem()
    {
        var id = (await _server.CreateSessionAsync()).GetProperty("id").GetString()!;

        using var bad = await _server.Http.PatchAsJsonAsync($"v1/sessions/{id}", new { settings = new Dictionary<string, string?> { ["max_steps"] = "lots", ["title"] = "kept out" } });
        Assert.Contains("settings.max_steps", (await AgentServer.ReadAsync(bad, HttpStatusCode.BadRequest)).GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(string.Empty, (await _server.GetAsync($"v1/sessions/{id}")).GetProperty("title").GetString());

        using var good = await _server.Http.PatchAsJsonAsync($"v1/sessions/{id}", new { settings = new Dictionary<string, string?> { ["title"] = "Renamed", ["permission_mode"] = "plan" } });
        var patched = await AgentServer.ReadAsync(good, HttpStatusCode.OK);
        Assert.Equal("Renamed", patched.GetProperty("title").GetString());
        Assert.Equal("plan", patched.GetProperty("settings").GetProperty("permission_mode").GetString());
    }

    [Fact]
    public async Task History_PagesMessagesAndTools_WithACursor()
    {
        var id = (await _server.CreateSessionAsync()).GetProperty("id").GetString()!;
        await _server.SendAndWaitAsync(id, new { prompt = "one" });
        await _server.SendAndWaitAsync(id, new { prompt = "two" });

        var page = await _server.GetAsync($"v1/sessions/{id}/messages?limit=3");
        var messages = page.GetProperty("messages").EnumerateArray().ToList();
        Assert.Equal(["user", "assistant", "user"], messages.Select(m => m.GetProperty("role").GetString()));
        Assert.Equal("one", messages[0].GetProperty("text").GetString());
        var rest = await _server.GetAsync($"v1/sessions/{id}/messages?limit=3&cursor={page.GetProperty("nextCursor").GetString()}");
        Assert.Equal("Second answer.", Assert.Single(rest.GetProperty("messages").EnumerateArray()).GetProperty("text").GetString());

        Assert.Empty((await _server.GetAsync($"v1/sessions/{id}/messages?kind=tools")).GetProperty("toolEvents").EnumerateArray());
        using var badKind = await _server.Http.GetAsync($"v1/sessions/{id}/messages?kind=everything");
        Assert.Equal(HttpStatusCode.BadRequest, badKind.StatusCode);
    }

    [Fact]
    public async Task Fork_CopiesTheHistory_AndDelete_RemovesOnlyTheOriginal()
    {
        var id = (await _server.CreateSessionAsync()).GetProperty("id").GetString()!;
        await _server.SendAndWaitAsync(id, new { prompt = "remember this" });

        using var forked = await _server.Http.PostAsJsonAsync($"v1/sessions/{id}/fork", new { });
        var fork = await AgentServer.ReadAsync(forked, HttpStatusCode.Created);
        var forkId = fork.GetProperty("id").GetString()!;
        Assert.Equal(id, fork.GetProperty("parentId").GetString());
        Assert.Equal(2, fork.GetProperty("messageCount").GetInt64());

        using var deleted = await _server.Http.DeleteAsync($"v1/sessions/{id}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        using var gone = await _server.Http.GetAsync($"v1/sessions/{id}");
        Assert.Equal("not_found", (await AgentServer.ReadAsync(gone, HttpStatusCode.NotFound)).GetProperty("kind").GetString());

        // The fork lives on and continues where its parent was.
        var run = await _server.SendAndWaitAsync(forkId, new { prompt = "go on" });
        Assert.Equal("Second answer.", run.GetProperty("finalText").GetString());
    }
}
