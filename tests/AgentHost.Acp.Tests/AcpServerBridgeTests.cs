using System.Text.Json.Nodes;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Server;
using AgentHost.Tests.Support;

namespace AgentHost.Acp.Tests;

/// <summary>
/// <c>agent acp --server URL</c> in front of a real <c>agent serve</c> with users: the official ACP SDK drives it as a
/// member (her token from <c>agent server user add</c>), the sessions live on the server, the run's permission requests
/// are asked of the editor and answered on the server, cancel reaches the run; every message the agent sends is valid
/// against the protocol's schema. docs/acp.md "In front of a shared server".
/// </summary>
[Trait("Speed", "Slow")]
public sealed class AcpServerBridgeTests : IDisposable
{
    private readonly RunWorkspace _ws = new();

    public void Dispose() => _ws.Dispose();

    [AcpFact]
    public async Task NewPromptPermissionsQuestionCancel_RunOnTheServer_AndASecondProcessLoadsTheSession_WithEveryMessageValid()
    {
        var token = await AgentServer.AddUserAsync(_ws, "alice", "member");
        var script = _ws.WriteRootScript("""
            turns:
              - reasoning: Notes first.
                text: Writing the notes.
                tool_calls: [{ name: write, arguments: { path: notes.txt, content: "from the editor" } }]
              - expect: { tool_results_contain: ["notes.txt"] }
                tool_calls: [{ name: write, arguments: { path: secret.txt, content: "nope" } }]
              - tool_calls: [{ name: ask_user, arguments: { question: "Which branch?" } }]
              - expect: { tool_results_contain: ["not available: the person at the editor cannot answer"] }
                text: Done.
              - text: This takes a long time.
                chunk_delay_ms: 600000
            """);
        await using var server = await StartAsync();
        var environment = new Dictionary<string, string>(_ws.Environment) { ["AGENT_SERVER_TOKEN"] = token };

        var first = await AcpClient.RunAsync(
            _ws,
            environment,
            [
                new JsonObject { ["op"] = "initialize", ["params"] = new JsonObject { ["protocolVersion"] = 1, ["clientCapabilities"] = new JsonObject(), ["clientInfo"] = new JsonObject { ["name"] = "zed", ["version"] = "0.200.0" } } },
                new JsonObject { ["op"] = "request", ["method"] = "session/new", ["params"] = new JsonObject { ["cwd"] = _ws.Root, ["mcpServers"] = new JsonArray() }, ["save"] = new JsonObject { ["session"] = "sessionId" } },
                new JsonObject { ["op"] = "prompt", ["session"] = "$session", ["text"] = "Write the notes." },
                new JsonObject { ["op"] = "prompt", ["session"] = "$session", ["text"] = "Now the long part.", ["cancelAfter"] = "agent_message_chunk" },
                new JsonObject { ["op"] = "request", ["method"] = "session/list", ["params"] = new JsonObject { ["cwd"] = _ws.Root } },
            ],
            ["allow_once", "reject_once"],
            "--server", server.Url.ToString(), "--model", "scripted/" + script);

        Assert.True(first.ExitCode == 0, $"agent acp exited {first.ExitCode}: {first.Stderr}");
        var initialize = first.Step(0)["result"]!;
        Assert.True((bool)initialize["agentCapabilities"]!["loadSession"]!);
        Assert.NotNull(initialize["agentCapabilities"]!["sessionCapabilities"]!["list"]);
        var sessionId = (string?)first.Step(1)["result"]?["sessionId"] ?? throw new InvalidOperationException($"session/new failed: {first.Step(1)["error"]?.ToJsonString()}\n{first.Stderr}");

        // The session is the server's, alice's, recorded with the editor's name.
        using var alice = server.Client(token);
        var stored = await AgentServer.ReadAsync(await alice.GetAsync($"v1/sessions/{sessionId}"), System.Net.HttpStatusCode.OK);
        Assert.Equal("alice", stored.GetProperty("owner").GetString());
        Assert.Equal("acp:zed", stored.GetProperty("clientId").GetString());
        Assert.True(stored.GetProperty("interactive").GetBoolean());

        // The prompt streamed from the server's run; the two permission requests were asked of the editor and its
        // answers (allow, then reject) decided them on the server.
        var prompt = first.Step(2);
        Assert.True(prompt["error"] is null, $"prompt failed: {prompt["error"]?.ToJsonString()}\n{first.Stderr}");
        Assert.Equal("end_turn", (string?)prompt["result"]!["stopReason"]);
        var updates = first.Updates(2);
        Assert.Equal("Notes first.", string.Concat(updates.Where(u => (string?)u["sessionUpdate"] == "agent_thought_chunk").Select(u => (string?)u["content"]!["text"])));
        // The model's free-form question was shown, and answered on the server as not available (the script checks).
        var text = string.Concat(updates.Where(u => (string?)u["sessionUpdate"] == "agent_message_chunk").Select(u => (string?)u["content"]!["text"]));
        Assert.StartsWith("Writing the notes.", text, StringComparison.Ordinal);
        Assert.Contains("The agent asks: Which branch?", text, StringComparison.Ordinal);
        Assert.EndsWith("Done.", text, StringComparison.Ordinal);
        var calls = updates.Where(u => (string?)u["sessionUpdate"] == "tool_call").ToList();
        Assert.Equal(["edit", "edit", "other"], calls.Select(c => (string?)c["kind"]));
        Assert.Equal(Path.Combine(_ws.Root, "notes.txt"), (string?)calls[0]["locations"]![0]!["path"]);
        var asked = first.Output["permissionRequests"]!.AsArray().Select(p => p!.AsObject()).ToList();
        Assert.Equal(2, asked.Count);
        Assert.All(asked, a => Assert.Equal(sessionId, (string?)a["sessionId"]));
        Assert.Equal([(string?)calls[0]["toolCallId"], (string?)calls[1]["toolCallId"]], asked.Select(a => (string?)a["toolCall"]!["toolCallId"]));
        Assert.Equal(["allow_once", "allow_always", "reject_once"], asked[0]["options"]!.AsArray().Select(o => (string?)o!["kind"]));
        Assert.Equal("from the editor", await File.ReadAllTextAsync(Path.Combine(_ws.Root, "notes.txt")));
        Assert.False(File.Exists(Path.Combine(_ws.Root, "secret.txt")));
        var ends = updates.Where(u => (string?)u["sessionUpdate"] == "tool_call_update" && (string?)u["status"] is "completed" or "failed").ToList();
        Assert.Equal(["completed", "failed", "completed"], ends.Select(u => (string?)u["status"]));

        // session/cancel reached the run on the server: the prompt answered cancelled, and the server's run ended so.
        var cancelled = first.Step(3);
        Assert.True(cancelled["error"] is null, $"cancelled prompt failed: {cancelled["error"]?.ToJsonString()}\n{first.Stderr}");
        Assert.Equal("cancelled", (string?)cancelled["result"]!["stopReason"]);
        var runs = await AgentServer.ReadAsync(await alice.GetAsync($"v1/sessions/{sessionId}"), System.Net.HttpStatusCode.OK);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, runs.GetProperty("runningRunId").ValueKind);

        // session/list: alice's sessions of the root on the server.
        var listed = first.Step(4)["result"]!["sessions"]!.AsArray();
        Assert.Equal(sessionId, (string?)Assert.Single(listed)!["sessionId"]);
        Assert.Equal(_ws.Root, (string?)listed[0]!["cwd"]);
        Assert.Empty(AcpSchema.Problems(first));

        // A second process (the token in the variable --server-token-env names) loads it: the history is replayed.
        var named = new Dictionary<string, string>(_ws.Environment) { ["TEAM_TOKEN"] = token };
        var second = await AcpClient.RunAsync(
            _ws,
            named,
            [
                new JsonObject { ["op"] = "initialize" },
                new JsonObject { ["op"] = "request", ["method"] = "session/load", ["params"] = new JsonObject { ["sessionId"] = sessionId, ["cwd"] = _ws.Root, ["mcpServers"] = new JsonArray() } },
            ],
            null,
            "--server", server.Url.ToString(), "--server-token-env", "TEAM_TOKEN");

        Assert.True(second.Step(1)["error"] is null, $"session/load failed: {second.Step(1)["error"]?.ToJsonString()}\n{second.Stderr}");
        var replayed = second.AgentMessages
            .Where(m => m.TryGetProperty("method", out var method) && method.GetString() == "session/update")
            .Select(m => m.GetProperty("params").GetProperty("update"))
            .ToList();
        Assert.Contains(replayed, u => u.GetProperty("sessionUpdate").GetString() == "user_message_chunk" && u.GetProperty("content").GetProperty("text").GetString() == "Write the notes.");
        Assert.Contains(replayed, u => u.GetProperty("sessionUpdate").GetString() == "agent_message_chunk" && u.GetProperty("content").GetProperty("text").GetString() == "Done.");
        Assert.Contains(replayed, u => u.GetProperty("sessionUpdate").GetString() == "tool_call" && u.GetProperty("rawInput").GetProperty("path").GetString() == "notes.txt");
        Assert.Empty(AcpSchema.Problems(second));
    }

    [AcpFact]
    public async Task McpServersFromTheEditorAndACwdOutsideTheMembersRoots_AreRefused_AndAWrongTokenIsAuthRequired()
    {
        var token = await AgentServer.AddUserAsync(_ws, "alice", "member");
        await using var server = await StartAsync();
        var right = new Dictionary<string, string>(_ws.Environment) { ["AGENT_SERVER_TOKEN"] = token };
        var mcp = new JsonArray(new JsonObject { ["name"] = "tools", ["command"] = "/bin/sh", ["args"] = new JsonArray("-c", "touch pwned"), ["env"] = new JsonArray() });

        var refused = await AcpClient.RunAsync(
            _ws,
            right,
            [
                new JsonObject { ["op"] = "initialize" },
                new JsonObject { ["op"] = "request", ["method"] = "session/new", ["params"] = new JsonObject { ["cwd"] = _ws.Root, ["mcpServers"] = mcp } },
                new JsonObject { ["op"] = "request", ["method"] = "session/new", ["params"] = new JsonObject { ["cwd"] = Path.GetTempPath(), ["mcpServers"] = new JsonArray() } },
            ],
            null,
            "--server", server.Url.ToString());

        var mcpError = refused.Step(1)["error"]!;
        Assert.Equal(-32602, (int)mcpError["code"]!);
        Assert.Contains("\"mcpServers\" must be empty with agent acp --server", (string?)mcpError["message"], StringComparison.Ordinal);
        Assert.Contains("a member's commands never", (string?)mcpError["message"], StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_ws.Root, "pwned")));
        var outside = refused.Step(2)["error"]!;
        Assert.Contains("refused \"cwd\"", (string?)outside["message"], StringComparison.Ordinal);
        Assert.Contains("inside the member's roots there", (string?)outside["message"], StringComparison.Ordinal);
        using (var alice = server.Client(token))
        {
            var sessions = await AgentServer.ReadAsync(await alice.GetAsync("v1/sessions"), System.Net.HttpStatusCode.OK);
            Assert.Empty(sessions.GetProperty("sessions").EnumerateArray());
        }

        Assert.Empty(AcpSchema.Problems(refused));

        var wrong = new Dictionary<string, string>(_ws.Environment) { ["AGENT_SERVER_TOKEN"] = "agt_not-a-token" };
        var unauthorized = await AcpClient.RunAsync(
            _ws,
            wrong,
            [
                new JsonObject { ["op"] = "initialize" },
                new JsonObject { ["op"] = "request", ["method"] = "session/new", ["params"] = new JsonObject { ["cwd"] = _ws.Root, ["mcpServers"] = new JsonArray() } },
                new JsonObject { ["op"] = "request", ["method"] = "session/list", ["params"] = new JsonObject() },
            ],
            null,
            "--server", server.Url.ToString());

        foreach (var step in new[] { 1, 2 })
        {
            var error = unauthorized.Step(step)["error"]!;
            Assert.Equal(-32000, (int)error["code"]!);
            Assert.Contains("refused the token (401); set AGENT_SERVER_TOKEN", (string?)error["message"], StringComparison.Ordinal);
        }

        Assert.Empty(AcpSchema.Problems(unauthorized));
    }

    [AcpFact]
    public async Task AnEditorThatGoesAwayMidTurn_CancelsTheRunOnTheServer_AndTheSessionKeepsItsHistory()
    {
        var token = await AgentServer.AddUserAsync(_ws, "alice", "member");
        var script = _ws.WriteRootScript("""
            turns:
              - text: This takes a long time.
                chunk_delay_ms: 600000
            """);
        await using var server = await StartAsync();
        using var alice = server.Client(token);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await using var events = await SseReader.OpenAsync(alice, "v1/events", null, timeout.Token);

        var gone = await AcpClient.RunAsync(
            _ws,
            new Dictionary<string, string>(_ws.Environment) { ["AGENT_SERVER_TOKEN"] = token },
            [
                new JsonObject { ["op"] = "initialize" },
                new JsonObject { ["op"] = "request", ["method"] = "session/new", ["params"] = new JsonObject { ["cwd"] = _ws.Root, ["mcpServers"] = new JsonArray() }, ["save"] = new JsonObject { ["session"] = "sessionId" } },
                new JsonObject { ["op"] = "promptDetached", ["session"] = "$session", ["text"] = "Go.", ["until"] = "agent_message_chunk" },
                new JsonObject { ["op"] = "end" },
            ],
            null,
            "--server", server.Url.ToString(), "--model", "scripted/" + script);

        Assert.True(gone.ExitCode == 0, $"agent acp exited {gone.ExitCode}: {gone.Stderr}");
        var sessionId = (string)gone.Step(1)["result"]!["sessionId"]!;
        Assert.NotEmpty(gone.Step(2)["updates"]!.AsArray());
        var ended = System.Text.Json.JsonDocument.Parse((await AgentServer.UntilAsync(events, "run.ended", sessionId))[^1].Data).RootElement;
        Assert.Equal("cancelled", ended.GetProperty("status").GetString());
        var history = await AgentServer.ReadAsync(await alice.GetAsync($"v1/sessions/{sessionId}/messages"), System.Net.HttpStatusCode.OK);
        Assert.Contains(history.GetProperty("messages").EnumerateArray(), m => m.GetProperty("role").GetString() == "user" && m.GetProperty("text").GetString() == "Go.");
        Assert.Empty(AcpSchema.Problems(gone));
    }

    /// <summary><c>agent serve</c> with users, the scripted model and the files plugin; no default plugins.</summary>
    private Task<AgentServer> StartAsync() =>
        AgentServer.StartAsync(_ws.Root, _ws.Environment, "--plugin", "scripted", "--plugin", "files", "--no-default-plugins", "--model", "scripted/" + _ws.WriteScript("turns:\n  - text: Hi.\n"));
}
