using AgentHost.Tests.Support;

namespace AgentHost.Tests.Runs;

/// <summary>The permission rules decide every tool call of a real `agent run` and `agent tool run`.</summary>
public sealed class RunPermissionTests
{
    [Fact]
    public async Task DenyRule_BlocksTheCall_TheModelGetsTheReason_AndTheRunGoesOn()
    {
        using var ws = new RunWorkspace();
        ws.WriteProjectConfig("permissions:\n  deny:\n    - read(README.md)\n");
        var script = ws.WriteScript("""
            turns:
              - tool_calls: [{ name: view, arguments: { path: README.md } }]
              - expect: { tool_results_contain: [README.md] }
                text: The README is off limits, so I stopped.
            """);

        var result = await ws.RunAsync("run", "read it", "-p", "scripted", "-p", "files", "-m", "scripted/" + script, "-o", "json");

        Assert.True(result.ExitCode == ExitCodes.Denied, result.Error); // every tool call was denied: exit 5 (#19 item 5)
        var events = RunWorkspace.Events(result.Output);
        var decision = events.Single(e => e.GetProperty("type").GetString() == "permission.decided");
        Assert.Equal("deny", decision.GetProperty("decision").GetString());
        Assert.Contains("config.yaml:3", decision.GetProperty("reason").GetString(), StringComparison.Ordinal);
        var completed = events.Single(e => e.GetProperty("type").GetString() == "tool.completed");
        Assert.Equal("denied", completed.GetProperty("status").GetString());
        Assert.DoesNotContain("Quickstart workspace", completed.GetProperty("resultPreview").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ToolRun_InPlanMode_AllowsReads_AndADenyRuleExitsWithTheDeniedCode()
    {
        using var ws = new RunWorkspace();

        var allowed = await ws.RunAsync("tool", "run", "view", "--args", "{\"path\":\"README.md\",\"limit\":1}", "-p", "files", "--permission-mode", "plan", "--root", ws.Root);
        var denied = await ws.RunAsync("tool", "run", "view", "--args", "{\"path\":\"README.md\"}", "-p", "files", "--root", ws.Root, "-c", "permissions.deny.0=view");

        Assert.True(allowed.ExitCode == ExitCodes.Success, allowed.Error);
        Assert.Contains("Quickstart workspace", allowed.Output, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Denied, denied.ExitCode);
        Assert.Contains("denied", denied.Error, StringComparison.Ordinal);
    }
}
