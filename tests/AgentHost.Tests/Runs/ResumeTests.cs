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
