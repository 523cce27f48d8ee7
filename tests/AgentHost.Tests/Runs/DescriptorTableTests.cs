using System.Diagnostics;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Runs;

/// <summary>
/// #25 (start → first model request): an agent whose parent passed on a small descriptor table (64 slots: Python's
/// <c>subprocess</c>, Node, a shell's child) grows it to 256 slots as it starts, on a thread of its own, instead of
/// letting the runtime's assembly loads grow it twice on the way to the first request (each growth of a threaded
/// process's table waits for an RCU grace period). See DescriptorTable and docs/decisions/0003-startup-warm-up-and-descriptor-table.md.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class DescriptorTableTests
{
    // The shell closes what it inherited beyond 0-2 (the test host's descriptors that are not close-on-exec) and forks
    // the command (it is not its last command), so the child's table is sized from descriptors 0-2: 64 slots.
    private const string ForkingShell = """
        for fd in $(ls /proc/$$/fd); do if [ "$fd" -gt 2 ]; then eval "exec $fd>&-" 2>/dev/null; fi; done
        "$@"; exit $?
        """;

    [LinuxFact("/proc/PID/status (FDSize) and a shell's fork")]
    public async Task Agent_StartedWithASmallDescriptorTable_GrowsItToTheReservedSize_BeforeItHoldsThatMany()
    {
        // The premise: a process forked by the shell starts with 64 slots.
        using (var probe = StartUnderShell(new Dictionary<string, string>(), "grep", "FDSize", "/proc/self/status"))
        {
            probe.StandardInput.Close();
            var output = await probe.StandardOutput.ReadToEndAsync();
            await probe.WaitForExitAsync();
            Assert.True(output.Trim() == "FDSize:\t64", "a shell's child should start with a 64-slot descriptor table, got: " + output);
        }

        // `agent auth login` waits for the key on stdin: the agent is started, configured and idle, holding fewer
        // descriptors than the reserved size.
        using var home = new TempDirectory();
        var environment = new Dictionary<string, string> { ["AGENT_HOME"] = home.Path, ["CI"] = "true" };
        foreach (var (key, value) in ProviderIsolation.Variables)
        {
            environment[key] = value;
        }

        using var shell = StartUnderShell(environment, "dotnet", AgentProcess.AgentDll, "auth", "login", "openai");
        try
        {
            var agent = await ChildOfAsync(shell.Id, AgentProcess.AgentDll);
            var (size, open) = await WaitForTableAsync(agent, slots => slots >= 256);
            Assert.True(size >= 256, $"the agent's descriptor table has {size} slots ({open} descriptors open); it should have grown to 256 at start-up");
            Assert.True(open < 128, $"the agent holds {open} descriptors: the probe needs a command that holds fewer than 128, or the runtime would have grown the table to 256 itself");
        }
        finally
        {
            shell.StandardInput.Close(); // no key: the agent reports it and stores nothing
            using var exited = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            await shell.WaitForExitAsync(exited.Token);
        }
    }

    private static Process StartUnderShell(IDictionary<string, string> environment, params string[] command)
    {
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(ForkingShell);
        start.ArgumentList.Add("bash");
        foreach (var part in command)
        {
            start.ArgumentList.Add(part);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        return Process.Start(start)!;
    }

    /// <summary>
    /// The process id of the shell's child that runs <paramref name="program"/> (<c>dotnet PROGRAM …</c>), once it has
    /// one. The shell's own short-lived children (the <c>$(ls …)</c> substitution, a fork before its exec) carry the
    /// shell's command line, which names the program too: only a child whose second argument is the program counts.
    /// </summary>
    private static async Task<int> ChildOfAsync(int shell, string program)
    {
        var children = $"/proc/{shell}/task/{shell}/children";
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        while (true)
        {
            var text = File.Exists(children) ? await File.ReadAllTextAsync(children, deadline.Token) : string.Empty;
            foreach (var pid in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                var commandLine = $"/proc/{pid}/cmdline";
                var arguments = await ArgumentsOfAsync(commandLine, deadline.Token);
                if (arguments.Length > 1 && arguments[1] == program)
                {
                    return int.Parse(pid, System.Globalization.CultureInfo.InvariantCulture);
                }
            }

            await Task.Delay(20, deadline.Token);
        }
    }

    /// <summary>A process's arguments, or none once it has exited (a short-lived child may go between listing and reading).</summary>
    private static async Task<string[]> ArgumentsOfAsync(string commandLine, CancellationToken cancellationToken)
    {
        try
        {
            return (await File.ReadAllTextAsync(commandLine, cancellationToken)).Split('\0');
        }
        catch (IOException)
        {
            return [];
        }
    }

    /// <summary>Polls the process's table size (FDSize) and open descriptors until <paramref name="done"/> holds or a minute passes.</summary>
    private static async Task<(int Size, int Open)> WaitForTableAsync(int pid, Func<int, bool> done)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        var (size, open) = (0, 0);
        while (DateTime.UtcNow < deadline)
        {
            var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("FDSize:", StringComparison.Ordinal));
            size = int.Parse(line.AsSpan(7).Trim(), System.Globalization.CultureInfo.InvariantCulture);
            open = Directory.GetFileSystemEntries($"/proc/{pid}/fd").Length;
            if (done(size))
            {
                break;
            }

            await Task.Delay(20);
        }

        return (size, open);
    }
}
