using System.Text.Json.Nodes;
using AgentHost.Tests.Runs;

namespace AgentHost.Acp.Tests;

/// <summary>
/// <c>agent acp</c> driven by the official ACP SDK: initialize, a new session, a prompt whose answer streams as
/// updates; every message the agent sends valid against the protocol's schema.
/// </summary>
public sealed class AcpPromptTests
{
    [AcpFact]
    public async Task InitializeNewPrompt_StreamsThoughtsTextAndToolCalls_AndAnswersEndTurn_WithEveryMessageValid()
    {
        using var workspace = new RunWorkspace();
        var script = workspace.WriteScript("""
            turns:
              - reasoning: Read the readme first.
                text: Let me look.
                tool_calls:
                  - name: view
                    arguments: { path: README.md }
              - text: The project is a quickstart example.
            """);
        var run = await AcpClient.RunAsync(
            workspace,
            [
                new JsonObject { ["op"] = "initialize" },
                new JsonObject { ["op"] = "request", ["method"] = "session/new", ["params"] = new JsonObject { ["cwd"] = workspace.Root, ["mcpServers"] = new JsonArray() }, ["save"] = new JsonObject { ["session"] = "sessionId" } },
                new JsonObject { ["op"] = "prompt", ["session"] = "$session", ["text"] = "What is this project?" },
            ],
            args: ["--plugin", "scripted", "--model", "scripted/" + script]);

        Assert.True(run.ExitCode == 0, $"agent acp exited {run.ExitCode}: {run.Stderr}");
        var initialize = run.Step(0)["result"]!;
        Assert.Equal(1, (int)initialize["protocolVersion"]!);
        Assert.Equal("agenthost", (string?)initialize["agentInfo"]!["name"]);
        Assert.Matches("^[0-9A-Z]{26}$", (string?)run.Step(1)["result"]!["sessionId"] ?? "(none)");

        var prompt = run.Step(2);
        Assert.True(prompt["error"] is null, $"prompt failed: {prompt["error"]?.ToJsonString()}\n{run.Stderr}");
        Assert.Equal("end_turn", (string?)prompt["result"]!["stopReason"]);
        var updates = run.Updates(2);
        var kinds = updates.Select(u => (string)u["sessionUpdate"]!).ToList();
        Assert.Equal("Read the readme first.", string.Concat(updates.Where(u => (string?)u["sessionUpdate"] == "agent_thought_chunk").Select(u => (string?)u["content"]!["text"])));
        Assert.Equal("Let me look.The project is a quickstart example.", string.Concat(updates.Where(u => (string?)u["sessionUpdate"] == "agent_message_chunk").Select(u => (string?)u["content"]!["text"])));
        var call = updates.Single(u => (string?)u["sessionUpdate"] == "tool_call");
        Assert.Equal("read", (string?)call["kind"]);
        Assert.Equal(Path.Combine(workspace.Root, "README.md"), (string?)call["locations"]![0]!["path"]);
        Assert.Equal("README.md", (string?)call["rawInput"]!["path"]);
        var done = updates.Last(u => (string?)u["sessionUpdate"] == "tool_call_update");
        Assert.Equal((string?)call["toolCallId"], (string?)done["toolCallId"]);
        Assert.Equal("completed", (string?)done["status"]);
        Assert.True(kinds.IndexOf("tool_call") < kinds.LastIndexOf("agent_message_chunk"), string.Join(",", kinds));

        Assert.Empty(AcpSchema.Problems(run));
    }
}
