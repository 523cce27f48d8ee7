using System.Text.Json.Nodes;
using AgentHost.Tests.Runs;

namespace AgentHost.Acp.Tests;

/// <summary>
/// What the editor offers a session of <c>agent acp</c>: its MCP servers at <c>session/new</c> (started with the
/// session, their tools called by the model) and its files (<c>fs/read_text_file</c>, <c>fs/write_text_file</c>: the
/// file tools read its buffers and write into it, not the disk). Every message the agent sends valid against the schema.
/// </summary>
public sealed class AcpClientCapabilityTests
{
    [AcpMcpFact]
    public async Task McpServersFromTheEditor_StartWithTheSession_ReplaceAConfiguredNamesake_AndBadEntriesAreRefused()
    {
        var everything = Path.Combine(AcpMcpFactAttribute.EverythingBin!, "mcp-server-everything");
        using var workspace = new RunWorkspace();
        // A configured server of the same name that cannot start: the editor's replaces it for this session, and takes none of its settings.
        workspace.WriteUserConfig("""
            mcp:
              servers:
                everything: { command: /nonexistent/configured-everything, env: { CONFIGURED_TOKEN: from-config } }
            """);
        var script = workspace.WriteScript("""
            turns:
              - tool_calls:
                  - name: mcp__everything__echo
                    arguments: { message: hello from the editor }
              - expect: { tool_results_contain: ["Echo: hello from the editor"] }
                tool_calls:
                  - name: mcp__everything__get-env
                    arguments: {}
              - expect: { tool_results_contain: ["EDITOR_VARIABLE", "set-by-the-editor"] }
                text: The editor's server answered.
            """);
        JsonObject Stdio(string name) => new()
        {
            ["name"] = name,
            ["command"] = everything,
            ["args"] = new JsonArray("stdio"),
            ["env"] = new JsonArray(new JsonObject { ["name"] = "EDITOR_VARIABLE", ["value"] = "set-by-the-editor" }),
        };
        JsonObject NewSession(params JsonNode[] servers) => new()
        {
            ["op"] = "request",
            ["method"] = "session/new",
            ["params"] = new JsonObject { ["cwd"] = workspace.Root, ["mcpServers"] = new JsonArray(servers) },
            ["save"] = new JsonObject { ["session"] = "sessionId" },
        };
        var run = await AcpClient.RunAsync(
            workspace,
            [
                new JsonObject { ["op"] = "initialize" },
                NewSession(new JsonObject { ["name"] = "bad name!", ["command"] = everything, ["args"] = new JsonArray(), ["env"] = new JsonArray() }),
                NewSession(new JsonObject { ["type"] = "http", ["name"] = "remote", ["url"] = "ftp://example.invalid/mcp", ["headers"] = new JsonArray() }),
                NewSession(Stdio("everything"), Stdio("everything")),
                NewSession(Stdio("everything")),
                new JsonObject { ["op"] = "prompt", ["session"] = "$session", ["text"] = "Use the editor's server." },
            ],
            permission: ["allow_once"],
            args: ["--plugin", "scripted", "--model", "scripted/" + script]);

        Assert.True(run.ExitCode == 0, $"agent acp exited {run.ExitCode}: {run.Stderr}");
        var mcp = run.Step(0)["result"]!["agentCapabilities"]!["mcpCapabilities"]!;
        Assert.True((bool)mcp["http"]! && (bool)mcp["sse"]!, mcp.ToJsonString());
        AssertInvalidParams(run.Step(1), "mcpServers[0]", "'bad name!'");
        AssertInvalidParams(run.Step(2), "mcpServers[0]", "absolute http(s) URL");
        AssertInvalidParams(run.Step(3), "mcpServers[1]", "given twice");
        Assert.True(run.Step(4)["error"] is null, $"session/new failed: {run.Step(4)["error"]?.ToJsonString()}\n{run.Stderr}");

        var prompt = run.Step(5);
        Assert.True(prompt["error"] is null, $"prompt failed: {prompt["error"]?.ToJsonString()}\n{run.Stderr}");
        Assert.Equal("end_turn", (string?)prompt["result"]!["stopReason"]);
        var done = run.Updates(5).Where(u => (string?)u["sessionUpdate"] == "tool_call_update" && (string?)u["status"] is "completed" or "failed").ToList();
        Assert.Equal(2, done.Count);
        Assert.All(done, u => Assert.Equal("completed", (string?)u["status"]));
        Assert.DoesNotContain("from-config", done[1].ToJsonString(), StringComparison.Ordinal);
        // The replacement is a warning the editor's agent log shows (standard error), never a protocol message.
        Assert.Contains("agent acp: warning", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("MCP server 'everything' of the editor", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("replaces the one of", run.Stderr, StringComparison.Ordinal);

        Assert.Empty(AcpSchema.Problems(run));
    }

    [AcpFact]
    public async Task FilesThroughTheEditor_ViewShowsTheBuffer_EditAndWriteGoToTheEditor_AndTheDiskIsUnchanged()
    {
        using var workspace = new RunWorkspace();
        var notes = Path.Combine(workspace.Root, "notes.txt");
        var created = Path.Combine(workspace.Root, "docs", "new.md");
        await File.WriteAllTextAsync(notes, "saved on disk\nsecond line\n");
        // Edits allowed without an ask: this test is about where the content goes, not about the editor's permission answers.
        workspace.WriteUserConfig("permissions: { mode: accept-edits }\n");
        var script = workspace.WriteScript("""
            turns:
              - tool_calls:
                  - name: view
                    arguments: { path: notes.txt }
              - expect: { tool_results_contain: ["unsaved in the editor"] }
                tool_calls:
                  - name: edit
                    arguments: { path: notes.txt, old_string: unsaved in the editor, new_string: edited by the agent }
              - expect: { tool_results_contain: ["Edited 'notes.txt'"] }
                tool_calls:
                  - name: multi_edit
                    arguments: { path: notes.txt, edits: [{ old_string: second line, new_string: "second line, revised" }] }
              - expect: { tool_results_contain: ["Edited 'notes.txt' with 1 edit"] }
                tool_calls:
                  - name: write
                    arguments: { path: docs/new.md, content: "# New\n" }
              - expect: { tool_results_contain: ["Created 'docs/new.md'"] }
                text: Done.
            """);
        var run = await AcpClient.RunScenarioAsync(
            workspace,
            [
                new JsonObject
                {
                    ["op"] = "initialize",
                    ["params"] = new JsonObject
                    {
                        ["protocolVersion"] = 1,
                        ["clientCapabilities"] = new JsonObject { ["fs"] = new JsonObject { ["readTextFile"] = true, ["writeTextFile"] = true } },
                    },
                },
                new JsonObject { ["op"] = "request", ["method"] = "session/new", ["params"] = new JsonObject { ["cwd"] = workspace.Root, ["mcpServers"] = new JsonArray() }, ["save"] = new JsonObject { ["session"] = "sessionId" } },
                new JsonObject { ["op"] = "prompt", ["session"] = "$session", ["text"] = "Tidy the notes." },
            ],
            new JsonObject
            {
                ["permission"] = new JsonArray("allow_once"),
                ["files"] = new JsonObject { [notes] = "unsaved in the editor\nsecond line\n" },
            },
            "--plugin", "scripted", "--model", "scripted/" + script);

        Assert.True(run.ExitCode == 0, $"agent acp exited {run.ExitCode}: {run.Stderr}");
        var prompt = run.Step(2);
        Assert.True(prompt["error"] is null, $"prompt failed: {prompt["error"]?.ToJsonString()}\n{run.Stderr}");
        Assert.Equal("end_turn", (string?)prompt["result"]!["stopReason"]);
        Assert.Equal([notes, notes, notes], run.Output["fileReads"]!.AsArray().Select(p => (string?)p));
        var writes = run.Output["fileWrites"]!.AsArray().Select(w => ((string?)w!["path"], (string?)w["content"])).ToList();
        Assert.Equal(
            [
                (notes, "edited by the agent\nsecond line\n"),
                (notes, "edited by the agent\nsecond line, revised\n"),
                (created, "# New\n"),
            ],
            writes);
        Assert.Equal("saved on disk\nsecond line\n", await File.ReadAllTextAsync(notes));
        Assert.False(File.Exists(created), "the new file was written to the disk, not the editor");

        Assert.Empty(AcpSchema.Problems(run));
    }

    private static void AssertInvalidParams(JsonObject step, params string[] contains)
    {
        var error = step["error"] ?? throw new Xunit.Sdk.XunitException($"expected an error, got {step.ToJsonString()}");
        Assert.Equal(-32602, (int)error["code"]!);
        foreach (var text in contains)
        {
            Assert.Contains(text, (string?)error["message"] ?? string.Empty, StringComparison.Ordinal);
        }
    }
}
