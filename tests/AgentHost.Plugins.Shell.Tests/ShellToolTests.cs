using System.Diagnostics;
using AgentHost.Sdk.Tools;
using AgentHost.Tests.ShellTools;
using Microsoft.Extensions.AI;
using AgentHost.Tests.Support;

namespace AgentHost.Plugins.Shell.Tests;

/// <summary>The <c>shell</c> tool running real bash processes (skipped on Windows).</summary>
public sealed class ShellToolTests : IAsyncLifetime
{
    private ShellPluginFixture _fixture = null!;

    public async Task InitializeAsync() => _fixture = await ShellPluginFixture.LoadAsync(("banned_commands.0", "curl"), ("banned_commands.1", "git push"));

    public async Task DisposeAsync() => await _fixture.DisposeAsync();

    [UnixFact("bash command lines (on Windows the shell tool's default dialect is PowerShell)")]
    public async Task Echo_ReturnsStdoutAndExitCodeZero()
    {
        var result = await _fixture.ShellAsync("echo hello world");

        Assert.StartsWith("exit code: 0\nduration: ", result, StringComparison.Ordinal);
        Assert.EndsWith("stdout:\nhello world", result, StringComparison.Ordinal);
    }

    [UnixFact("bash command lines (on Windows the shell tool's default dialect is PowerShell)")]
    public async Task NonZeroExit_IsReported_AndStderrIsCapturedApart()
    {
        var result = await _fixture.ShellAsync("echo out; echo oops >&2; exit 3");

        Assert.StartsWith("exit code: 3\n", result, StringComparison.Ordinal);
        Assert.Contains("stdout:\nout\nstderr:\noops", result, StringComparison.Ordinal);
    }

    [UnixFact("bash command lines (on Windows the shell tool's default dialect is PowerShell)")]
    public async Task LargeOutputOnBothStreams_IsCutToHeadAndTail_WithoutDeadlock()
    {
        // 1 MB on stderr first: a runner reading stdout to the end before stderr would block the child forever.
        var result = await _fixture.ShellAsync(
            "head -c 1000000 /dev/zero | tr '\\0' e >&2; echo START; head -c 1000000 /dev/zero | tr '\\0' o; echo; echo END",
            default,
            ("timeout_ms", 60_000));

        Assert.StartsWith("exit code: 0\n", result, StringComparison.Ordinal);
        Assert.Contains("stdout:\nSTART\nooo", result, StringComparison.Ordinal);
        Assert.Contains("ooo\nEND\nstderr:\neee", result, StringComparison.Ordinal);
        Assert.Contains("characters omitted …]", result, StringComparison.Ordinal);
        Assert.InRange(result.Length, 20_000, 31_000);
    }

    [UnixFact("bash command lines (on Windows the shell tool's default dialect is PowerShell)")]
    public async Task Stdin_IsClosed_SoReadsGetEndOfFileAtOnce()
    {
        var result = await _fixture.ShellAsync("read x; echo \"got:$x\"", default, ("timeout_ms", 20_000));

        Assert.Contains("stdout:\ngot:", result, StringComparison.Ordinal);
        Assert.DoesNotContain("timed out", result, StringComparison.Ordinal);
    }

    [UnixFact("bash command lines (on Windows the shell tool's default dialect is PowerShell)")]
    public async Task Timeout_KillsTheCommand_AndSaysSo()
    {
        var clock = Stopwatch.StartNew();
        var result = await _fixture.ShellAsync("echo started; sleep 30; echo finished", default, ("timeout_ms", 500));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        Assert.Contains("(killed)", result, StringComparison.Ordinal);
        Assert.Contains("timed out: the command did not finish within 0.5 s", result, StringComparison.Ordinal);
        Assert.Contains("stdout:\nstarted", result, StringComparison.Ordinal);
        Assert.DoesNotContain("finished", result, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(600_001)]
    public async Task BadTimeout_IsRefused(int timeoutMs)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => _fixture.ShellAsync("echo hi", default, ("timeout_ms", timeoutMs)));

        Assert.Contains("timeout_ms", error.Message, StringComparison.Ordinal);
        Assert.Contains("600000 ms", error.Message, StringComparison.Ordinal);
    }

    [UnixFact("bash command lines (on Windows the shell tool's default dialect is PowerShell)")]
    public async Task Cancellation_KillsTheWholeTree_IncludingAGrandchild()
    {
        using var cancellation = new CancellationTokenSource();
        var pidFile = Path.Combine(_fixture.Root, "pid");
        var running = _fixture.ShellAsync("bash -c 'sleep 30 & echo $! > pid; wait'", cancellation.Token);
        var pid = await ProcessProbe.ReadPidAsync(pidFile);
        Assert.True(ProcessProbe.IsAlive(pid));

        var clock = Stopwatch.StartNew();
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        Assert.True(await ProcessProbe.UntilAsync(() => !ProcessProbe.IsAlive(pid), TimeSpan.FromSeconds(10)), $"sleep {pid} is still running");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
    }

    [LinuxFact("process groups reaching children re-parented away from the shell")]
    public async Task Cancellation_OnLinux_AlsoKillsChildrenOrphanedInsideTheCommand()
    {
        // The subshell exits at once, so sleep is re-parented away from the shell's tree: only the process group reaches it.
        using var cancellation = new CancellationTokenSource();
        var running = _fixture.ShellAsync("(sleep 30 > /dev/null 2>&1 & echo $! > pid); sleep 30", cancellation.Token);
        var pid = await ProcessProbe.ReadPidAsync(Path.Combine(_fixture.Root, "pid"));

        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        Assert.True(await ProcessProbe.UntilAsync(() => !ProcessProbe.IsAlive(pid), TimeSpan.FromSeconds(10)), $"orphaned sleep {pid} is still running");
    }

    [LinuxFact("/proc, to see the background process still alive")]
    [Trait("Speed", "Slow")]
    public async Task BackgroundProcessHoldingTheOutput_DoesNotHoldTheCall()
    {
        var clock = Stopwatch.StartNew();
        var result = await _fixture.ShellAsync("sleep 30 & echo $! > pid; echo done");
        var pid = int.Parse(await File.ReadAllTextAsync(Path.Combine(_fixture.Root, "pid")), System.Globalization.CultureInfo.InvariantCulture);

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        Assert.StartsWith("exit code: 0\n", result, StringComparison.Ordinal);
        Assert.Contains("use run_in_background", result, StringComparison.Ordinal);
        Assert.True(await ProcessProbe.UntilAsync(() => !ProcessProbe.IsAlive(pid), TimeSpan.FromSeconds(10)), $"sleep {pid} is still running");
    }

    [UnixFact("bash command lines (on Windows the shell tool's default dialect is PowerShell)")]
    public async Task Workdir_InsideTheRoot_RunsThere()
    {
        Directory.CreateDirectory(Path.Combine(_fixture.Root, "sub", "dir"));

        var result = await _fixture.ShellAsync("pwd", default, ("workdir", "sub/dir"));

        Assert.EndsWith("/ws/sub/dir", result, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("..")]
    [InlineData("sub/../../")]
    [InlineData("/")]
    public async Task Workdir_OutsideTheRoot_IsRefused_BeforeAnythingRuns(string workdir)
    {
        Directory.CreateDirectory(Path.Combine(_fixture.Root, "sub"));

        var error = await Assert.ThrowsAnyAsync<Exception>(() => _fixture.ShellAsync("touch marker", default, ("workdir", workdir)));

        Assert.Contains("is outside the project root", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(_fixture.Temp.Combine("marker")));
        Assert.False(File.Exists(Path.Combine(_fixture.Root, "marker")));
    }

    [Fact]
    public async Task Workdir_Missing_IsRefused()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => _fixture.ShellAsync("pwd", default, ("workdir", "nope")));

        Assert.Contains("workdir 'nope' does not exist", error.Message, StringComparison.Ordinal);
    }

    [UnixTheory("bash command lines (on Windows the shell tool's default dialect is PowerShell)")]
    [InlineData("touch marker && curl http://example.invalid")]
    [InlineData("touch marker; echo $(curl http://example.invalid)")]
    [InlineData("touch marker; echo `curl http://example.invalid`")]
    [InlineData("touch marker | sudo -u root curl x")]
    [InlineData("touch marker\nFOO=1 env -i timeout -s KILL 5 nice -n 5 /usr/bin/curl x")]
    [InlineData("touch marker || bash -c 'echo hi && \"curl\" x'")]
    [InlineData("touch marker && echo x | xargs -n 1 curl")]
    [InlineData("touch marker && git push origin main")]
    public async Task BannedCommand_AnywhereInTheLine_IsRefused_AndNothingRuns(string command)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => _fixture.ShellAsync(command));

        Assert.Contains("is a banned command (setting plugins.settings.shell.banned_commands)", error.Message, StringComparison.Ordinal);
        Assert.Contains("nothing was run", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_fixture.Root, "marker")));
    }

    [UnixFact("bash command lines (on Windows the shell tool's default dialect is PowerShell)")]
    public async Task BannedWords_AsArguments_AreNotCommands()
    {
        var result = await _fixture.ShellAsync("echo curl && echo \"a && curl b\" && git status --porcelain 2>/dev/null; echo git push");

        Assert.StartsWith("exit code: 0\n", result, StringComparison.Ordinal);
        Assert.Contains("curl\na && curl b\n", result, StringComparison.Ordinal);
        Assert.Contains("git push", result, StringComparison.Ordinal);
    }

    [Fact]
    public void DescribeCall_SubjectIsTheExactCommand_AndTheToolExecutes()
    {
        var shell = _fixture.Tool("shell");
        const string Command = "git status && echo 'a  b' | wc -c";

        var description = shell.Metadata.DescribeCall!(new AIFunctionArguments { ["command"] = Command });

        Assert.Equal(new ToolCallDescription("run", Command), description);
        Assert.Equal(ToolEffect.Execute, shell.Metadata.Effect);
        Assert.True(shell.Metadata.Timeout > TimeSpan.FromMinutes(10), "the host's limit must not cut the tool's own time limit");
    }
}
