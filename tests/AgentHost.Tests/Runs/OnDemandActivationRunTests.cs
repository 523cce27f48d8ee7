using AgentHost.Tests.Support;

namespace AgentHost.Tests.Runs;

/// <summary>
/// #25 (peak memory): a dormant plugin (<c>activation: lazy</c>, started from the plugin snapshot) loads its code only
/// when the model's answer calls one of its tools. Real warm <c>agent run</c>s (a first run captures the snapshot); a
/// script run through the shell tool waits a second (long enough for any background activation to have finished) and
/// reads the agent process's <c>/proc/PID/maps</c> to tell which plugin assemblies are mapped.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class OnDemandActivationRunTests
{
    private const string Probe = """
        sleep 1
        for p in /proc/[0-9]*; do
          if [ "$(readlink "$p/cwd")" = "$PWD" ] && grep -q libcoreclr "$p/maps" 2>/dev/null; then
            for plugin in Files Git Shell Web; do
              if grep -q "AgentHost.Plugins.$plugin.dll" "$p/maps"; then echo "$plugin=loaded"; else echo "$plugin=dormant"; fi
            done
          fi
        done
        """;

    [LinuxFact("/proc/PID/maps")]
    public async Task WarmRun_ThatCallsOnlyTheShellTool_NeverLoadsTheFilesGitOrWebPlugin()
    {
        using var ws = new RunWorkspace();
        var script = """
            turns:
              - tool_calls: [{ name: shell, arguments: { command: "bash probe.sh" } }]
              - expect:
                  tool_results_contain: [Shell=loaded]
                text: probed
            """;

        var result = await WarmRunAsync(ws, script);

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error + result.Output);
        Assert.Contains("Shell=loaded", result.Output, StringComparison.Ordinal); // the probe found the agent process
        Assert.Contains("Files=dormant", result.Output, StringComparison.Ordinal);
        Assert.Contains("Git=dormant", result.Output, StringComparison.Ordinal);
        Assert.Contains("Web=dormant", result.Output, StringComparison.Ordinal);
    }

    [LinuxFact("/proc/PID/maps")]
    public async Task WarmRun_ThatCallsADormantPluginsTool_GetsTheRealResult_AndLoadsOnlyThePluginsItCalled()
    {
        using var ws = new RunWorkspace();
        var script = """
            turns:
              - tool_calls: [{ name: view, arguments: { path: README.md } }]
              - expect:
                  tool_results_contain: ["A tiny project for the offline"]
                tool_calls: [{ name: shell, arguments: { command: "bash probe.sh" } }]
              - expect:
                  tool_results_contain: [Files=loaded, Shell=loaded, Git=dormant, Web=dormant]
                text: viewed and probed
            """;

        var result = await WarmRunAsync(ws, script);

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error + result.Output);
        var events = RunWorkspace.Events(result.Output);
        var view = events.First(e => e.GetProperty("type").GetString() == "tool.completed");
        Assert.Equal(("view", "succeeded"), (view.GetProperty("tool").GetString(), view.GetProperty("status").GetString()));
        Assert.Contains("Files=loaded", result.Output, StringComparison.Ordinal);
        Assert.Contains("Git=dormant", result.Output, StringComparison.Ordinal);
        Assert.Contains("Web=dormant", result.Output, StringComparison.Ordinal);
        Assert.Equal("viewed and probed", events[^1].GetProperty("finalText").GetString());
    }

    [Fact]
    public async Task WarmRun_WhoseCalledPluginFailsToActivate_FailsTheCallWithTheReason_AndGoesOn()
    {
        using var ws = new RunWorkspace();
        var copy = Fixtures.CopyTo("Fixture.Blocking", ws.Combine("fixture-blocking"));
        File.AppendAllText(Path.Combine(copy, "plugin.yaml"), "activation: lazy\n");
        var install = await ws.RunAsync("plugin", "install", copy, "--yes");
        Assert.True(install.ExitCode == ExitCodes.Success, install.Error);
        var cold = await ws.RunAsync("run", "cold", "-p", "scripted", "-p", "fixture-blocking", "-m", "scripted/" + ws.WriteScript("turns:\n  - text: captured\n"));
        Assert.True(cold.ExitCode == ExitCodes.Success, cold.Error);

        // The installed copy changes with its length and modification time kept: the snapshot still matches, the hash does not.
        var installed = Directory.EnumerateFiles(ws.Combine("home"), "Fixture.Blocking.dll", SearchOption.AllDirectories).Single();
        var written = File.GetLastWriteTimeUtc(installed);
        var bytes = File.ReadAllBytes(installed);
        bytes[^1] ^= 0xFF;
        File.WriteAllBytes(installed, bytes);
        File.SetLastWriteTimeUtc(installed, written);
        var script = ws.WriteScript("turns:\n  - tool_calls: [{ name: block_thread, arguments: {} }]\n  - text: carried on\n");

        var result = await ws.RunAsync("run", "go", "-p", "scripted", "-p", "fixture-blocking", "-m", "scripted/" + script, "-o", "json");

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error + result.Output);
        var events = RunWorkspace.Events(result.Output);
        var completed = events.Single(e => e.GetProperty("type").GetString() == "tool.completed");
        Assert.Equal(("block_thread", "failed"), (completed.GetProperty("tool").GetString(), completed.GetProperty("status").GetString()));
        Assert.Contains("was modified after it was installed", completed.GetProperty("error").GetString(), StringComparison.Ordinal);
        // The last line is run.completed with the answer (it once was another event, under load: the output says which).
        Assert.True(events[^1].TryGetProperty("finalText", out var finalText) && finalText.GetString() == "carried on", result.Output);
    }

    /// <summary>Runs once to capture the plugin snapshot, then runs the script (its shell calls may run <c>bash probe.sh</c>) warm.</summary>
    private static async Task<CliResult> WarmRunAsync(RunWorkspace ws, string script)
    {
        File.WriteAllText(Path.Combine(ws.Root, "probe.sh"), Probe.ReplaceLineEndings("\n"));
        var cold = await ws.RunAsync("run", "cold", "--model", "scripted/" + ws.WriteScript("turns:\n  - text: captured\n"), "--plugin", "scripted");
        Assert.True(cold.ExitCode == ExitCodes.Success, cold.Error);
        Assert.True(File.Exists(ws.Combine("home", "cache", "plugin-snapshots.json")), "the cold run captures the snapshot");
        return await ws.RunAsync(
            "run", "Probe", "--model", "scripted/" + ws.WriteScript(script), "--plugin", "scripted", "--allow", "shell(bash probe.sh)", "-o", "json",
            // The probe reads the agent's /proc/PID/maps: a sandboxed command has its own PID namespace and cannot see it (docs/sandbox.md).
            "--sandbox", "off");
    }
}
