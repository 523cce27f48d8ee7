using System.Globalization;
using System.Text.RegularExpressions;
using AgentHost.Tests.ShellTools;
using AgentHost.Tests.Support;

namespace AgentHost.Plugins.Shell.Tests;

/// <summary>Background jobs: shell(run_in_background), job_list, job_output, job_kill, the job cap and cleanup at unload.</summary>
public sealed partial class ShellJobTests
{
    [UnixFact("bash command lines (on Windows the shell tool's default dialect is PowerShell)")]
    public async Task BackgroundJob_StartsAtOnce_StreamsNewOutput_AndIsKilled()
    {
        await using var fixture = await ShellPluginFixture.LoadAsync();
        var started = await fixture.ShellAsync(
            "echo one; while [ ! -f go ]; do sleep 0.05; done; echo two >&2; sleep 30 & echo $! > pid; wait",
            default,
            ("run_in_background", true));
        var id = JobId().Match(started).Value;
        Assert.Equal("job-1", id);

        var first = await OutputUntilAsync(fixture, id, "one");
        Assert.Contains("job-1: running (pid ", first, StringComparison.Ordinal);

        await File.WriteAllTextAsync(Path.Combine(fixture.Root, "go"), string.Empty);
        var second = await OutputUntilAsync(fixture, id, "two");
        Assert.DoesNotContain("one", second, StringComparison.Ordinal);
        var pid = await ProcessProbe.ReadPidAsync(Path.Combine(fixture.Root, "pid"));

        var killed = await fixture.InvokeAsync("job_kill", default, ("job_id", id));

        Assert.Contains("job-1 killed", killed, StringComparison.Ordinal);
        Assert.True(await ProcessProbe.UntilAsync(() => !ProcessProbe.IsAlive(pid), TimeSpan.FromSeconds(10)), $"sleep {pid} is still running");
        var final = await OutputUntilAsync(fixture, id, "exited with code");
        Assert.Contains("(killed by job_kill)", final, StringComparison.Ordinal);
        var reread = await fixture.InvokeAsync("job_output", default, ("job_id", id), ("since", 0L));
        Assert.Contains("one\ntwo", reread, StringComparison.Ordinal);
    }

    [UnixFact("bash command lines (on Windows the shell tool's default dialect is PowerShell)")]
    public async Task JobCap_RefusesMoreRunningJobs_WithAClearError()
    {
        await using var fixture = await ShellPluginFixture.LoadAsync(("max_jobs", "1"));
        await fixture.ShellAsync("sleep 30", default, ("run_in_background", true));

        var error = await Assert.ThrowsAnyAsync<Exception>(() => fixture.ShellAsync("touch marker", default, ("run_in_background", true)));

        Assert.Contains("1 background jobs are already running, the limit (setting plugins.settings.shell.max_jobs is 1)", error.Message, StringComparison.Ordinal);
        Assert.Contains("job-1: sleep 30", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(fixture.Root, "marker")));

        await fixture.InvokeAsync("job_kill", default, ("job_id", "job-1"));
        await OutputUntilAsync(fixture, "job-1", "exited with code");
        var next = await fixture.ShellAsync("echo again", default, ("run_in_background", true));
        Assert.Contains("started job-2", next, StringComparison.Ordinal);
    }

    [UnixFact("bash command lines (on Windows the shell tool's default dialect is PowerShell)")]
    public async Task JobList_ShowsRunningAndFinishedJobs_WithStatusAndCommand()
    {
        await using var fixture = await ShellPluginFixture.LoadAsync();
        Assert.Equal("no background jobs (shell with run_in_background: true starts one).", await fixture.InvokeAsync("job_list", default));
        await fixture.ShellAsync("echo done", default, ("run_in_background", true));
        await OutputUntilAsync(fixture, "job-1", "exited with code 0");
        await fixture.ShellAsync("sleep 30", default, ("run_in_background", true));

        var list = await fixture.InvokeAsync("job_list", default);

        Assert.StartsWith("1 running, 1 finished", list, StringComparison.Ordinal);
        Assert.Matches(@"job-1  exited with code 0 after [\d.]+ s  echo done", list);
        Assert.Matches(@"job-2  running \(pid \d+, [\d.]+ s\)  sleep 30", list);
        await fixture.InvokeAsync("job_kill", default, ("job_id", "job-2"));
    }

    [Fact]
    public async Task UnknownJob_SaysWhichJobsExist()
    {
        await using var fixture = await ShellPluginFixture.LoadAsync();

        var error = await Assert.ThrowsAnyAsync<Exception>(() => fixture.InvokeAsync("job_output", default, ("job_id", "job-9")));

        Assert.Contains("no job 'job-9'; no background jobs were started", error.Message, StringComparison.Ordinal);
    }

    [UnixFact("bash command lines (on Windows the shell tool's default dialect is PowerShell)")]
    public async Task UnloadingThePlugin_KillsRunningJobs()
    {
        var fixture = await ShellPluginFixture.LoadAsync();
        int pid;
        try
        {
            await fixture.ShellAsync("sleep 30 & echo $! > pid; wait", default, ("run_in_background", true));
            pid = await ProcessProbe.ReadPidAsync(Path.Combine(fixture.Root, "pid"));
            Assert.True(ProcessProbe.IsAlive(pid));

            Assert.True(await fixture.Harness.Host.UnloadAsync("shell"));
        }
        finally
        {
            await fixture.DisposeAsync();
        }

        Assert.True(await ProcessProbe.UntilAsync(() => !ProcessProbe.IsAlive(pid), TimeSpan.FromSeconds(10)), $"sleep {pid} survived the plugin");
    }

    private static async Task<string> OutputUntilAsync(ShellPluginFixture fixture, string id, string expected)
    {
        var seen = string.Empty;
        var found = await ProcessProbe.UntilAsync(
            () =>
            {
                seen = fixture.InvokeAsync("job_output", default, ("job_id", id)).GetAwaiter().GetResult();
                return seen.Contains(expected, StringComparison.Ordinal);
            },
            TimeSpan.FromSeconds(10));
        Assert.True(found, $"job_output never showed '{expected}'; last: {seen}");
        return seen;
    }

    [GeneratedRegex(@"job-\d+")]
    private static partial Regex JobId();
}
