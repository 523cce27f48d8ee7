using AgentHost.Common.Processes;
using AgentHost.Tests.Processes;
using AgentHost.Tests.Support;

namespace AgentHost.Hosting.Tests.Processes;

/// <summary>
/// Programs started to die with the host (<see cref="ProcessSpec.DiesWithHost"/>): their own process group under the
/// launcher's watchdog, input passed through it, a kill that takes the whole group — and never a group whose watchdog
/// is gone, since its number may by then belong to someone else. The host's SIGKILL is covered end to end by
/// tests/AgentHost.Tests (ProcessLifecycleTests, WorkflowProcessTests).
/// </summary>
public sealed class ProcessGroupTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>
    /// The outputs end with the program, while the host still holds the watchdog's pipe: nothing the watchdog leaves in
    /// the group holds them (a hook's output is read to its end before its answer is read).
    /// </summary>
    [LinuxFact]
    public async Task Input_ReachesTheProgramWhole_ItsOutputsEndWithIt_AndItsExitCodeIsItsOwn()
    {
        using var owned = ProcessLauncher.Start(Spec("cat; echo 'to stderr' >&2; exit 7", input: true));
        var output = owned.Process.StandardOutput.ReadToEndAsync();
        var error = owned.Process.StandardError.ReadToEndAsync();
        await owned.SendInputAsync("héllo\n{\"json\": true}\n");
        await owned.Process.WaitForExitAsync();

        Assert.True(owned.DiesWithHost);
        Assert.Equal("héllo\n{\"json\": true}\n", await output.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal("to stderr\n", await error.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(7, owned.Process.ExitCode);
    }

    [LinuxFact]
    public async Task WithoutInput_ItsOutputsEndWithIt()
    {
        using var owned = ProcessLauncher.Start(Spec("echo out; echo err >&2"));
        var output = owned.Process.StandardOutput.ReadToEndAsync();
        var error = owned.Process.StandardError.ReadToEndAsync();
        await owned.Process.WaitForExitAsync();

        Assert.Equal("out\n", await output.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal("err\n", await error.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [LinuxTheory("setsid process groups, a FIFO and pidfd")]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Dispose_KillsWhatTheProgramLeftRunningInItsGroup(bool input)
    {
        var fifo = ProcessWatch.MakeFifo(_temp.Combine("pid"));
        var owned = ProcessLauncher.Start(Spec($"sleep 300 & echo $! > '{fifo}'; exit 0", input));
        if (input)
        {
            await owned.SendInputAsync(string.Empty);
        }

        var sleep = await ProcessWatch.ReadPidAsync(fifo);
        await owned.Process.WaitForExitAsync();
        Assert.False(ProcessWatch.IsZombieOrGone(sleep), "the program's background child should outlive the program itself");

        owned.Dispose();

        Assert.True(await EndsAsync(sleep), $"sleep (pid {sleep}) outlived the disposed process");
    }

    [LinuxFact]
    public async Task Kill_AfterTheProgramExited_KillsWhatItLeftInItsGroup_WhileTheWatchdogProvesTheGroupIsOurs()
    {
        var fifo = ProcessWatch.MakeFifo(_temp.Combine("pid"));
        using var owned = ProcessLauncher.Start(Spec($"sleep 300 & echo $! > '{fifo}'; exit 0"));
        var sleep = await ProcessWatch.ReadPidAsync(fifo);
        await owned.Process.WaitForExitAsync();

        owned.Kill();

        Assert.True(await EndsAsync(sleep), $"sleep (pid {sleep}) outlived the kill");
    }

    /// <summary>
    /// The program kills its own watchdog, then leaves a child in the group. From the host's side that group is
    /// indistinguishable from a number that was freed and taken by another process's group: no signal goes to it.
    /// </summary>
    [LinuxFact]
    public async Task Kill_NeverSignalsAGroupNumber_OnceItsWatchdogIsGone()
    {
        var fifo = ProcessWatch.MakeFifo(_temp.Combine("pid"));
        // The watchdog is the program's only child when it starts (the wrapper forked it, then became the program).
        var command = "for s in /proc/[0-9]*/stat; do read -r pid comm state ppid rest < \"$s\" 2>/dev/null && [ \"$ppid\" = $$ ] && kill -9 \"$pid\"; done; "
            + $"sleep 300 & echo $! > '{fifo}'; exit 0";
        using var owned = ProcessLauncher.Start(Spec(command));
        var sleep = await ProcessWatch.ReadPidAsync(fifo);
        await owned.Process.WaitForExitAsync();
        try
        {
            owned.Kill();

            Assert.False(ProcessWatch.IsZombieOrGone(sleep), "a group whose watchdog is gone was signalled");
        }
        finally
        {
            ProcessWatch.Signal(sleep, "KILL");
        }
    }

    private ProcessSpec Spec(string command, bool input = false) => new("/bin/sh", ["-c", command])
    {
        WorkingDirectory = _temp.Path,
        DiesWithHost = true,
        KeepInputOpen = input,
    };

    private static Task<bool> EndsAsync(int pid) => ProcessWatch.EndsWithinAsync(pid, TimeSpan.FromSeconds(30));
}
