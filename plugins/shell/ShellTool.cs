using System.Globalization;
using System.Text;
using AgentHost.Sdk.Tools;

namespace AgentHost.Plugins.Shell;

/// <summary>The <c>shell</c> tool: checks, then runs a command in the foreground or hands it to the job table.</summary>
internal sealed class ShellTool(ShellSettings settings, JobTable jobs, TimeProvider time)
{
    /// <summary>How long to wait for the output to close after the shell exited before stopping what still holds it.</summary>
    private static readonly TimeSpan OutputGrace = TimeSpan.FromSeconds(2);

    private ShellProgram? _program;

    /// <summary>The dialect the configured (or default) shell speaks, known without looking on PATH.</summary>
    public ShellKind Kind => settings.Program is { } configured ? ShellProgram.KindOf(configured)!.Value
        : OperatingSystem.IsWindows() ? ShellKind.PowerShell : ShellKind.Posix;

    public async Task<string> RunAsync(
        WorkspacePaths paths, string command, int? timeoutMs, string? workdir, bool background, ProcessSandbox? sandbox, IReadOnlyDictionary<string, string>? environment, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(command))
        {
            throw new ToolException("command is empty; pass the command line to run.");
        }

        var directory = WorkingDirectory(paths, workdir);
        TimeSpan? timeout = timeoutMs switch
        {
            null => null,
            <= 0 => throw new ToolException($"timeout_ms must be a positive number of milliseconds (at most {Ms(settings.MaxTimeout)}); omit it for the default of {Ms(settings.DefaultTimeout)}."),
            _ when timeoutMs > settings.MaxTimeout.TotalMilliseconds => throw new ToolException(
                $"timeout_ms {timeoutMs} is over the limit of {Ms(settings.MaxTimeout)} ({Seconds(settings.MaxTimeout)}, setting {ShellSettings.Prefix}max_timeout_ms); use a smaller value, or run_in_background for long-running commands."),
            _ => TimeSpan.FromMilliseconds(timeoutMs.Value),
        };
        var program = ProgramOrFail(paths.Root);
        CheckBanned(command, program.Kind);
        if (background)
        {
            return jobs.Start(program, command, directory, paths.Relative(directory), timeout, sandbox, environment);
        }

        return await RunForegroundAsync(program, command, directory, timeout ?? settings.DefaultTimeout, sandbox, environment, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The shell, looked up on first use (not at registration, which must not do I/O); failures are not cached.</summary>
    private ShellProgram ProgramOrFail(string projectRoot)
    {
        if (Volatile.Read(ref _program) is { } known)
        {
            return known;
        }

        var resolved = ShellProgram.Resolve(settings.Program, projectRoot);
        return Interlocked.CompareExchange(ref _program, resolved, null) ?? resolved;
    }

    private async Task<string> RunForegroundAsync(ShellProgram program, string command, string directory, TimeSpan timeout, ProcessSandbox? sandbox, IReadOnlyDictionary<string, string>? environment, CancellationToken cancellationToken)
    {
        var stdout = new OutputBuffer(settings.MaxOutputCharacters);
        var stderr = new OutputBuffer(settings.MaxOutputCharacters);
        var started = time.GetTimestamp();
        using var process = ShellProcess.Start(program, command, directory, stdout.Append, stderr.Append, sandbox, environment);
        using var timeoutSource = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
        int? exitCode = null;
        try
        {
            exitCode = await process.WaitForExitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
        }

        var lingering = false;
        if (!await Finished(process.OutputClosed).ConfigureAwait(false))
        {
            // The shell exited but a process it started in the background still holds the output pipes.
            lingering = !process.Killed;
            process.KillRemaining();
            await Finished(process.OutputClosed).ConfigureAwait(false);
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (exitCode is null && process.HasExited)
        {
            exitCode = await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        }

        var duration = time.GetElapsedTime(started);
        return Format(exitCode, duration, stdout, stderr, process.Killed ? timeout : null, lingering, process.Sandbox);
    }

    private async Task<bool> Finished(Task task)
    {
        try
        {
            await task.WaitAsync(OutputGrace, time).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private string Format(int? exitCode, TimeSpan duration, OutputBuffer stdout, OutputBuffer stderr, TimeSpan? timedOut, bool lingering, ProcessSandbox? sandbox)
    {
        var builder = new StringBuilder();
        builder.Append("exit code: ").Append(exitCode?.ToString(CultureInfo.InvariantCulture) ?? "none").Append(timedOut is null ? string.Empty : " (killed)").Append('\n');
        builder.Append("duration: ").Append(Seconds(duration)).Append('\n');
        if (sandbox is not null)
        {
            builder.Append("sandbox: ").Append(SandboxLine(sandbox)).Append('\n');
        }
        if (timedOut is { } limit)
        {
            builder.Append(CultureInfo.InvariantCulture, $"timed out: the command did not finish within {Seconds(limit)} and was killed with its child processes. ")
                .Append(CultureInfo.InvariantCulture, $"Pass a larger timeout_ms (at most {Ms(settings.MaxTimeout)}) or use run_in_background for long-running commands.\n");
        }

        if (lingering)
        {
            builder.Append("note: processes the command left running in the background still held its output and were stopped; use run_in_background for servers and watchers.\n");
        }

        // Each stream gets the whole budget when the other is empty, else half.
        var budget = settings.MaxOutputCharacters;
        var (outBudget, errBudget) = (stdout.Length, stderr.Length) switch
        {
            var (o, e) when o + e <= budget => (budget, budget),
            var (o, _) when o <= budget / 2 => ((int)o, budget - (int)o),
            var (_, e) when e <= budget / 2 => (budget - (int)e, (int)e),
            _ => (budget / 2, budget - (budget / 2)),
        };
        if (stdout.Length == 0 && stderr.Length == 0)
        {
            builder.Append("(no output)\n");
        }

        if (stdout.Length > 0)
        {
            builder.Append("stdout:\n").Append(stdout.Render(outBudget).TrimEnd('\n')).Append('\n');
        }

        if (stderr.Length > 0)
        {
            builder.Append("stderr:\n").Append(stderr.Render(errBudget).TrimEnd('\n')).Append('\n');
        }

        return builder.ToString().TrimEnd('\n');
    }

    private void CheckBanned(string command, ShellKind kind)
    {
        if (settings.BannedCommands.Count == 0)
        {
            return;
        }

        foreach (var words in CommandSplitter.Commands(command, kind))
        {
            foreach (var banned in settings.BannedCommands)
            {
                if (CommandSplitter.Matches(words, banned))
                {
                    throw new ToolException(
                        $"'{banned}' is a banned command (setting {ShellSettings.Prefix}banned_commands) and appears in this command line as '{string.Join(' ', words)}'; nothing was run. Do the task without it, or ask the user to run it.");
                }
            }
        }
    }

    private static string WorkingDirectory(WorkspacePaths paths, string? workdir)
    {
        if (string.IsNullOrWhiteSpace(workdir))
        {
            return paths.Root;
        }

        var full = paths.Resolve(workdir) ?? throw new ToolException(
            $"workdir '{workdir}' is outside the project root; use a directory inside {paths.Root} (relative paths are relative to it).");
        return Directory.Exists(full) ? full
            : throw new ToolException(File.Exists(full) ? $"workdir '{workdir}' is a file, not a directory." : $"workdir '{workdir}' does not exist in the project; create it first or omit workdir to run in the project root.");
    }

    /// <summary>What the sandbox allowed, for the model (so "Read-only file system" or a failed connection reads as the sandbox's doing).</summary>
    internal static string SandboxLine(ProcessSandbox sandbox) =>
        $"{sandbox.Describe()}; writes only inside the project{(sandbox.TempDirectory is null ? string.Empty : " and $TMPDIR")}, credential files hidden";

    internal static string Ms(TimeSpan value) => ((long)value.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + " ms";

    internal static string Seconds(TimeSpan value) => value.TotalSeconds.ToString("0.0##", CultureInfo.InvariantCulture) + " s";
}
