using AgentHost.Tests.Support;

namespace AgentHost.Tests.Runs;

/// <summary>`agent run` as a process with a plugin that blocks: in its registration, or in a tool that blocks its thread.</summary>
public sealed class BlockingPluginRunTests
{
    [Fact]
    [Trait("Speed", "Slow")]
    public async Task AgentRun_WithAPluginWhoseRegistrationNeverReturns_GoesOnWithoutIt_AndSaysWhy()
    {
        using var ws = new RunWorkspace();
        await InstallBlockingAsync(ws);
        WriteGlobalConfig(ws, "plugins:\n  load_timeout: 2\n  settings:\n    fixture-blocking:\n      block_in_register: \"true\"\n");
        var script = ws.WriteScript("turns:\n  - tool_calls: [{ name: ls, arguments: { path: . } }]\n  - text: finished without the blocked plugin\n");

        // Without a load deadline this never exits (AgentProcess gives up after two minutes).
        var result = await ws.RunAsync("run", "go", "-p", "scripted", "-p", "files", "-p", "fixture-blocking", "-m", "scripted/" + script);

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        Assert.Contains("finished without the blocked plugin", result.Output, StringComparison.Ordinal);
        Assert.Contains("✓ ls", result.Error, StringComparison.Ordinal); // the other plugins loaded and work
        Assert.Contains("warning: plugin fixture-blocking not loaded: plugin 'fixture-blocking' did not finish loading within 2 s", result.Error, StringComparison.Ordinal);
        Assert.Contains("agent plugin disable fixture-blocking", result.Error, StringComparison.Ordinal);
        Assert.Contains("plugins.load_timeout", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Speed", "Slow")]
    public async Task AgentRun_ToolThatBlocksItsThread_IsAbandonedAtItsTimeLimit_AndTheRunFinishes()
    {
        using var ws = new RunWorkspace();
        await InstallBlockingAsync(ws);
        var script = ws.WriteScript("turns:\n  - tool_calls: [{ name: block_thread, arguments: {} }]\n  - text: carried on after the time-out\n");

        // Without the deadline the blocked thread holds the run forever (AgentProcess gives up after two minutes).
        var result = await ws.RunAsync("run", "go", "-p", "scripted", "-p", "fixture-blocking", "-m", "scripted/" + script, "-o", "json");

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        var events = RunWorkspace.Events(result.Output);
        var completed = events.Single(e => e.GetProperty("type").GetString() == "tool.completed");
        Assert.Equal("timedOut", completed.GetProperty("status").GetString());
        Assert.Contains("'block_thread' did not finish within 1 s", completed.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Contains("may still be running in the background", completed.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal("carried on after the time-out", events[^1].GetProperty("finalText").GetString());
    }

    private static async Task InstallBlockingAsync(RunWorkspace ws)
    {
        var install = await ws.RunAsync("plugin", "install", Fixtures.PathOf("Fixture.Blocking"), "--yes");
        Assert.True(install.ExitCode == ExitCodes.Success, install.Error);
    }

    private static void WriteGlobalConfig(RunWorkspace ws, string yaml)
    {
        var home = ws.Environment["AGENT_HOME"];
        Directory.CreateDirectory(home);
        File.WriteAllText(Path.Combine(home, "config.yaml"), yaml);
    }
}
