using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Server;

namespace AgentHost.Serve.Tests;

/// <summary>
/// agent serve's contract with headless clients over real HTTP: a headless session never waits for a person, a model
/// given at create survives a restart, one validator for session settings (API and CLI), unknown fields are refused,
/// and the paths the headless plan names (settings, history, close, /healthz, client ids).
/// </summary>
[Trait("Speed", "Slow")]
public sealed class ServerContractApiTests : IDisposable
{
    private readonly RunWorkspace _ws = new();

    public void Dispose() => _ws.Dispose();

    [Fact]
    public async Task HeadlessSession_WithModeAsk_DeniesWhatAsksAtOnce_AndNoRequestEverWaits()
    {
        await using var server = await StartAsync(WriteOnce, "--plugin", "files");
        var session = await server.CreateSessionAsync(new { permissionMode = "ask" });
        var id = session.GetProperty("id").GetString()!;
        Assert.False(session.GetProperty("interactive").GetBoolean());

        using var accepted = await server.Http.PostAsJsonAsync($"v1/sessions/{id}/messages", new { prompt = "write notes" });
        var runId = (await AgentServer.ReadAsync(accepted, HttpStatusCode.Accepted)).GetProperty("id").GetString()!;
        var run = await WaitForRunWithoutRequestsAsync(server, id, runId);

        Assert.Equal("Could not write.", run.GetProperty("finalText").GetString());
        Assert.False(File.Exists(Path.Combine(_ws.Root, "notes.txt")));
        var tools = await server.GetAsync($"v1/sessions/{id}/history?kind=tools");
        Assert.Equal("denied", Assert.Single(tools.GetProperty("toolEvents").EnumerateArray()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task SessionsReopenAfterARestart_AsTheyWereCreated_InteractiveWaits_HeadlessDenies_TheModelHolds()
    {
        var other = _ws.WriteScript("""
            turns:
              - text: From the session's own model.
            """);
        string interactive, headless, modelled;
        var first = await StartAsync(WriteOnce, "--plugin", "files");
        await using (first)
        {
            interactive = (await first.CreateSessionAsync(new { interactive = true })).GetProperty("id").GetString()!;
            headless = (await first.CreateSessionAsync(new { permissionMode = "ask" })).GetProperty("id").GetString()!;
            var created = await first.CreateSessionAsync(new { model = "scripted/" + other });
            modelled = created.GetProperty("id").GetString()!;
            Assert.Equal("scripted/" + other, (await first.GetAsync($"v1/sessions/{modelled}/settings")).GetProperty("settings").GetProperty("model").GetString());
            Assert.Equal(0, (await first.Process.TerminateAsync()).ExitCode);
        }

        await using var second = await StartAsync(WriteOnce, "--plugin", "files");

        // The model given at create, not the server's --model.
        Assert.Equal("From the session's own model.", (await second.SendAndWaitAsync(modelled, new { prompt = "hello" })).GetProperty("finalText").GetString());

        // The headless session still denies at once; the interactive one still waits for a client.
        using (var accepted = await second.Http.PostAsJsonAsync($"v1/sessions/{headless}/messages", new { prompt = "write notes" }))
        {
            var runId = (await AgentServer.ReadAsync(accepted, HttpStatusCode.Accepted)).GetProperty("id").GetString()!;
            var run = await WaitForRunWithoutRequestsAsync(second, headless, runId);
            Assert.True(run.GetProperty("finalText").GetString() == "Could not write.", run.ToString());
        }

        using (var accepted = await second.Http.PostAsJsonAsync($"v1/sessions/{interactive}/messages", new { prompt = "write notes" }))
        {
            var runId = (await AgentServer.ReadAsync(accepted, HttpStatusCode.Accepted)).GetProperty("id").GetString()!;
            var request = await WaitForRequestAsync(second, interactive);
            using var answer = await second.Http.PostAsJsonAsync($"v1/sessions/{interactive}/permissions/{request.GetProperty("requestId").GetString()}", new { answer = "once" });
            Assert.Equal(HttpStatusCode.NoContent, answer.StatusCode);
            Assert.Equal("completed", (await WaitForRunWithoutRequestsAsync(second, interactive, runId)).GetProperty("status").GetString());
        }

        Assert.Equal("hello", await File.ReadAllTextAsync(Path.Combine(_ws.Root, "notes.txt")));
    }

    [Fact]
    public async Task SettingsSet_OnTheCli_RefusesWhatTheApiRefuses_NamingTheKeyAndTheFix()
    {
        string id;
        await using (var server = await StartAsync("turns:\n  - text: Hi.\n"))
        {
            id = (await server.CreateSessionAsync()).GetProperty("id").GetString()!;
            using var badApi = await server.Http.PatchAsJsonAsync($"v1/sessions/{id}/settings", new { settings = new Dictionary<string, string> { ["max_steps"] = "abc" } });
            Assert.Contains("settings.max_steps: 'abc' is not valid; give a whole number from 1 to 10000", (await AgentServer.ReadAsync(badApi, HttpStatusCode.BadRequest)).GetProperty("error").GetString(), StringComparison.Ordinal);
            Assert.Equal(0, (await server.Process.TerminateAsync()).ExitCode);
        }

        var badSteps = await _ws.RunAsync("session", "settings", "set", id, "max_steps", "abc");
        var unknown = await _ws.RunAsync("session", "settings", "set", id, "colour", "blue");
        var badDry = await _ws.RunAsync("session", "settings", "set", id, "dry_run", "maybe");
        var good = await _ws.RunAsync("session", "settings", "set", id, "session.MAX_STEPS", "12");
        var shown = await _ws.RunAsync("session", "settings", "get", id);

        Assert.Equal(ExitCodes.Usage, badSteps.ExitCode);
        Assert.Contains("max_steps: 'abc' is not valid; give a whole number from 1 to 10000", badSteps.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, unknown.ExitCode);
        Assert.Contains("colour: not a setting that can be changed; use one of max_steps, dry_run, permission_mode, model, sandbox, plugins", unknown.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, badDry.ExitCode);
        Assert.Contains("give true or false", badDry.Error, StringComparison.Ordinal);
        Assert.True(good.ExitCode == ExitCodes.Success, good.Error);
        Assert.Contains("12", shown.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("abc", shown.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("colour", shown.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateSession_TakesAName_CarriedInItsJson_AndATakenOrBadNameIs400_StoringNothing()
    {
        await using var server = await StartAsync("turns:\n  - text: Hi.\n");

        var created = await server.CreateSessionAsync(new { name = "api-notes" });
        var id = created.GetProperty("id").GetString()!;
        using var taken = await server.Http.PostAsJsonAsync("v1/sessions", new { name = "api-notes" });
        var takenError = await AgentServer.ReadAsync(taken, HttpStatusCode.BadRequest);
        using var bad = await server.Http.PostAsJsonAsync("v1/sessions", new { name = "bell\u0007" });
        var badError = await AgentServer.ReadAsync(bad, HttpStatusCode.BadRequest);
        var unnamed = await server.CreateSessionAsync();

        Assert.Equal("api-notes", created.GetProperty("name").GetString());
        Assert.Equal("api-notes", (await server.GetAsync($"v1/sessions/{id}")).GetProperty("name").GetString());
        Assert.Equal(JsonValueKind.Null, unnamed.GetProperty("name").ValueKind);
        Assert.Contains($"a session named 'api-notes' exists already: {id}", takenError.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Contains("printable", badError.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, (await server.GetAsync("v1/sessions")).GetProperty("sessions").GetArrayLength());
    }

    [Fact]
    public async Task UnknownTopLevelFields_Are400_NamingTheField_AndChangeNothing()
    {
        await using var server = await StartAsync("turns:\n  - text: Hi.\n");

        using var create = await server.Http.PostAsJsonAsync("v1/sessions", new { interactiv = true });
        var error = await AgentServer.ReadAsync(create, HttpStatusCode.BadRequest);
        Assert.True(error.GetProperty("error").GetString()!.StartsWith("interactiv: not a field of this request body", StringComparison.Ordinal), error.ToString());
        Assert.Equal("usage", error.GetProperty("kind").GetString());
        Assert.Empty((await server.GetAsync("v1/sessions")).GetProperty("sessions").EnumerateArray());

        var id = (await server.CreateSessionAsync()).GetProperty("id").GetString()!;
        using var send = await server.Http.PostAsJsonAsync($"v1/sessions/{id}/messages?wait=true", new { prompt = "hello", maxStep = 1 });
        Assert.StartsWith("maxStep: not a field", (await AgentServer.ReadAsync(send, HttpStatusCode.BadRequest)).GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, (await server.GetAsync($"v1/sessions/{id}")).GetProperty("messageCount").GetInt64());
    }

    [Fact]
    public async Task HeadlessPlanPaths_SettingsHistoryClose_Healthz_AndClientIds_AreServed_AndDocumented()
    {
        var script = _ws.WriteScript("turns:\n  - text: First.\n  - text: Second.\n  - text: Third.\n");
        await using var server = await AgentServer.StartAsync(_ws.Root, _ws.Environment, "--plugin", "scripted", "--no-default-plugins", "--model", "scripted/" + script);

        using var create = new HttpRequestMessage(HttpMethod.Post, "v1/sessions") { Content = JsonContent.Create(new { }) };
        create.Headers.Add("X-Agent-Client", "test-ide/1.0");
        using var created = await server.Http.SendAsync(create);
        var session = await AgentServer.ReadAsync(created, HttpStatusCode.Created);
        var id = session.GetProperty("id").GetString()!;
        Assert.Equal("test-ide/1.0", session.GetProperty("clientId").GetString());

        // Settings as their own resource.
        using var patched = await server.Http.PatchAsJsonAsync($"v1/sessions/{id}/settings", new { settings = new Dictionary<string, string> { ["max_steps"] = "3" } });
        Assert.Equal("3", (await AgentServer.ReadAsync(patched, HttpStatusCode.OK)).GetProperty("settings").GetProperty("max_steps").GetString());
        Assert.Equal("3", (await server.GetAsync($"v1/sessions/{id}/settings")).GetProperty("settings").GetProperty("max_steps").GetString());

        // A run records the client that sent it, else the session's.
        using var send = new HttpRequestMessage(HttpMethod.Post, $"v1/sessions/{id}/messages?wait=true") { Content = JsonContent.Create(new { prompt = "one" }) };
        send.Headers.Add("X-Agent-Client", "ci-runner");
        using var sent = await server.Http.SendAsync(send);
        Assert.Equal("ci-runner", (await AgentServer.ReadAsync(sent, HttpStatusCode.OK)).GetProperty("clientId").GetString());
        Assert.Equal("test-ide/1.0", (await server.SendAndWaitAsync(id, new { prompt = "two" })).GetProperty("clientId").GetString());
        using var badClient = new HttpRequestMessage(HttpMethod.Post, "v1/sessions") { Content = JsonContent.Create(new { clientId = "bad id\u001b[31m" }) };
        using var refused = await server.Http.SendAsync(badClient);
        Assert.StartsWith("clientId: not a client id", (await AgentServer.ReadAsync(refused, HttpStatusCode.BadRequest)).GetProperty("error").GetString(), StringComparison.Ordinal);

        // History under the plan's name, the same as /messages.
        var history = await server.GetAsync($"v1/sessions/{id}/history");
        Assert.Equal((await server.GetAsync($"v1/sessions/{id}/messages")).ToString(), history.ToString());
        Assert.Equal(4, history.GetProperty("messages").GetArrayLength());

        // Close releases the session (another process may write it) and keeps its history; the next request reopens it.
        using var closed = await server.Http.PostAsync($"v1/sessions/{id}/close", null);
        Assert.False((await AgentServer.ReadAsync(closed, HttpStatusCode.OK)).GetProperty("open").GetBoolean());
        var cli = await _ws.RunAsync("run", "three", "--session", id, "-p", "scripted", "--no-default-plugins", "-m", "scripted/" + script, "-o", "final");
        Assert.True(cli.ExitCode == 0, cli.Error);
        Assert.Equal(6, (await server.GetAsync($"v1/sessions/{id}/history")).GetProperty("messages").GetArrayLength());

        // /healthz answers like /v1/health, behind the token like every path.
        Assert.Equal("ok", (await server.GetAsync("healthz")).GetProperty("status").GetString());
        using var anonymous = server.Client(null);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("healthz")).StatusCode);

        var document = (await server.GetAsync("openapi.json")).GetProperty("paths");
        foreach (var path in new[] { "/v1/sessions/{id}/settings", "/v1/sessions/{id}/history", "/v1/sessions/{id}/close", "/healthz" })
        {
            Assert.True(document.TryGetProperty(path, out _), $"the OpenAPI document lacks {path}");
        }
    }

    private const string WriteOnce = """
        turns:
          - tool_calls: [{ name: write, arguments: { path: notes.txt, content: "hello" } }]
          - text: Could not write.
        """;

    private async Task<AgentServer> StartAsync(string script, params string[] args) =>
        await AgentServer.StartAsync(_ws.Root, _ws.Environment, ["--plugin", "scripted", "--no-default-plugins", "--model", "scripted/" + _ws.WriteScript(script), .. args]);

    /// <summary>Polls the run until it ended, asserting that no permission request of the session waits meanwhile (bounded).</summary>
    private static async Task<JsonElement> WaitForRunWithoutRequestsAsync(AgentServer server, string sessionId, string runId)
    {
        for (var deadline = DateTime.UtcNow.AddMinutes(1); DateTime.UtcNow < deadline; await Task.Delay(50))
        {
            Assert.Empty((await server.GetAsync($"v1/sessions/{sessionId}/permissions")).EnumerateArray());
            var run = await server.GetAsync($"v1/runs/{runId}");
            if (run.GetProperty("status").GetString() != "running")
            {
                return run;
            }
        }

        throw new TimeoutException($"run {runId} did not end within a minute");
    }

    /// <summary>Polls the session's permission requests until one waits (bounded).</summary>
    private static async Task<JsonElement> WaitForRequestAsync(AgentServer server, string sessionId)
    {
        for (var deadline = DateTime.UtcNow.AddMinutes(1); DateTime.UtcNow < deadline; await Task.Delay(50))
        {
            if ((await server.GetAsync($"v1/sessions/{sessionId}/permissions")).EnumerateArray().FirstOrDefault() is { ValueKind: JsonValueKind.Object } request)
            {
                return request;
            }
        }

        throw new TimeoutException($"no permission request of session {sessionId} within a minute");
    }
}
