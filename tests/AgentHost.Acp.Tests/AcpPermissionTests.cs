using System.Text.Json;
using System.Text.Json.Nodes;
using AgentHost.Tests.Runs;

namespace AgentHost.Acp.Tests;

/// <summary>
/// The person behind the editor answers permission requests: <c>agent acp</c> sends each ask as
/// <c>session/request_permission</c> and applies the answer (once, always for the project, reject), and a client that
/// goes away without answering gets the ask denied and the process ends.
/// </summary>
public sealed class AcpPermissionTests
{
    private static readonly string[] Plugins = ["--plugin", "scripted", "--plugin", "files"];

    [AcpFact]
    public async Task AllowOnce_RejectOnce_AllowAlways_AreTheEditorsAnswers_AndAlwaysWritesTheProjectRule()
    {
        using var workspace = new RunWorkspace();
        var script = workspace.WriteScript("""
            turns:
              - tool_calls: [{ name: write, arguments: { path: once.txt, content: "once\n" } }]
              - expect: { tool_results_contain: ["once.txt"] }
                text: wrote once.
              - tool_calls: [{ name: write, arguments: { path: rejected.txt, content: "no\n" } }]
              - expect: { tool_results_contain: ["denied by the user (acp)"] }
                text: the user said no.
              - tool_calls: [{ name: write, arguments: { path: always.txt, content: "first\n" } }]
              - tool_calls: [{ name: write, arguments: { path: always.txt, content: "second\n" } }]
              - expect: { tool_results_contain: ["always.txt"] }
                text: wrote twice.
            """);
        var run = await RunAsync(workspace, script, ["allow_once", "reject_once", "allow_always"], Prompt("write once.txt"), Prompt("write rejected.txt"), Prompt("write always.txt twice"));

        Assert.True(run.ExitCode == 0, $"agent acp exited {run.ExitCode}: {run.Stderr}");
        var session = run.Step(1)["result"]!;
        Assert.Equal("ask", (string?)session["modes"]!["currentModeId"]);
        foreach (var index in (int[])[2, 3, 4])
        {
            Assert.True(run.Step(index)["error"] is null, $"prompt {index} failed: {run.Step(index)["error"]?.ToJsonString()}\n{run.Stderr}");
            Assert.Equal("end_turn", (string?)run.Step(index)["result"]!["stopReason"]);
        }

        // Three asks, not four: the second write of always.txt is covered by the rule allow_always wrote.
        var requests = run.Output["permissionRequests"]!.AsArray();
        Assert.Equal(3, requests.Count);
        var first = requests[0]!;
        var call = run.Updates(2).First(u => (string?)u["sessionUpdate"] == "tool_call");
        Assert.Equal((string?)call["toolCallId"], (string?)first["toolCall"]!["toolCallId"]);
        Assert.Equal("write: once.txt", (string?)first["toolCall"]!["title"]);
        Assert.Equal("edit", (string?)first["toolCall"]!["kind"]);
        Assert.Equal("once.txt", (string?)first["toolCall"]!["rawInput"]!["path"]);
        Assert.Equal(["allow_once", "allow_always", "reject_once", "reject_always"], first["options"]!.AsArray().Select(o => (string?)o!["kind"]));

        Assert.Equal("once\n", File.ReadAllText(Path.Combine(workspace.Root, "once.txt")));
        Assert.False(File.Exists(Path.Combine(workspace.Root, "rejected.txt")));
        Assert.Equal("failed", (string?)run.Updates(3).Last(u => (string?)u["sessionUpdate"] == "tool_call_update")["status"]);
        Assert.Equal("second\n", File.ReadAllText(Path.Combine(workspace.Root, "always.txt")));
        Assert.Contains("write(always.txt)", File.ReadAllText(Path.Combine(workspace.Root, ".agent", "config.yaml")), StringComparison.Ordinal);

        Assert.Empty(AcpSchema.Problems(run));
    }

    [AcpFact]
    public async Task RejectAlways_DeniesTheSameCallsWithoutAsking_ACancelledOutcomeDenies_AndAskUserWithoutFormsIsNotAvailable()
    {
        using var workspace = new RunWorkspace();
        var script = workspace.WriteScript("""
            turns:
              - tool_calls: [{ name: ask_user, arguments: { question: "May I?" } }]
              - expect: { tool_results_contain: ["No answer: nobody is present to answer"] }
                tool_calls: [{ name: write, arguments: { path: never.txt, content: "no\n" } }]
              - tool_calls: [{ name: write, arguments: { path: never.txt, content: "still no\n" } }]
              - expect: { tool_results_contain: ["rejected write(never.txt) for the rest of the session"] }
                text: understood.
              - tool_calls: [{ name: write, arguments: { path: other.txt, content: "x\n" } }]
              - expect: { tool_results_contain: ["cancelled in the editor"] }
                text: not written.
            """);
        var run = await RunAsync(workspace, script, ["reject_always", "cancelled"], Prompt("write never.txt"), Prompt("write other.txt"));

        Assert.True(run.ExitCode == 0, $"agent acp exited {run.ExitCode}: {run.Stderr}");
        Assert.True(run.Step(2)["error"] is null && run.Step(3)["error"] is null, run.Stderr + run.Step(2).ToJsonString() + run.Step(3).ToJsonString());
        Assert.Equal(2, run.Output["permissionRequests"]!.AsArray().Count);
        Assert.False(File.Exists(Path.Combine(workspace.Root, "never.txt")));
        Assert.False(File.Exists(Path.Combine(workspace.Root, "other.txt")));
        Assert.Empty(AcpSchema.Problems(run));
    }

    [AcpFact]
    public async Task AClientThatNeverAnswers_AndCloses_GetsTheAskDenied_AndTheAgentExits()
    {
        using var workspace = new RunWorkspace();
        var script = workspace.WriteScript("""
            turns:
              - tool_calls: [{ name: write, arguments: { path: pending.txt, content: "no\n" } }]
              - text: never reached.
            """);
        var run = await RunAsync(workspace, script, ["ignore"], new JsonObject { ["op"] = "promptAndLeave", ["session"] = "$session", ["text"] = "write pending.txt" });

        Assert.True(run.ExitCode == 0, $"agent acp exited {run.ExitCode}: {run.Stderr}");
        Assert.Single(run.Output["permissionRequests"]!.AsArray());
        Assert.False(File.Exists(Path.Combine(workspace.Root, "pending.txt")));

        // The session was released: another process reads its audit at once, and nothing allowed the write.
        var audit = await workspace.RunAsync("session", "audit", (string)run.Step(1)["result"]!["sessionId"]!, "--json");
        Assert.True(audit.ExitCode == 0, audit.Error);
        var decisions = JsonDocument.Parse(audit.Output).RootElement.GetProperty("decisions").EnumerateArray().ToList();
        Assert.DoesNotContain(decisions, d => d.GetProperty("decision").GetString() == "allow");
        Assert.Empty(AcpSchema.Problems(run));
    }

    [AcpFact]
    public async Task AskUser_GoesToTheEditorsForm_WhenItAnnouncedElicitation_AndADeclineEndsItUnanswered()
    {
        using var workspace = new RunWorkspace();
        var script = workspace.WriteScript("""
            turns:
              - tool_calls: [{ name: ask_user, arguments: { question: "Which colour?", options: [red, blue] } }]
              - expect: { tool_results_contain: ["blue"] }
                tool_calls: [{ name: ask_user, arguments: { question: "Anything else?" } }]
              - expect: { tool_results_contain: ["No answer: the user declined to answer"] }
                text: blue it is.
            """);
        var withForms = new JsonObject { ["protocolVersion"] = 1, ["clientCapabilities"] = new JsonObject { ["elicitation"] = new JsonObject { ["form"] = new JsonObject() } } };
        var run = await AcpClient.RunAsync(
            workspace,
            [new JsonObject { ["op"] = "initialize", ["params"] = withForms }, NewSession(workspace), Prompt("pick a colour")],
            permission: null,
            elicitation: [new JsonObject { ["action"] = "accept", ["content"] = new JsonObject { ["answer"] = "blue" } }, new JsonObject { ["action"] = "decline" }],
            args: [.. Plugins, "--model", "scripted/" + script]);

        Assert.True(run.ExitCode == 0, $"agent acp exited {run.ExitCode}: {run.Stderr}");
        Assert.True(run.Step(2)["error"] is null, run.Step(2).ToJsonString() + run.Stderr);
        var asked = run.Output["elicitations"]!.AsArray();
        Assert.Equal(2, asked.Count);
        Assert.Equal(("form", "Which colour?"), ((string?)asked[0]!["mode"], (string?)asked[0]!["message"]));
        Assert.Equal(["red", "blue"], asked[0]!["requestedSchema"]!["properties"]!["answer"]!["enum"]!.AsArray().Select(o => (string?)o));
        Assert.Empty(AcpSchema.Problems(run));
    }

    /// <summary>initialize, session/new, then <paramref name="steps"/>, against the scripted model and the file tools.</summary>
    private static Task<AcpRun> RunAsync(RunWorkspace workspace, string script, IReadOnlyList<string> permission, params JsonObject[] steps) =>
        AcpClient.RunAsync(
            workspace,
            [new JsonObject { ["op"] = "initialize" }, NewSession(workspace), .. steps],
            permission,
            args: [.. Plugins, "--model", "scripted/" + script]);

    internal static JsonObject NewSession(RunWorkspace workspace) => new()
    {
        ["op"] = "request",
        ["method"] = "session/new",
        ["params"] = new JsonObject { ["cwd"] = workspace.Root, ["mcpServers"] = new JsonArray() },
        ["save"] = new JsonObject { ["session"] = "sessionId" },
    };

    internal static JsonObject Prompt(string text) => new() { ["op"] = "prompt", ["session"] = "$session", ["text"] = text };
}
