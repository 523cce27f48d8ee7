using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Server;
using AgentHost.Tests.Support;

namespace AgentHost.Serve.Tests;

/// <summary>agent serve's prompts and runs over real HTTP: background and blocking sends, one run per session, cancel, permission answers from a second client, per-request overrides.</summary>
[Trait("Speed", "Slow")]
public sealed class ServerRunsApiTests : IDisposable
{
    private static readonly string[] MissingFile = ["@missing-file.txt"];
    private readonly RunWorkspace _ws = new();

    public void Dispose() => _ws.Dispose();

    [Fact]
    public async Task Send_Returns202WithTheRun_AndTheRunEndsWithTheAnswer()
    {
        await using var server = await StartAsync("turns:\n  - text: The answer.\n");
        var id = (await server.CreateSessionAsync()).GetProperty("id").GetString()!;

        using var accepted = await server.Http.PostAsJsonAsync($"v1/sessions/{id}/messages", new { prompt = "question" });
        var run = await AgentServer.ReadAsync(accepted, HttpStatusCode.Accepted);
        var runId = run.GetProperty("id").GetString()!;
        Assert.Equal($"/v1/runs/{runId}", accepted.Headers.Location?.ToString());
        Assert.Equal(id, run.GetProperty("sessionId").GetString());

        var ended = await WaitForRunAsync(server, runId);
        Assert.Equal("completed", ended.GetProperty("status").GetString());
        Assert.Equal("The answer.", ended.GetProperty("finalText").GetString());
        Assert.Equal("completed", ended.GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task Send_WithABadReference_EndsTheRunAsFailed_WithTheFix()
    {
        await using var server = await StartAsync("turns:\n  - text: never\n");
        var id = (await server.CreateSessionAsync()).GetProperty("id").GetString()!;

        var run = await server.SendAndWaitAsync(id, new { prompt = "look at this", context = MissingFile });

        Assert.Equal("failed", run.GetProperty("status").GetString());
        Assert.Contains("missing-file.txt", run.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal("usage", run.GetProperty("errorKind").GetString());
    }

    [Fact]
    public async Task PermissionRequest_IsAnsweredByASecondClient_WhileASecondPromptIsRefusedWith409()
    {
        await using var server = await StartAsync("""
            turns:
              - tool_calls: [{ name: write, arguments: { path: notes.txt, content: "hello" } }]
              - text: Written.
            """, "--plugin", "files");
        var id = (await server.CreateSessionAsync(new { interactive = true, permissionMode = "ask" })).GetProperty("id").GetString()!;
        using var accepted = await server.Http.PostAsJsonAsync($"v1/sessions/{id}/messages", new { prompt = "write notes" });
        var runId = (await AgentServer.ReadAsync(accepted, HttpStatusCode.Accepted)).GetProperty("id").GetString()!;

        using var second = server.Client(server.Token);
        var request = await WaitForPermissionAsync(second, id);
        Assert.Equal("write", request.GetProperty("tool").GetString());

        using var busy = await second.PostAsJsonAsync($"v1/sessions/{id}/messages", new { prompt = "another" });
        var conflict = await AgentServer.ReadAsync(busy, HttpStatusCode.Conflict);
        Assert.Contains(runId, conflict.GetProperty("error").GetString(), StringComparison.Ordinal);

        using var answered = await second.PostAsJsonAsync($"v1/sessions/{id}/permissions/{request.GetProperty("requestId").GetString()}", new { answer = "once" });
        Assert.Equal(HttpStatusCode.NoContent, answered.StatusCode);

        var ended = await WaitForRunAsync(server, runId);
        Assert.Equal("Written.", ended.GetProperty("finalText").GetString());
        Assert.Equal("hello", await File.ReadAllTextAsync(Path.Combine(_ws.Root, "notes.txt")));
        // Answered already: a second answer finds nothing waiting.
        using var late = await second.PostAsJsonAsync($"v1/sessions/{id}/permissions/{request.GetProperty("requestId").GetString()}", new { answer = "deny" });
        Assert.Equal(HttpStatusCode.NotFound, late.StatusCode);
    }

    [Fact]
    public async Task PermissionRequest_DeniedWithAReason_TheModelGetsTheReason()
    {
        await using var server = await StartAsync("""
            turns:
              - tool_calls: [{ name: write, arguments: { path: notes.txt, content: "hello" } }]
              - expect: { tool_results_contain: ["not in this folder"] }
                text: Understood.
            """, "--plugin", "files");
        var (id, runId, request) = await SendUntilAskedAsync(server, "write notes");

        using var bad = await server.Http.PostAsJsonAsync($"v1/sessions/{id}/permissions/{request.GetProperty("requestId").GetString()}", new { answer = "maybe" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        using var denied = await server.Http.PostAsJsonAsync($"v1/sessions/{id}/permissions/{request.GetProperty("requestId").GetString()}", new { answer = "deny", reason = "not in this folder" });
        Assert.Equal(HttpStatusCode.NoContent, denied.StatusCode);

        Assert.Equal("Understood.", (await WaitForRunAsync(server, runId)).GetProperty("finalText").GetString());
        Assert.False(File.Exists(Path.Combine(_ws.Root, "notes.txt")));
    }

    [HookScriptFact("bash")]
    public async Task NotificationHook_RunsWhenAPersonIsAboutToBeAsked()
    {
        _ws.WriteUserConfig("""
            hooks:
              Notification:
                - matcher: permission_prompt
                  hooks: [{ type: command, command: "cat > \"$CLAUDE_PROJECT_DIR/notified.json\"" }]
            """);
        await using var server = await StartAsync("""
            turns:
              - tool_calls: [{ name: write, arguments: { path: notes.txt, content: "hello" } }]
              - text: Understood.
            """, "--plugin", "files");
        var (id, runId, request) = await SendUntilAskedAsync(server, "write notes");

        // The hook is not waited for (a notification must not hold the question), so its file may come a little later.
        var file = Path.Combine(_ws.Root, "notified.json");
        for (var deadline = DateTime.UtcNow.AddMinutes(1); !File.Exists(file) || new FileInfo(file).Length == 0; await Task.Delay(50))
        {
            Assert.True(DateTime.UtcNow < deadline, "the Notification hook did not run within a minute");
        }

        using var denied = await server.Http.PostAsJsonAsync($"v1/sessions/{id}/permissions/{request.GetProperty("requestId").GetString()}", new { answer = "deny" });
        await WaitForRunAsync(server, runId);
        using var input = JsonDocument.Parse(File.ReadAllText(file));
        Assert.Equal(("Notification", "permission_prompt"), (input.RootElement.GetProperty("hook_event_name").GetString(), input.RootElement.GetProperty("notification_type").GetString()));
        Assert.Contains("Write", input.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(id, input.RootElement.GetProperty("session_id").GetString());
    }

    [Fact]
    public async Task Cancel_EndsTheRunAsCancelled_AndTheSessionTakesTheNextPrompt()
    {
        await using var server = await StartAsync("""
            turns:
              - tool_calls: [{ name: write, arguments: { path: notes.txt, content: "hello" } }]
              - text: After the cancel.
            """, "--plugin", "files");
        var (id, runId, _) = await SendUntilAskedAsync(server, "write notes");

        using var cancel = await server.Http.PostAsync($"v1/runs/{runId}/cancel", null);
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);

        Assert.Equal("cancelled", (await WaitForRunAsync(server, runId)).GetProperty("status").GetString());
        Assert.False(File.Exists(Path.Combine(_ws.Root, "notes.txt")));
        Assert.Equal("After the cancel.", (await server.SendAndWaitAsync(id, new { prompt = "go on" })).GetProperty("finalText").GetString());
        using var unknown = await server.Http.PostAsync("v1/runs/nosuchrun/cancel", null);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task HeadlessSession_DeniesWhatWouldAsk_WithoutWaiting()
    {
        await using var server = await StartAsync("""
            turns:
              - tool_calls: [{ name: write, arguments: { path: notes.txt, content: "hello" } }]
              - text: Could not write.
            """, "--plugin", "files");
        var id = (await server.CreateSessionAsync()).GetProperty("id").GetString()!;

        var run = await server.SendAndWaitAsync(id, new { prompt = "write notes" });

        Assert.Equal("Could not write.", run.GetProperty("finalText").GetString());
        Assert.False(File.Exists(Path.Combine(_ws.Root, "notes.txt")));
        var tools = await server.GetAsync($"v1/sessions/{id}/messages?kind=tools");
        Assert.Equal("denied", Assert.Single(tools.GetProperty("toolEvents").EnumerateArray()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task RequestSettings_WinOverTheSession_ForThatRunOnly_AndAPatchedSettingHoldsFromTheNextRun()
    {
        await using var server = await StartAsync("""
            turns:
              - tool_calls: [{ name: view, arguments: { path: README.md } }]
              - text: Read it.
              - tool_calls: [{ name: view, arguments: { path: README.md } }]
              - text: Read it again.
            """, "--plugin", "files");
        var id = (await server.CreateSessionAsync(new { settings = new Dictionary<string, string> { ["max_steps"] = "5" } })).GetProperty("id").GetString()!;

        // Request > session: this run stops after one step; the session's own setting stays.
        var limited = await server.SendAndWaitAsync(id, new { prompt = "read the readme", maxSteps = 1 });
        Assert.Equal("stepLimit", limited.GetProperty("outcome").GetString());
        Assert.Equal("5", (await server.GetAsync($"v1/sessions/{id}")).GetProperty("settings").GetProperty("max_steps").GetString());
        Assert.Equal("Read it.", (await server.SendAndWaitAsync(id, new { prompt = "go on" })).GetProperty("finalText").GetString());

        // A patched session setting holds for the open session's next run.
        using var patch = await server.Http.PatchAsJsonAsync($"v1/sessions/{id}", new { settings = new Dictionary<string, string?> { ["max_steps"] = "1" } });
        Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
        Assert.Equal("stepLimit", (await server.SendAndWaitAsync(id, new { prompt = "read it again" })).GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task ProjectTrust_IsDecidedPerSessionRoot_AnUntrustedRootsAllowRulesDoNotApply()
    {
        var other = _ws.Combine("cloned");
        _ws.WriteUserConfig($"server:\n  roots: ['{_ws.Root}', '{other}']\n");
        Directory.CreateDirectory(Path.Combine(other, ".agent"));
        await File.WriteAllTextAsync(Path.Combine(other, ".agent", "config.yaml"), "permissions:\n  allow:\n    - write(**)\n");
        await using var server = await StartAsync("""
            turns:
              - tool_calls: [{ name: write, arguments: { path: notes.txt, content: "hello" } }]
              - text: Done.
            """, "--plugin", "files");

        var untrusted = (await server.CreateSessionAsync(new { root = other })).GetProperty("id").GetString()!;
        await server.SendAndWaitAsync(untrusted, new { prompt = "write notes" });
        Assert.False(File.Exists(Path.Combine(other, "notes.txt")));

        Assert.Equal(0, (await AgentProcess.RunAsync(other, _ws.Environment, "trust")).ExitCode);
        var trusted = (await server.CreateSessionAsync(new { root = other })).GetProperty("id").GetString()!;
        await server.SendAndWaitAsync(trusted, new { prompt = "write notes" });
        Assert.Equal("hello", await File.ReadAllTextAsync(Path.Combine(other, "notes.txt")));
    }

    private async Task<AgentServer> StartAsync(string script, params string[] args) =>
        await AgentServer.StartAsync(_ws.Root, _ws.Environment, ["--plugin", "scripted", "--no-default-plugins", "--model", "scripted/" + _ws.WriteScript(script), .. args]);

    /// <summary>Creates an interactive session, sends <paramref name="prompt"/> (202) and waits for its first permission request.</summary>
    private static async Task<(string SessionId, string RunId, JsonElement Request)> SendUntilAskedAsync(AgentServer server, string prompt)
    {
        var id = (await server.CreateSessionAsync(new { interactive = true })).GetProperty("id").GetString()!;
        using var accepted = await server.Http.PostAsJsonAsync($"v1/sessions/{id}/messages", new { prompt });
        var runId = (await AgentServer.ReadAsync(accepted, HttpStatusCode.Accepted)).GetProperty("id").GetString()!;
        return (id, runId, await WaitForPermissionAsync(server.Http, id));
    }

    /// <summary>Polls GET /v1/runs/{id} until the run has ended (bounded).</summary>
    private static async Task<JsonElement> WaitForRunAsync(AgentServer server, string runId)
    {
        for (var deadline = DateTime.UtcNow.AddMinutes(1); DateTime.UtcNow < deadline; await Task.Delay(50))
        {
            var run = await server.GetAsync($"v1/runs/{runId}");
            if (run.GetProperty("status").GetString() != "running")
            {
                return run;
            }
        }

        throw new TimeoutException($"run {runId} did not end within a minute");
    }

    /// <summary>Polls GET /v1/sessions/{id}/permissions until a request waits (bounded).</summary>
    private static async Task<JsonElement> WaitForPermissionAsync(HttpClient client, string sessionId)
    {
        for (var deadline = DateTime.UtcNow.AddMinutes(1); DateTime.UtcNow < deadline; await Task.Delay(50))
        {
            var pending = await client.GetFromJsonAsync<JsonElement>($"v1/sessions/{sessionId}/permissions");
            if (pending.GetArrayLength() > 0)
            {
                return pending[0];
            }
        }

        throw new TimeoutException($"no permission request of session {sessionId} within a minute");
    }
}
