using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using AgentHost.Sdk.Tools;

namespace AgentHost.Common.Processes;

/// <summary>
/// The one way the host starts programs (kernel and plugins share this source): the program is resolved to an absolute
/// path by <see cref="ProgramSearch"/> (absolute PATH entries only, never the working directory or the project), started
/// with <c>UseShellExecute = false</c> and arguments as a list, and owned: cancelling or disposing kills its whole
/// process tree.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
public static partial class ProcessLauncher
{
    /// <summary>Resolves <paramref name="spec"/>'s program to an absolute path.</summary>
    /// <param name="spec">What to start.</param>
    /// <returns>The absolute path.</returns>
    /// <exception cref="ProgramStartException">It was not found (the message says where it was looked for).</exception>
    public static string Resolve(ProcessSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var purpose = spec.Purpose ?? $"'{spec.Program}'";
        if (ProgramSearch.Find(spec.Program, spec.Environment.TryGetValue("PATH", out var path) ? path : spec.BaseEnvironment?.GetValueOrDefault("PATH"), spec.RefusedRoots) is { } found)
        {
            return found;
        }

        var why = Path.IsPathFullyQualified(spec.Program)
            ? $"{purpose} was not found at {spec.Program} (or is not executable)"
            : spec.Program.Contains('/', StringComparison.Ordinal) || spec.Program.Contains('\\', StringComparison.Ordinal)
                ? $"{purpose} is given as the relative path '{spec.Program}', which is never run (it would resolve inside the working directory); give an absolute path or a name found on PATH"
                : $"{purpose} was not found on PATH (only absolute PATH entries are searched, never the working directory or the project)";
        throw new ProgramStartException(why) { NotFound = true };
    }

    /// <summary>Starts a program; the caller reads its streams and disposes it (which kills what is left of its tree).</summary>
    /// <param name="spec">What to start.</param>
    /// <returns>The running process.</returns>
    /// <exception cref="ProgramStartException">It was not found or could not be started.</exception>
    public static OwnedProcess Start(ProcessSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var path = Resolve(spec);
        var info = CreateStartInfo(spec, path);
        var sandbox = Sandbox(spec, path, info);
        var watchdog = spec.DiesWithHost && spec.RawArguments is null ? ProcessGroupWatchdog.Find(spec.RefusedRoots) : null;
        if (watchdog is not null && watchdog.Supports(spec.KeepInputOpen))
        {
            watchdog.Wrap(info, info.FileName, spec.KeepInputOpen);
            return Start(spec with { KeepInputOpen = true }, info, null, new Owner(path, watchdog, spec.KeepInputOpen, sandbox));
        }

        return Start(spec, info, null, new Owner(path, null, false, sandbox));
    }

    /// <summary>
    /// Puts the program in <paramref name="spec"/>'s sandbox when it has one and its backend can run here; refuses to
    /// start it when the sandbox is required and cannot run.
    /// </summary>
    /// <returns>The sandbox it runs in, or <see langword="null"/> when it runs without one.</returns>
    private static ProcessSandbox? Sandbox(ProcessSpec spec, string path, ProcessStartInfo info)
    {
        if (spec.Sandbox is not { } sandbox)
        {
            return null;
        }

        if (!sandbox.IsAvailable || spec.RawArguments is not null)
        {
            if (sandbox.Required)
            {
                var why = sandbox.UnavailableReason ?? "the sandbox cannot run a raw command line";
                throw new ProgramStartException(
                    $"{spec.Purpose ?? $"'{spec.Program}'"} ({path}) was not started: sandbox.mode is 'required' and the sandbox ({sandbox.Backend}) cannot run here: {why}. "
                    + "Fix the sandbox (agent doctor shows why), or set sandbox.mode to auto to run commands unsandboxed where it cannot run.")
                { SandboxRefused = true };
            }

            return null;
        }

        if (sandbox.Backend == SandboxExec.Name)
        {
            SandboxExec.Wrap(info, sandbox, spec.Environment);
        }
        else
        {
            Bubblewrap.Wrap(info, sandbox, spec.Environment);
        }

        return sandbox;
    }

    /// <summary>Starts a program from start information made by <see cref="CreateStartInfo"/> (and adjusted by the caller).</summary>
    /// <param name="spec">What to start.</param>
    /// <param name="info">The start information (its file name is the resolved absolute path).</param>
    /// <param name="configure">Called before the start (to attach output events).</param>
    /// <returns>The running process.</returns>
    /// <exception cref="ProgramStartException">It could not be started (or must run in a sandbox that cannot run here).</exception>
    /// <remarks>The program runs in <see cref="ProcessSpec.Sandbox"/> when the spec has one, as with <see cref="Start(ProcessSpec)"/>.</remarks>
    public static OwnedProcess Start(ProcessSpec spec, ProcessStartInfo info, Action<Process>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(info);
        var path = info.FileName;
        var sandbox = Sandbox(spec, path, info);
        return Start(spec, info, configure, new Owner(path, null, false, sandbox));
    }

    private static OwnedProcess Start(ProcessSpec spec, ProcessStartInfo info, Action<Process>? configure, Owner owner)
    {
        if (!Path.IsPathFullyQualified(info.FileName) || info.UseShellExecute)
        {
            throw new ArgumentException("the launcher starts only absolute paths, without the shell", nameof(info));
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        configure?.Invoke(process);
        string[] absentFiles = owner.Sandbox is null ? [] : AbsentPlaces.AbsentFiles(owner.Sandbox);
        try
        {
            process.Start();
        }
        catch (Exception ex) when (ex is Win32Exception or InvalidOperationException)
        {
            process.Dispose();
            throw new ProgramStartException($"{spec.Purpose ?? $"'{spec.Program}'"} ({info.FileName}) could not be started: {ex.Message}", ex);
        }

        if (!spec.KeepInputOpen)
        {
            process.StandardInput.Close();
        }

        IDisposable? job = null;
        if (spec.DiesWithHost && OperatingSystem.IsWindows())
        {
            try
            {
                job = WindowsJob.Assign(process);
            }
            catch (Win32Exception)
            {
                // It exited already, or its job allows no nesting: the tree kill remains.
            }
        }

        return new OwnedProcess(process, owner.Path, owner.Watchdog, owner.WatchdogInput, job) { Sandbox = owner.Sandbox, AbsentFiles = absentFiles };
    }

    /// <summary>What the started process is: the program's path (not the watchdog's or bwrap's), its watchdog and its sandbox.</summary>
    private sealed record Owner(string Path, ProcessGroupWatchdog? Watchdog, bool WatchdogInput, ProcessSandbox? Sandbox);

    /// <summary>
    /// Runs a program to its end and returns its output: for example <c>/bin/sh -c COMMAND</c> read with a timeout. The
    /// whole process tree is killed on cancellation or when <paramref name="timeout"/> passes.
    /// </summary>
    /// <param name="spec">What to run.</param>
    /// <param name="timeout">How long it may take (<see cref="Timeout.InfiniteTimeSpan"/> for no limit).</param>
    /// <param name="input">Text written to its standard input, which is then closed; <see langword="null"/> closes it at once.</param>
    /// <param name="maxOutputCharacters">The most standard-output characters kept; more stops the program (a read is then cut).</param>
    /// <param name="cancellationToken">Cancellation (kills the tree, then throws).</param>
    /// <returns>What it did.</returns>
    /// <exception cref="ProgramStartException">It was not found or could not be started.</exception>
    public static async Task<ProcessOutput> RunAsync(
        ProcessSpec spec, TimeSpan timeout, string? input = null, int maxOutputCharacters = 4_000_000, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        using var process = Start(spec with { KeepInputOpen = true });
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (timeout != Timeout.InfiniteTimeSpan)
        {
            limit.CancelAfter(timeout);
        }

        using var kill = limit.Token.Register(process.Kill);
        var stdout = ReadBoundedAsync(process.Process.StandardOutput, maxOutputCharacters, process.Kill);
        var stderr = ReadBoundedAsync(process.Process.StandardError, 64_000, static () => { });
        try
        {
            await process.SendInputAsync(input ?? string.Empty, limit.Token).ConfigureAwait(false);
        }
        catch (IOException)
        {
            // It exited without reading its input; its exit code says why.
        }

        try
        {
            await process.Process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            cancellationToken.ThrowIfCancellationRequested();
            return new ProcessOutput(-1, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false), TimedOut: true);
        }

        var output = await stdout.ConfigureAwait(false);
        var error = await stderr.ConfigureAwait(false);
        return new ProcessOutput(process.Process.ExitCode, output, error, TimedOut: false);
    }

    /// <summary>The start information for <paramref name="spec"/> run from <paramref name="path"/>.</summary>
    /// <param name="spec">What to start.</param>
    /// <param name="path">The resolved absolute path.</param>
    /// <returns>The start information.</returns>
    public static ProcessStartInfo CreateStartInfo(ProcessSpec spec, string path)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var info = new ProcessStartInfo(path)
        {
            UseShellExecute = false,
            CreateNoWindow = true,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardInputEncoding = spec.InputEncoding,
            StandardOutputEncoding = spec.OutputEncoding,
            StandardErrorEncoding = spec.OutputEncoding,
        };
        if (spec.WorkingDirectory is not null)
        {
            info.WorkingDirectory = spec.WorkingDirectory;
        }

        if (spec.RawArguments is not null)
        {
            info.Arguments = spec.RawArguments;
        }
        else
        {
            foreach (var argument in spec.Arguments)
            {
                info.ArgumentList.Add(argument);
            }
        }

        if (spec.BaseEnvironment is { } complete)
        {
            // Built for this process: nothing of the host's own environment is passed on.
            info.Environment.Clear();
            foreach (var (key, value) in complete)
            {
                info.Environment[key] = value;
            }
        }

        foreach (var (key, value) in spec.Environment)
        {
            if (value is null)
            {
                info.Environment.Remove(key);
            }
            else
            {
                info.Environment[key] = value;
            }
        }

        if (spec.AbsolutePathOnly)
        {
            var pathName = info.Environment.Keys.FirstOrDefault(k => k.Equals("PATH", StringComparison.OrdinalIgnoreCase)) ?? "PATH";
            info.Environment[pathName] = ProgramSearch.AbsoluteOnly(info.Environment.TryGetValue(pathName, out var value) ? value : null);
        }

        return info;
    }

    private static async Task<string> ReadBoundedAsync(StreamReader reader, int max, Action enough)
    {
        var builder = new StringBuilder();
        var buffer = new char[8192];
        try
        {
            int read;
            while ((read = await reader.ReadAsync(buffer.AsMemory()).ConfigureAwait(false)) > 0)
            {
                var room = max - builder.Length;
                builder.Append(buffer, 0, Math.Min(room, read));
                if (read > room)
                {
                    enough();
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // The pipe broke: the program was killed mid-write.
        }

        return builder.ToString();
    }
}
