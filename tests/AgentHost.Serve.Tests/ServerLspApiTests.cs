using System.Net;
using System.Text.Json;
using AgentHost.Tests.Lsp;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Server;
using AgentHost.Tests.Support;

namespace AgentHost.Serve.Tests;

/// <summary>
/// The language servers of a running <c>agent serve</c> over real HTTP (<c>GET /v1/lsp</c>,
/// <c>POST /v1/lsp/{name}/start|stop|restart</c>, admins only) and through <c>agent lsp … --server URL</c>, on a real
/// language server process (the node fixture of tests/lsp-servers/fixtures) in the server's engine.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class ServerLspApiTests : IDisposable
{
    private readonly RunWorkspace _ws = new();

    public void Dispose() => _ws.Dispose();

    [RequiresProgramFact("node")]
    public async Task StartRestartStop_ActOnTheServersEngine_AndGetShowsTheState()
    {
        await using var server = await StartAsync();

        var listed = await server.GetAsync("v1/lsp");
        var started = await PostAsync(server.Http, "v1/lsp/fixture/start", HttpStatusCode.OK);
        var running = await server.GetAsync("v1/lsp");
        var restarted = await PostAsync(server.Http, "v1/lsp/fixture/restart", HttpStatusCode.OK);
        var stopped = await PostAsync(server.Http, "v1/lsp/fixture/stop", HttpStatusCode.OK);
        var afterStop = await server.GetAsync("v1/lsp");
        var again = await PostAsync(server.Http, "v1/lsp/fixture/stop", HttpStatusCode.OK);

        Assert.Equal("not started", Fixture(listed).GetProperty("state").GetString());
        var engine = Assert.Single(started.GetProperty("engines").EnumerateArray());
        Assert.Equal("started", engine.GetProperty("outcome").GetString());
        var pid = engine.GetProperty("pids")[0].GetInt32();
        Assert.Equal("running", Fixture(running).GetProperty("state").GetString());
        Assert.Equal($"pid {pid}", Fixture(running).GetProperty("detail").GetString());
        var restart = Assert.Single(restarted.GetProperty("engines").EnumerateArray());
        Assert.Equal("restarted", restart.GetProperty("outcome").GetString());
        Assert.NotEqual(pid, restart.GetProperty("pids")[0].GetInt32());
        Assert.Equal("stopped", Assert.Single(stopped.GetProperty("engines").EnumerateArray()).GetProperty("outcome").GetString());
        Assert.Equal("stopped", Fixture(afterStop).GetProperty("state").GetString());
        Assert.Equal("not running", Assert.Single(again.GetProperty("engines").EnumerateArray()).GetProperty("outcome").GetString());
    }

    [RequiresProgramFact("node")]
    public async Task UnknownName_Is404ListingTheServers_AMissingBinaryIs400WithTheHint_AndOnlyAdminsMayAct()
    {
        var viewer = await AgentServer.AddUserAsync(_ws, "vera", "viewer");
        await using var server = await StartAsync();
        using var asViewer = server.Client(viewer);

        var unknown = await PostAsync(server.Http, "v1/lsp/fixtur/start", HttpStatusCode.NotFound);
        var missing = await PostAsync(server.Http, "v1/lsp/ghost/start", HttpStatusCode.BadRequest);
        var badAction = await PostAsync(server.Http, "v1/lsp/fixture/reboot", HttpStatusCode.NotFound);
        var refused = await PostAsync(asViewer, "v1/lsp/fixture/stop", HttpStatusCode.Forbidden);
        var read = await GetAsync(asViewer, "v1/lsp");

        Assert.Equal("no language server named 'fixtur'; the servers are: fixture, ghost.", unknown.GetProperty("error").GetString());
        Assert.Equal("configuration", missing.GetProperty("kind").GetString());
        Assert.Contains("Install it with 'npm install -g ghost-ls'.", missing.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Contains("use POST /v1/lsp/fixture/start, /stop or /restart", badAction.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Contains("only admins may start, stop or restart language servers", refused.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal("not started", Fixture(read).GetProperty("state").GetString());
    }

    [RequiresProgramFact("node")]
    public async Task ActionOnAClosedSession_UsesItsStartedEngine_WithoutOpeningOrLeasingTheSession()
    {
        await using var server = await StartAsync();
        var id = (await server.CreateSessionAsync()).GetProperty("id").GetString()!;
        await PostAsync(server.Http, $"v1/sessions/{id}/close", HttpStatusCode.OK);

        var started = await PostAsync(server.Http, $"v1/lsp/fixture/start?session={id}", HttpStatusCode.OK);
        var stopped = await PostAsync(server.Http, $"v1/lsp/fixture/stop?session={id}", HttpStatusCode.OK);
        var session = await server.GetAsync($"v1/sessions/{id}");

        Assert.Equal("started", Assert.Single(started.GetProperty("engines").EnumerateArray()).GetProperty("outcome").GetString());
        Assert.Equal("stopped", Assert.Single(stopped.GetProperty("engines").EnumerateArray()).GetProperty("outcome").GetString());
        Assert.False(session.GetProperty("open").GetBoolean(), $"an action on the session's language servers opened the session: {session}");
    }

    [RequiresProgramFact("node")]
    public async Task Cli_WithServer_RestartsAndStopsTheServersLanguageServer_AndStatusShowsIt()
    {
        await using var server = await StartAsync();
        var env = _ws.Environment;
        env["AGENT_SERVER_TOKEN"] = server.Token;

        var restart = await AgentProcess.RunAsync(_ws.Root, env, "lsp", "restart", "fixture", "--server", server.Url.ToString());
        var stop = await AgentProcess.RunAsync(_ws.Root, env, "lsp", "stop", "fixture", "--server", server.Url.ToString());
        var status = await AgentProcess.RunAsync(_ws.Root, env, "lsp", "status", "--server", server.Url.ToString());
        var unknown = await AgentProcess.RunAsync(_ws.Root, env, "lsp", "start", "nope", "--server", server.Url.ToString());

        Assert.True(restart.ExitCode == 0, restart.Error);
        Assert.Contains("language server 'fixture' was not running; started it (pid ", restart.Output, StringComparison.Ordinal);
        Assert.Contains("stopped language server 'fixture' (pid ", stop.Output, StringComparison.Ordinal);
        Assert.Matches(@"fixture\s+config\s+node .*settling-server\.mjs\s+\.fx\s+stopped", status.Output);
        Assert.Equal(8, unknown.ExitCode);
        Assert.Contains("no language server named 'nope'; the servers are: fixture, ghost.", unknown.Error, StringComparison.Ordinal);
    }

    private async Task<AgentServer> StartAsync()
    {
        _ws.WriteUserConfig(
            "lsp:\n  servers:\n"
            + $"    fixture:\n      command: node\n      args: [{JsonSerializer.Serialize(LspServers.Fixture("settling-server.mjs"))}]\n      extensions: [.fx]\n"
            + "    ghost:\n      command: no-such-language-server\n      extensions: [.gh]\n      install: \"Install it with 'npm install -g ghost-ls'.\"\n");
        return await AgentServer.StartAsync(_ws.Root, _ws.Environment, "--plugin", "scripted", "--no-default-plugins", "--model", "scripted/" + _ws.WriteScript("turns:\n  - text: Hi.\n"));
    }

    private static JsonElement Fixture(JsonElement engines) =>
        Assert.Single(engines.EnumerateArray()).GetProperty("servers").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "fixture");

    private static async Task<JsonElement> PostAsync(HttpClient client, string path, HttpStatusCode expected)
    {
        using var response = await client.PostAsync(path, null);
        return await AgentServer.ReadAsync(response, expected);
    }

    private static async Task<JsonElement> GetAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        return await AgentServer.ReadAsync(response, HttpStatusCode.OK);
    }
}
