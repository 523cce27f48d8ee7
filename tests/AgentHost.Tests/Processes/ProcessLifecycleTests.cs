using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Processes;

/// <summary>
/// <c>agent run</c> as a real process, the scripted provider making a shell call that starts <c>sleep 300</c> and
/// writes its pid to a FIFO: whatever ends the agent — SIGTERM, Ctrl+C (SIGINT), or SIGKILL, which runs none of our
/// code — the sleep must not outlive it.
/// </summary>
public sealed class ProcessLifecycleTests
{
    [LinuxFact]
    public Task Sigterm_CancelsTheRun_AndKillsTheRunningShellCommand() => EndAgentAndCheckAsync("TERM", expectCancelled: true);

    [SigintFact(linuxOnly: true, why: "pidfd, /proc and a FIFO to watch the shell command")]
    public Task Sigint_CancelsTheRun_AndKillsTheRunningShellCommand() => EndAgentAndCheckAsync("INT", expectCancelled: true);

    [LinuxFact]
    public Task Sigkill_OfTheAgent_StillKillsTheRunningShellCommand() => EndAgentAndCheckAsync("KILL", expectCancelled: false);

    [LinuxFact]
    public Task Sigterm_KillsABackgroundJob_Too() => EndAgentAndCheckAsync("TERM", expectCancelled: true, background: true);

    [LinuxFact]
    public Task Sigkill_OfTheAgent_KillsABackgroundJob_Too() => EndAgentAndCheckAsync("KILL", expectCancelled: false, background: true);

    private static async Task EndAgentAndCheckAsync(string signal, bool expectCancelled, bool background = false)
    {
        using var ws = new RunWorkspace();
        var fifo = ProcessWatch.MakeFifo(ws.Combine("sleep.pid"));

        // The sleep is a grandchild (the shell starts it in the background and waits), as a build's test runner would be.
        var command = $"sleep 300 & echo $! > '{fifo}'; wait";
        var script = ws.WriteScript(background
            ? $$"""
                turns:
                  - tool_calls: [{ name: shell, arguments: { command: "{{command}}", run_in_background: true } }]
                  - tool_calls: [{ name: shell, arguments: { command: "sleep 300" } }]
                  - text: never reached
                """
            : $$"""
                turns:
                  - tool_calls: [{ name: shell, arguments: { command: "{{command}}" } }]
                  - text: never reached
                """);
        using var agent = AgentProcess.Start(
            ws.Root, ws.Environment, "run", "sleep", "-p", "scripted", "-p", "shell", "-m", "scripted/" + script, "--permission-mode", "yolo",
            // The launcher's own guarantee, unsandboxed: $! must be a host pid (ShellSandboxTests covers the sandboxed kill).
            "--sandbox", "off");
        var stderr = agent.StandardError.ReadToEndAsync();
        var stdout = agent.StandardOutput.ReadToEndAsync();
        var sleep = await ProcessWatch.ReadPidAsync(fifo);
        Assert.False(ProcessWatch.IsZombieOrGone(sleep), "the sleep should be running before the agent is signalled");

        ProcessWatch.Signal(agent.Id, signal);
        using (var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1)))
        {
            await agent.WaitForExitAsync(timeout.Token);
        }

        var error = await stderr;
        await stdout;
        var ended = await ProcessWatch.EndsWithinAsync(sleep, TimeSpan.FromSeconds(30));
        if (!ended)
        {
            ProcessWatch.Signal(sleep, "KILL"); // never leave it behind
        }

        Assert.True(ended, $"sleep (pid {sleep}) outlived the agent ({signal}); agent said: {error}");
        if (expectCancelled)
        {
            Assert.True(agent.ExitCode == ExitCodes.Cancelled, $"exit code {agent.ExitCode}: {error}");
            Assert.Contains("cancelled", error, StringComparison.Ordinal);
        }
    }
}
