using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Acp.Tests;

/// <summary>
/// ACP sessions are the session store's: made over ACP, they are listed (with a cursor and a <c>cwd</c> filter) and
/// loaded by the next <c>agent acp</c> with their history replayed, continue, close and delete; a session made by
/// <c>agent run</c> loads over ACP; a session another process holds is refused, naming it; and an editor that goes away
/// mid-turn leaves the session saved and loadable at once.
/// </summary>
public sealed class AcpSessionTests
{
    /// <summary>A first prompt's two model turns: reasoning, text and a view of the readme; then the answer.</summary>
    private const string ReadmeTurns = """
        turns:
          - reasoning: Read the readme first.
            text: Let me look.
            tool_calls:
              - name: view
                arguments: { path: README.md }
          - text: It is a quickstart example.

        """;

    /// <summary>The readme turns, then the answer to a second prompt, which the model gets only with the history before it.</summary>
    private const string ReadmeScript = ReadmeTurns + """
          - expect:
              last_user_contains: And the tests?
            text: Continuing from the readme.
        """;

    [AcpFact]
    public async Task NewPromptEnd_ThenASecondProcess_ListsPagesAndFilters_LoadsWithReplay_Continues_Closes_Deletes()
    {
        using var workspace = new RunWorkspace();
        var model = "scripted/" + workspace.WriteScript(ReadmeScript);
        var sub = Directory.CreateDirectory(Path.Combine(workspace.Root, "sub")).FullName;
        var first = await AcpClient.RunAsync(
            workspace,
            [
                new JsonObject { ["op"] = "initialize", ["params"] = new JsonObject { ["protocolVersion"] = 1, ["clientCapabilities"] = new JsonObject(), ["clientInfo"] = new JsonObject { ["name"] = "zed", ["version"] = "0.200.0" } } },
                NewSession(workspace.Root, "main"),
                Prompt("$main", "Read the readme"),
                NewSession(sub, "inSub"),
                NewSession(workspace.Root, "idle"),
            ],
            args: ["--plugin", "scripted", "--model", model]);

        Assert.True(first.ExitCode == 0, $"agent acp exited {first.ExitCode}: {first.Stderr}");
        var capabilities = first.Step(0)["result"]!["agentCapabilities"]!;
        Assert.True((bool)capabilities["loadSession"]!);
        Assert.Equal(["close", "delete", "list", "resume"], capabilities["sessionCapabilities"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal));
        var main = (string)first.Step(1)["result"]!["sessionId"]!;
        var inSub = (string)first.Step(3)["result"]!["sessionId"]!;
        var idle = (string)first.Step(4)["result"]!["sessionId"]!;
        Assert.Equal("end_turn", (string?)first.Step(2)["result"]?["stopReason"]);
        var titled = first.Updates(2).Single(u => (string?)u["sessionUpdate"] == "session_info_update");
        Assert.Equal("Read the readme", (string?)titled["title"]);
        Assert.Empty(AcpSchema.Problems(first));

        // The ACP session is an ordinary one.
        var listed = await workspace.RunAsync("session", "list", "--json");
        Assert.True(listed.ExitCode == 0, listed.Error);
        var stored = JsonDocument.Parse(listed.Output).RootElement.EnumerateArray().Single(s => s.GetProperty("id").GetString() == main);
        Assert.Equal("Read the readme", stored.GetProperty("title").GetString());
        Assert.Equal("acp:zed", stored.GetProperty("settings").GetProperty("client").GetString());

        // A second process opens them at once: the first released its leases when its stdin ended.
        var rootFilter = new JsonObject { ["cwd"] = workspace.Root, ["_meta"] = new JsonObject { ["agenthost/pageSize"] = 1 } };
        var second = await AcpClient.RunAsync(
            workspace,
            [
                Step("initialize"),
                Request("session/list", rootFilter, new JsonObject { ["cursor"] = "nextCursor" }),
                Request("session/list", new JsonObject { ["cwd"] = workspace.Root, ["cursor"] = "$cursor", ["_meta"] = new JsonObject { ["agenthost/pageSize"] = 1 } }),
                Request("session/list", new JsonObject { ["cwd"] = sub + Path.DirectorySeparatorChar }),
                new JsonObject { ["op"] = "collect", ["method"] = "session/load", ["session"] = main, ["params"] = new JsonObject { ["sessionId"] = main, ["cwd"] = workspace.Root, ["mcpServers"] = new JsonArray() } },
                Prompt(main, "And the tests?"),
                Request("session/close", new JsonObject { ["sessionId"] = main }),
                Prompt(main, "Still there?"),
                Request("session/delete", new JsonObject { ["sessionId"] = main }),
                Request("session/list", new JsonObject { ["cwd"] = workspace.Root }),
                Request("session/list", new JsonObject { ["cursor"] = "not-a-cursor" }),
            ],
            args: ["--plugin", "scripted", "--model", model]);

        Assert.True(second.ExitCode == 0, $"agent acp exited {second.ExitCode}: {second.Stderr}");
        var page1 = second.Step(1)["result"]!;
        var page2 = second.Step(2)["result"]!;
        Assert.Single(page1["sessions"]!.AsArray());
        Assert.NotNull((string?)page1["nextCursor"]);
        Assert.Single(page2["sessions"]!.AsArray());
        Assert.Null(page2["nextCursor"]);
        Assert.Equal(new[] { idle, main }.Order(StringComparer.Ordinal), new[] { page1, page2 }.Select(p => (string)p["sessions"]![0]!["sessionId"]!).Order(StringComparer.Ordinal));
        var mainInfo = new[] { page1, page2 }.Select(p => p["sessions"]![0]!).Single(s => (string?)s["sessionId"] == main);
        Assert.Equal("Read the readme", (string?)mainInfo["title"]);
        Assert.Equal(workspace.Root, (string?)mainInfo["cwd"]);
        Assert.True(DateTimeOffset.TryParse((string?)mainInfo["updatedAt"], out _), mainInfo.ToJsonString());
        Assert.Equal([inSub], second.Step(3)["result"]!["sessions"]!.AsArray().Select(s => (string)s!["sessionId"]!));

        var load = second.Step(4);
        Assert.True(load["error"] is null, $"load failed: {load["error"]?.ToJsonString()}\n{second.Stderr}");
        var replay = Replayed(second, 4);
        Assert.Equal(
            ["user_message_chunk", "agent_thought_chunk", "agent_message_chunk", "tool_call", "tool_call_update", "agent_message_chunk"],
            replay.Select(u => (string)u["sessionUpdate"]!));
        Assert.Equal("Read the readme", (string?)replay[0]["content"]!["text"]);
        Assert.Equal("Read the readme first.", (string?)replay[1]["content"]!["text"]);
        Assert.Equal("Let me look.", (string?)replay[2]["content"]!["text"]);
        Assert.Equal("read", (string?)replay[3]["kind"]);
        Assert.Equal(Path.Combine(workspace.Root, "README.md"), (string?)replay[3]["locations"]![0]!["path"]);
        Assert.Equal((string?)replay[3]["toolCallId"], (string?)replay[4]["toolCallId"]);
        Assert.Equal("completed", (string?)replay[4]["status"]);
        Assert.Contains("quickstart", (string?)replay[4]["content"]![0]!["content"]!["text"], StringComparison.OrdinalIgnoreCase);
        Assert.Equal("It is a quickstart example.", (string?)replay[5]["content"]!["text"]);

        // The loaded session continues: the model's request carries the history (the script's third turn is chosen, its expectation holds).
        var next = second.Step(5);
        Assert.True(next["error"] is null, $"prompt failed: {next["error"]?.ToJsonString()}\n{second.Stderr}");
        Assert.Equal("end_turn", (string?)next["result"]!["stopReason"]);
        Assert.Equal("Continuing from the readme.", string.Concat(second.Updates(5).Where(u => (string?)u["sessionUpdate"] == "agent_message_chunk").Select(u => (string?)u["content"]!["text"])));

        Assert.True(second.Step(6)["error"] is null, second.Step(6).ToJsonString());
        Assert.Equal(-32002, (int)second.Step(7)["error"]!["code"]!);
        Assert.True(second.Step(8)["error"] is null, second.Step(8).ToJsonString());
        Assert.Equal([idle], second.Step(9)["result"]!["sessions"]!.AsArray().Select(s => (string)s!["sessionId"]!));
        Assert.Equal(-32602, (int)second.Step(10)["error"]!["code"]!);
        Assert.Contains("nextCursor", (string?)second.Step(10)["error"]!["message"], StringComparison.Ordinal);
        Assert.Empty(AcpSchema.Problems(second));

        var after = await workspace.RunAsync("session", "list", "--all", "--json");
        Assert.DoesNotContain(JsonDocument.Parse(after.Output).RootElement.EnumerateArray(), s => s.GetProperty("id").GetString() == main);
    }

    [AcpFact]
    public async Task ASessionOfAgentRun_LoadsOverAcpWithItsHistory_AndWhileAnotherProcessHoldsIt_IsRefusedNamingTheHolder()
    {
        using var workspace = new RunWorkspace();
        // The second prompt's model turn never answers: the process running it holds the session meanwhile.
        var model = "scripted/" + workspace.WriteScript(ReadmeTurns + """
              - delay_ms: 600000
                text: never reached
            """);
        var run = await workspace.RunAsync("run", "Summarise the readme", "-p", "scripted", "-m", model);
        Assert.True(run.ExitCode == 0, run.Error);
        var id = JsonDocument.Parse((await workspace.RunAsync("session", "list", "--json")).Output).RootElement[0].GetProperty("id").GetString()!;

        var loaded = await AcpClient.RunAsync(
            workspace,
            [
                Step("initialize"),
                new JsonObject { ["op"] = "collect", ["method"] = "session/load", ["session"] = id, ["params"] = new JsonObject { ["sessionId"] = id, ["cwd"] = workspace.Root, ["mcpServers"] = new JsonArray() } },
            ],
            args: ["--plugin", "scripted", "--model", model]);
        Assert.True(loaded.Step(1)["error"] is null, $"load failed: {loaded.Step(1)["error"]?.ToJsonString()}\n{loaded.Stderr}");
        var replay = Replayed(loaded, 1);
        Assert.Equal("Summarise the readme", (string?)replay[0]["content"]!["text"]);
        Assert.Equal(["user_message_chunk", "agent_thought_chunk", "agent_message_chunk", "tool_call", "tool_call_update", "agent_message_chunk"], replay.Select(u => (string)u["sessionUpdate"]!));
        Assert.Equal(0, loaded.ExitCode);
        Assert.Empty(AcpSchema.Problems(loaded));

        // Another process runs the session (its model is slow): a load is refused at once, saying who holds it.
        using var holder = AgentProcess.Start(workspace.Root, workspace.Environment, "run", "--session", id, "-o", "json", "-p", "scripted", "-m", model, "And the tests?");
        var holderError = holder.StandardError.ReadToEndAsync();
        try
        {
            while (await holder.StandardOutput.ReadLineAsync() is { } line && !line.Contains("\"run.started\"", StringComparison.Ordinal))
            {
            }

            var refused = await AcpClient.RunAsync(
                workspace,
                [
                    Step("initialize"),
                    Request("session/resume", new JsonObject { ["sessionId"] = id, ["cwd"] = workspace.Root }),
                ],
                args: ["--plugin", "scripted", "--model", model]);
            var error = refused.Step(1)["error"];
            Assert.True(error is not null, $"the resume of a held session succeeded: {refused.Step(1).ToJsonString()}; the holder said: {(holder.HasExited ? await holderError : "(running)")}");
            Assert.Equal(-32600, (int)error!["code"]!);
            Assert.Contains($"session {id} is in use by process {holder.Id}", (string?)error["message"], StringComparison.Ordinal);
            Assert.Equal(0, refused.ExitCode);
            Assert.Empty(AcpSchema.Problems(refused));
        }
        finally
        {
            holder.Kill(entireProcessTree: true);
            await holder.WaitForExitAsync();
        }
    }

    [AcpFact]
    public async Task TheEditorGoesAwayMidTurn_TheRunIsCancelled_TheSessionSaved_AndTheNextProcessLoadsIt()
    {
        using var workspace = new RunWorkspace();
        var model = "scripted/" + workspace.WriteScript("""
            turns:
              - text: Looking.
                tool_calls:
                  - name: view
                    arguments: { path: README.md }
              - delay_ms: 600000
                text: never reached
            """);
        var first = await AcpClient.RunAsync(
            workspace,
            [
                Step("initialize"),
                NewSession(workspace.Root, "session"),
                new JsonObject { ["op"] = "abandon", ["session"] = "$session", ["text"] = "Look at the readme", ["after"] = "tool_call_update" },
            ],
            args: ["--plugin", "scripted", "--model", model]);
        var id = (string)first.Step(1)["result"]!["sessionId"]!;
        var abandoned = first.Step(2);
        Assert.True((int?)abandoned["exitCode"] == 0, $"agent acp exited {abandoned["exitCode"]}: {first.Stderr}");
        Assert.Empty(AcpSchema.Problems(first));

        var second = await AcpClient.RunAsync(
            workspace,
            [
                Step("initialize"),
                new JsonObject { ["op"] = "collect", ["method"] = "session/load", ["session"] = id, ["params"] = new JsonObject { ["sessionId"] = id, ["cwd"] = workspace.Root, ["mcpServers"] = new JsonArray() } },
                Request("session/close", new JsonObject { ["sessionId"] = id }),
            ],
            args: ["--plugin", "scripted", "--model", model]);
        Assert.True(second.Step(1)["error"] is null, $"load failed: {second.Step(1)["error"]?.ToJsonString()}\n{second.Stderr}");
        var replay = Replayed(second, 1);
        Assert.Equal(["user_message_chunk", "agent_message_chunk", "tool_call", "tool_call_update"], replay.Select(u => (string)u["sessionUpdate"]!));
        Assert.Equal("Look at the readme", (string?)replay[0]["content"]!["text"]);
        Assert.Equal("Looking.", (string?)replay[1]["content"]!["text"]);
        Assert.Equal("completed", (string?)replay[3]["status"]);
        Assert.True(second.Step(2)["error"] is null, second.Step(2).ToJsonString());
        Assert.Equal(0, second.ExitCode);
        Assert.Empty(AcpSchema.Problems(second));
    }

    [AcpFact]
    public async Task CloseDuringATurn_CancelsIt_ReleasesTheSession_AndItResumesAtOnce()
    {
        using var workspace = new RunWorkspace();
        var model = "scripted/" + workspace.WriteScript("""
            turns:
              - text: Working on it, slowly and carefully, one piece at a time.
                chunk_delay_ms: 600000
            """);
        var run = await AcpClient.RunAsync(
            workspace,
            [
                Step("initialize"),
                NewSession(workspace.Root, "session"),
                new JsonObject { ["op"] = "during", ["session"] = "$session", ["text"] = "Go", ["after"] = "agent_message_chunk", ["method"] = "session/close", ["params"] = new JsonObject { ["sessionId"] = "$session" } },
                Request("session/resume", new JsonObject { ["sessionId"] = "$session", ["cwd"] = workspace.Root }),
                Request("session/close", new JsonObject { ["sessionId"] = "$session" }),
            ],
            args: ["--plugin", "scripted", "--model", model]);

        var close = run.Step(2);
        Assert.True(close["error"] is null, $"close failed: {close.ToJsonString()}\n{run.Stderr}");
        Assert.Equal("cancelled", (string?)close["prompt"]!["result"]?["stopReason"]);
        Assert.True(run.Step(3)["error"] is null, $"resume after close failed: {run.Step(3).ToJsonString()}");
        Assert.True(run.Step(4)["error"] is null, run.Step(4).ToJsonString());
        Assert.Equal(0, run.ExitCode);
        Assert.Empty(AcpSchema.Problems(run));
    }

    private static JsonObject Step(string op) => new() { ["op"] = op };

    private static JsonObject NewSession(string cwd, string save) => new()
    {
        ["op"] = "request",
        ["method"] = "session/new",
        ["params"] = new JsonObject { ["cwd"] = cwd, ["mcpServers"] = new JsonArray() },
        ["save"] = new JsonObject { [save] = "sessionId" },
    };

    private static JsonObject Prompt(string session, string text) => new() { ["op"] = "prompt", ["session"] = session, ["text"] = text };

    private static JsonObject Request(string method, JsonObject parameters, JsonObject? save = null)
    {
        var step = new JsonObject { ["op"] = "request", ["method"] = method, ["params"] = parameters };
        if (save is not null)
        {
            step["save"] = save;
        }

        return step;
    }

    /// <summary>A load's updates without the commands update, which an opened session sends on its own, in parallel with the replay.</summary>
    private static List<JsonObject> Replayed(AcpRun run, int step) =>
        [.. run.Updates(step).Where(u => (string?)u["sessionUpdate"] != "available_commands_update")];
}
