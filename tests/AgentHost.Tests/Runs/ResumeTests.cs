using System.Text.Json;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Runs;

public sealed class ResumeTests
{
    [Fact]
    public async Task KilledMidTool_LosesNothingAcknowledged_AndResumesFromTheSession()
    {
        using var ws = new RunWorkspace();
        var gate = ws.Combine("gate.txt");
        var script = ws.WriteScript($$"""
            turns:
              - text: Waiting for the gate.
                tool_calls:
                  - name: wait_for_file
                    arguments: { path: "{{gate.Replace("\\", "/", StringComparison.Ordinal)}}" }
              - expect:
                  last_user_contains: carry on
                  tool_results_contain: [interrupted]
                text: The earlier call was interrupted; finishing now.
            """);
        using var agent = AgentProcess.Start(ws.Root, ws.Environment, "run", "hold on", "-p", "scripted", "-p", Fixtures.PathOf("Fixture.Echo"), "-m", "scripted/" + script, "-o", "json");

        string? sessionId = null;
        while (await agent.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(1)) is { } line)
        {
            var e = JsonDocument.Parse(line).RootElement;
            sessionId ??= e.TryGetProperty("sessionId", out var id) ? id.GetString() : null;
            if (e.GetProperty("type").GetString() == "tool.started")
            {
                break;
            }
        }

        agent.Kill(entireProcessTree: true);
        await agent.WaitForExitAsync();
        Assert.NotNull(sessionId);

        var history = await ws.RunAsync("session", "history", sessionId!, "--json");
        Assert.Contains("hold on", history.Output, StringComparison.Ordinal);
        Assert.Contains("wait_for_file", history.Output, StringComparison.Ordinal);

        var resumed = await ws.RunAsync("run", "carry on", "--session", sessionId!, "-p", "scripted", "-p", Fixtures.PathOf("Fixture.Echo"), "-m", "scripted/" + script, "-o", "final");

        Assert.True(resumed.ExitCode == ExitCodes.Success, resumed.Error);
        Assert.Equal("The earlier call was interrupted; finishing now.", resumed.Output.Trim());
    }

    [Fact]
    public async Task KilledAfterTwoCompletedSteps_KeepsExactlyThoseSteps_AndTheThirdCall()
    {
        // Each step stores the model's answer with its usage in one transaction before its calls run, and each call's
        // result with its tool event in one transaction after it ran: a kill during the third call keeps the two
        // completed steps whole and the third call's request, with no result and no event for it.
        using var ws = new RunWorkspace();
        var gate = ws.Combine("gate.txt");
        var script = ws.WriteScript($$"""
            turns:
              - text: First.
                tool_calls:
                  - name: echo
                    arguments: { text: one }
              - text: Second.
                tool_calls:
                  - name: echo
                    arguments: { text: two }
              - text: Third, waiting.
                tool_calls:
                  - name: wait_for_file
                    arguments: { path: "{{gate.Replace("\\", "/", StringComparison.Ordinal)}}" }
            """);
        using var agent = AgentProcess.Start(ws.Root, ws.Environment, "run", "count with me", "-p", "scripted", "-p", Fixtures.PathOf("Fixture.Echo"), "-m", "scripted/" + script, "-o", "json");

        string? sessionId = null;
        var started = 0;
        while (await agent.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(1)) is { } line)
        {
            var e = JsonDocument.Parse(line).RootElement;
            sessionId ??= e.TryGetProperty("sessionId", out var id) ? id.GetString() : null;
            if (e.GetProperty("type").GetString() == "tool.started" && ++started == 3)
            {
                break;
            }
        }

        agent.Kill(entireProcessTree: true);
        await agent.WaitForExitAsync();
        Assert.NotNull(sessionId);

        var messages = await ws.RunAsync("session", "history", sessionId!, "--json");
        var tools = await ws.RunAsync("session", "history", sessionId!, "--kind", "tools", "--json");

        Assert.True(messages.ExitCode == ExitCodes.Success, messages.Error);
        Assert.True(tools.ExitCode == ExitCodes.Success, tools.Error);
        var roles = JsonDocument.Parse(messages.Output).RootElement.GetProperty("items").EnumerateArray().Select(m => m.GetProperty("role").GetString()).ToList();
        Assert.Equal(["user", "assistant", "tool", "assistant", "tool", "assistant"], roles);
        Assert.Contains("wait_for_file", messages.Output, StringComparison.Ordinal);
        Assert.Contains("echo: two", messages.Output, StringComparison.Ordinal);
        var events = JsonDocument.Parse(tools.Output).RootElement.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["echo", "echo"], events.Select(t => t.GetProperty("tool").GetString()));
        Assert.All(events, t => Assert.Equal("succeeded", t.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task Continue_ResumesTheNewestSessionOfTheWorkspace_AndInlineReferencesReachTheModel()
    {
        using var ws = new RunWorkspace();
        var script = ws.WriteScript("""
            turns:
              - expect: { last_user_contains: '<context ref="README.md" kind="file">' }
                text: I read the README you attached.
              - expect: { last_user_contains: and then? }
                text: Still the same session.
            """);

        var first = await ws.RunAsync("run", "Look at @README.md please", "-p", "scripted", "-m", "scripted/" + script, "-o", "final");
        var second = await ws.RunAsync("run", "and then?", "--continue", "-p", "scripted", "-m", "scripted/" + script, "-o", "final");
        var list = await ws.RunAsync("session", "list", "--json");

        Assert.True(first.ExitCode == ExitCodes.Success, first.Error);
        Assert.True(second.ExitCode == ExitCodes.Success, second.Error);
        Assert.Equal("Still the same session.", second.Output.Trim());
        Assert.Single(JsonDocument.Parse(list.Output).RootElement.EnumerateArray());
    }
}
