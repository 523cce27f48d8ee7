using System.Text.Json.Nodes;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Acp.Tests;

/// <summary>
/// The session's permission modes as ACP session modes, its model as a config option, the slash commands it
/// advertises and runs, and logging in (the terminal method, <c>agent acp --login</c>, <c>authenticate</c>, <c>logout</c>).
/// </summary>
public sealed class AcpModesTests
{
    [AcpFact]
    public async Task ModesModelAndCommands_SetModeNeverAsks_TheModelSwitchesTheNextRequest_AndASkillCommandActivatesTheSkill()
    {
        using var workspace = new RunWorkspace();
        var skill = workspace.Combine("home", "skills", "greet", "SKILL.md");
        Directory.CreateDirectory(Path.GetDirectoryName(skill)!);
        File.WriteAllText(skill, "---\nname: greet\ndescription: Greets the project warmly.\n---\nSay hello to everyone in the project.\n");
        Directory.CreateDirectory(workspace.Combine("home", "commands"));
        File.WriteAllText(workspace.Combine("home", "commands", "shout.md"), "---\ndescription: Shouts at someone.\nargument-hint: NAME\n---\nShout loudly at $ARGUMENTS.\n");
        var first = workspace.WriteScript("""
            turns:
              - tool_calls: [{ name: write, arguments: { path: edits.txt, content: "accepted\n" } }]
              - expect: { tool_results_contain: ["edits.txt"] }
                text: one done.
            """);
        var second = workspace.WriteScript("""
            turns:
              - text: (first model)
              - text: (first model)
              - expect: { last_user_contains: "<skill_content name=\"greet\">" }
                text: greeted by the second model.
              - expect: { last_user_contains: "Shout loudly at the team." }
                text: shouted.
            """);
        var run = await AcpClient.RunAsync(
            workspace,
            [
                new JsonObject { ["op"] = "initialize", ["params"] = new JsonObject { ["protocolVersion"] = 1, ["clientCapabilities"] = new JsonObject { ["auth"] = new JsonObject { ["terminal"] = true } } } },
                AcpPermissionTests.NewSession(workspace),
                new JsonObject { ["op"] = "waitUpdate", ["session"] = "$session", ["kind"] = "available_commands_update" },
                Request("session/set_mode", new JsonObject { ["sessionId"] = "$session", ["modeId"] = "accept-edits" }),
                new JsonObject { ["op"] = "waitUpdate", ["session"] = "$session", ["kind"] = "current_mode_update" },
                AcpPermissionTests.Prompt("write edits.txt"),
                Request("session/set_config_option", new JsonObject { ["sessionId"] = "$session", ["configId"] = "model", ["value"] = "scripted/" + second }),
                AcpPermissionTests.Prompt("/greet the team"),
                AcpPermissionTests.Prompt("/nope"),
                AcpPermissionTests.Prompt("/mode plan"),
                Request("session/set_mode", new JsonObject { ["sessionId"] = "$session", ["modeId"] = "careless" }),
                Request("authenticate", new JsonObject { ["methodId"] = "password" }),
                Request("logout", new JsonObject()),
                AcpPermissionTests.Prompt("/shout the team"),
            ],
            permission: ["reject_once"],
            args: ["--plugin", "scripted", "--plugin", "files", "--model", "scripted/" + first]);

        Assert.True(run.ExitCode == 0, $"agent acp exited {run.ExitCode}: {run.Stderr}");
        var method = Assert.Single(run.Step(0)["result"]!["authMethods"]!.AsArray())!;
        Assert.Equal(("terminal", "agent-auth-login"), ((string?)method["type"], (string?)method["id"]));
        Assert.Equal(["--login"], method["args"]!.AsArray().Select(a => (string?)a));

        var session = run.Step(1)["result"]!;
        Assert.Equal("ask", (string?)session["modes"]!["currentModeId"]);
        Assert.Equal(["ask", "accept-edits", "plan", "yolo", "dont-ask"], session["modes"]!["availableModes"]!.AsArray().Select(m => (string?)m!["id"]));
        var model = Assert.Single(session["configOptions"]!.AsArray())!;
        Assert.Equal(("model", "model", "select", "scripted/" + first), ((string?)model["id"], (string?)model["category"], (string?)model["type"], (string?)model["currentValue"]));

        var commands = run.Step(2)["result"]!["availableCommands"]!.AsArray().ToDictionary(c => (string)c!["name"]!, c => (string?)c!["description"]);
        Assert.Equal("Greets the project warmly.", commands["greet"]);
        Assert.Equal("Shouts at someone.", commands["shout"]);
        Assert.Contains("mode", commands.Keys);
        Assert.Contains("model", commands.Keys);

        Assert.Equal("accept-edits", (string?)run.Step(4)["result"]!["currentModeId"]);
        Assert.Equal("end_turn", (string?)run.Step(5)["result"]?["stopReason"]);
        Assert.Equal("accepted\n", File.ReadAllText(Path.Combine(workspace.Root, "edits.txt")));
        Assert.Empty(run.Output["permissionRequests"]!.AsArray());

        Assert.Equal("scripted/" + second, (string?)run.Step(6)["result"]!["configOptions"]![0]!["currentValue"]);
        Assert.True(run.Step(7)["error"] is null, run.Step(7).ToJsonString() + run.Stderr);
        Assert.Equal("greeted by the second model.", Text(run.Updates(7)));
        Assert.Contains("unknown command /nope", Text(run.Updates(8)), StringComparison.Ordinal);
        Assert.Contains("permission mode: plan", Text(run.Updates(9)), StringComparison.Ordinal);
        Assert.Contains(run.Updates(9), u => (string?)u["sessionUpdate"] == "current_mode_update" && (string?)u["currentModeId"] == "plan");
        Assert.Contains("'careless' is not a mode of this agent", (string?)run.Step(10)["error"]!["message"], StringComparison.Ordinal);
        Assert.Equal(-32602, (int?)run.Step(11)["error"]!["code"]);
        Assert.Contains("'password' is not an authentication method", (string?)run.Step(11)["error"]!["message"], StringComparison.Ordinal);
        Assert.True(run.Step(12)["error"] is null, run.Step(12).ToJsonString());
        Assert.Equal("shouted.", Text(run.Updates(13)));

        Assert.Empty(AcpSchema.Problems(run));
    }

    [Fact]
    public async Task Login_TheTerminalMethodsArgs_StoreTheProvidersKey_AsAgentAuthLogin()
    {
        using var workspace = new RunWorkspace();
        var environment = workspace.Environment;
        environment["AGENT_KEY_STORE"] = "file";

        var login = await AgentProcess.RunWithInputAsync(workspace.Root, environment, "sk-acp-login-123\n", "acp", "--login", "local");
        var status = await AgentProcess.RunAsync(workspace.Root, environment, "auth", "status");
        var noProvider = await AgentProcess.RunAsync(workspace.Root, environment, "acp", "--login");

        Assert.True(login.ExitCode == 0, login.Error);
        Assert.Contains("Stored the API key for local", login.Output, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^local\s+yes\s+stored in ", status.Output);
        Assert.NotEqual(0, noProvider.ExitCode);
        Assert.Contains("no provider given; nothing was stored", noProvider.Error, StringComparison.Ordinal);
    }

    private static JsonObject Request(string method, JsonObject parameters) => new() { ["op"] = "request", ["method"] = method, ["params"] = parameters };

    private static string Text(IReadOnlyList<JsonObject> updates) =>
        string.Concat(updates.Where(u => (string?)u["sessionUpdate"] == "agent_message_chunk").Select(u => (string?)u["content"]!["text"]));
}
