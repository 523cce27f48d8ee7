using System.Net;
using System.Net.Sockets;
using AgentHost.Tests.Processes;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Sandbox;

/// <summary>
/// The shell tool in the real bubblewrap sandbox, through <c>agent run</c> in yolo mode, so the permission rules allow
/// everything and only the sandbox stands between a command and the machine (docs/sandbox.md). Each containment test
/// has a control run with <c>--sandbox off</c> showing that the same command does what the sandbox stops.
/// </summary>
public sealed class ShellSandboxTests
{
    /// <summary>The safety floor cannot see a path built at run time that does not mention the store (docs/permissions.md); the sandbox can.</summary>
    private const string ReadKey = "cat \"$HOME/$(printf '\\x2essh')/id_rsa\"";

    [BubblewrapFact]
    public async Task CredentialFile_IsHidden_EvenWhenTheRulesLetTheCommandRun()
    {
        using var ws = new SandboxWorkspace();
        var model = ws.Script(SandboxWorkspace.Shell(ReadKey), SandboxWorkspace.Shell("ls -a \"$HOME/$(printf '\\x2essh')\""));

        var sandboxed = await ws.RunAsync(model);
        var unsandboxed = await ws.RunAsync(model, "--sandbox", "off");

        Assert.True(sandboxed.Result.ExitCode == 0, sandboxed.All);
        Assert.DoesNotContain(SandboxWorkspace.FakeKey, string.Concat(sandboxed.Results));
        Assert.Contains("No such file", sandboxed.Results[0], StringComparison.Ordinal);
        Assert.DoesNotContain("id_rsa", sandboxed.Results[1], StringComparison.Ordinal);
        Assert.All(sandboxed.Sandboxes, s => Assert.StartsWith("bubblewrap", s, StringComparison.Ordinal));
        Assert.Contains(SandboxWorkspace.FakeKey, unsandboxed.Results[0], StringComparison.Ordinal);
        Assert.All(unsandboxed.Sandboxes, s => Assert.StartsWith("off", s, StringComparison.Ordinal));
    }

    /// <summary>
    /// The session's own temporary folder ($TMPDIR inside the sandbox) is made at its first sandboxed command: a run that
    /// runs none leaves nothing in the system's temporary folder (every test run used to leave one per session).
    /// </summary>
    [BubblewrapFact]
    public async Task TheSessionsTemporaryFolder_IsMadeAtItsFirstSandboxedCommand_NotForARunThatRunsNone()
    {
        using var ws = new SandboxWorkspace();

        var idle = await ws.RunAsync(ws.Script());
        var busy = await ws.RunAsync(ws.Script(SandboxWorkspace.Shell("echo \"tmp=$TMPDIR\"")));
        var idleFolder = AgentHost.Agent.Runs.RunSandbox.TempDirectory(SessionOf(idle));
        var busyFolder = AgentHost.Agent.Runs.RunSandbox.TempDirectory(SessionOf(busy));
        var busyMade = Directory.Exists(busyFolder);
        if (busyMade)
        {
            Directory.Delete(busyFolder, recursive: true);
        }

        Assert.True(idle.Result.ExitCode == 0 && busy.Result.ExitCode == 0, idle.All + busy.All);
        Assert.False(Directory.Exists(idleFolder), $"{idleFolder} was made for a run that ran nothing in the sandbox");
        Assert.True(busyMade, $"{busyFolder} was not made for the sandboxed command");
        Assert.Contains($"tmp={busyFolder}", busy.Results[0], StringComparison.Ordinal);
    }

    private static string SessionOf(SandboxRun run) =>
        run.Events.Select(e => SandboxRun.Text(e, "sessionId")).First(id => id.Length > 0);

    [BubblewrapFact]
    public async Task Writes_OutsideTheWorkspace_AndIntoGitHooks_Fail_WhileTheWorkspaceIsWritable()
    {
        using var ws = new SandboxWorkspace();
        var outside = Path.Combine(ws.Outside, "pwned.txt");
        var model = ws.Script(SandboxWorkspace.Shell($"echo x > '{outside}'; d=.git; echo hook > \"$d/hooks/pre-commit\"; echo y >> \"$d/config\"; echo ok > inside.txt; echo done"));

        var run = await ws.RunAsync(model);

        Assert.True(run.Result.ExitCode == 0, run.All);
        Assert.False(File.Exists(outside), "a file outside the workspace was written: " + run.Results[0]);
        Assert.False(File.Exists(Path.Combine(ws.Root, ".git", "hooks", "pre-commit")), "a git hook was written: " + run.Results[0]);
        Assert.DoesNotContain("y", File.ReadAllText(Path.Combine(ws.Root, ".git", "config")).Split('\n').Select(l => l.Trim()));
        Assert.Equal("ok\n", File.ReadAllText(Path.Combine(ws.Root, "inside.txt")));
        Assert.Contains("Read-only file system", run.Results[0], StringComparison.Ordinal);

        var control = await ws.RunAsync(model, "--sandbox", "off");
        Assert.True(File.Exists(outside), "without the sandbox the same command writes outside: " + control.All);
    }

    [BubblewrapFact]
    public async Task Network_IsCut_WithoutARule_AndKept_WithOne()
    {
        using var ws = new SandboxWorkspace();
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var model = ws.Script(SandboxWorkspace.Shell($"echo hi > /dev/tcp/127.0.0.1/{port} && echo CONNECTED"));

        var without = await ws.RunAsync(model);
        ws.WriteUserConfig("sandbox:\n  network:\n    - shell(echo *)\n");
        var with = await ws.RunAsync(model);

        Assert.DoesNotContain("CONNECTED", without.Results[0], StringComparison.Ordinal);
        Assert.Contains("no network", without.Sandboxes[0], StringComparison.Ordinal);
        Assert.True(with.Results[0].Contains("CONNECTED", StringComparison.Ordinal), with.Results[0]);
        Assert.True(with.Sandboxes[0]?.Contains("network allowed", StringComparison.Ordinal) == true, with.Sandboxes[0]);
    }

    [BubblewrapFact]
    public async Task BackgroundJobs_RunInTheSandbox_Too()
    {
        using var ws = new SandboxWorkspace();
        var outside = Path.Combine(ws.Outside, "job.txt");
        var model = ws.Script(
            SandboxWorkspace.Shell($"echo x > '{outside}'; {ReadKey} > key.txt; echo finished > job-done.txt", background: true),
            SandboxWorkspace.Shell("while [ ! -f job-done.txt ]; do sleep 0.05; done; cat key.txt; echo waited"));

        var run = await ws.RunAsync(model);

        Assert.True(run.Result.ExitCode == 0, run.All);
        Assert.Contains("sandbox: bubblewrap", run.Results[0], StringComparison.Ordinal);
        Assert.True(run.Results[1].Contains("waited", StringComparison.Ordinal), string.Join("\n---\n", run.Results));
        Assert.False(File.Exists(outside), "the background job wrote outside the workspace");
        Assert.DoesNotContain(SandboxWorkspace.FakeKey, File.ReadAllText(Path.Combine(ws.Root, "key.txt")), StringComparison.Ordinal);
    }

    [LinuxFact]
    public async Task Required_RefusesToRun_WhereTheSandboxCannotStart()
    {
        using var ws = new SandboxWorkspace();
        ws.WriteUserConfig("sandbox:\n  mode: required\n  program: /nonexistent/bwrap\n");
        var model = ws.Script(SandboxWorkspace.Shell("echo ran > ran.txt"));

        var run = await ws.RunAsync(model);

        Assert.False(File.Exists(Path.Combine(ws.Root, "ran.txt")), "the command ran unsandboxed: " + run.All);
        Assert.Contains("sandbox.mode is 'required'", run.Results[0], StringComparison.Ordinal);
        Assert.Contains("/nonexistent/bwrap", run.Results[0], StringComparison.Ordinal);
    }

    [LinuxFact]
    public async Task Auto_RunsUnsandboxed_WithOneNotice_WhereTheSandboxCannotStart()
    {
        using var ws = new SandboxWorkspace();
        ws.WriteUserConfig("sandbox:\n  program: /nonexistent/bwrap\n");
        var model = ws.Script(SandboxWorkspace.Shell("echo ran > ran.txt"), SandboxWorkspace.Shell("echo again"));

        var run = await ws.RunAsync(model);

        Assert.True(File.Exists(Path.Combine(ws.Root, "ran.txt")), run.All);
        Assert.Single(run.Warnings, w => w.Contains("sandbox: bubblewrap is not available here", StringComparison.Ordinal));
        Assert.All(run.Sandboxes, s => Assert.StartsWith("not sandboxed", s, StringComparison.Ordinal));
    }

    [BubblewrapFact]
    public async Task AnUntrustedProject_CannotTurnTheSandboxOff()
    {
        using var ws = new SandboxWorkspace();
        ws.WriteProjectConfig("sandbox:\n  mode: off\nsession:\n  sandbox: off\n");
        var outside = Path.Combine(ws.Outside, "untrusted.txt");
        var model = ws.Script(SandboxWorkspace.Shell($"echo x > '{outside}'"));

        var run = await ws.RunAsync(model);

        Assert.False(File.Exists(outside), "the project turned the sandbox off: " + run.All);
        Assert.Contains("sandbox settings", run.All, StringComparison.Ordinal);
    }

    [BubblewrapFact]
    public async Task AKilledAgent_LeavesNoSandboxedProcess()
    {
        using var ws = new SandboxWorkspace();
        var fifo = ProcessWatch.MakeFifo(Path.Combine(ws.Root, "started"));
        var token = "301." + Random.Shared.Next(100_000, 999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var model = ws.Script(SandboxWorkspace.Shell($"sleep {token} & until grep -qs {token} /proc/$!/cmdline; do :; done; echo up > started; wait"));
        using var agent = AgentProcess.Start(ws.Root, ws.Environment, "run", "go", "-p", "scripted", "-p", "shell", "-m", model, "--permission-mode", "yolo");
        var stderr = agent.StandardError.ReadToEndAsync();
        var stdout = agent.StandardOutput.ReadToEndAsync();
        using (var reader = new StreamReader(fifo))
        {
            Assert.Equal("up", (await reader.ReadLineAsync())?.Trim());
        }

        // "up" is written only once the child has become sleep (its cmdline shows the token), so the scan cannot race the exec.
        // The sleep's pid inside the sandbox's PID namespace means nothing here: find it by its unique argument.
        var sleep = Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Where(name => int.TryParse(name, out _)).Select(int.Parse!)
            .Single(pid => Cmdline(pid).Trim() == $"sleep {token}");
        Assert.NotEqual(Namespace("self"), Namespace(sleep.ToString(System.Globalization.CultureInfo.InvariantCulture)));

        ProcessWatch.Signal(agent.Id, "KILL");
        using (var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1)))
        {
            await agent.WaitForExitAsync(timeout.Token);
        }

        await stderr;
        await stdout;
        var ended = await ProcessWatch.EndsWithinAsync(sleep, TimeSpan.FromSeconds(30));
        if (!ended)
        {
            ProcessWatch.Signal(sleep, "KILL");
        }

        Assert.True(ended, $"the sandboxed sleep (pid {sleep}) outlived the killed agent");
    }

    private static string Cmdline(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
        {
            return string.Empty;
        }
        catch (UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }

    private static string? Namespace(string pid) => new FileInfo($"/proc/{pid}/ns/net").LinkTarget;
}
