using System.Diagnostics;
using AgentHost.Common.Processes;
using AgentHost.Sdk.Tools;

namespace AgentHost.Plugins.Shell;

/// <summary>
/// One running shell: no input, stdout and stderr read concurrently into sinks (so neither pipe can fill up and stall
/// the child), and a kill that takes the whole process tree — and its process group (Linux) or job (Windows), which
/// also catches children already orphaned by their parent. Started by the host's one launcher dying with the host
/// (<see cref="ProcessSpec.DiesWithHost"/>), so the group also dies when the host exits or is killed (even with
/// SIGKILL), or this object is disposed.
/// </summary>
/// <remarks>Thread-safe: <see cref="Kill"/> may race with exit and with <see cref="Dispose"/>.</remarks>
internal sealed class ShellProcess : IDisposable
{
    private readonly OwnedProcess _owned;
    private readonly Process _process;
    private readonly Task _readers;
    private int _killed;

    private ShellProcess(OwnedProcess owned, Action<ReadOnlySpan<char>> stdout, Action<ReadOnlySpan<char>> stderr)
    {
        _owned = owned;
        _process = owned.Process;
        Id = owned.Id;
        var process = owned.Process;

        // No stdin for the command: interactive commands read end-of-file at once instead of waiting for input that
        // never comes (the launcher closed it, or the watchdog gave the command /dev/null and keeps the pipe).
        _readers = Task.WhenAll(
            Task.Run(() => PumpAsync(process.StandardOutput, stdout)),
            Task.Run(() => PumpAsync(process.StandardError, stderr)));
    }

    /// <summary>The sandbox the shell runs in, or <see langword="null"/> when it runs without one.</summary>
    public ProcessSandbox? Sandbox => _owned.Sandbox;

    /// <summary>The shell's process id.</summary>
    public int Id { get; }

    /// <summary>Whether <see cref="Kill"/> was called.</summary>
    public bool Killed => Volatile.Read(ref _killed) != 0;

    /// <summary>Completes when both output streams reached their end (every process holding them exited or closed them).</summary>
    public Task OutputClosed => _readers;

    /// <summary>Starts <paramref name="command"/> with <paramref name="program"/>.</summary>
    /// <param name="program">The shell.</param>
    /// <param name="command">The command line.</param>
    /// <param name="workingDirectory">Where it runs.</param>
    /// <param name="stdout">Receives standard output as it arrives (on a pool thread).</param>
    /// <param name="stderr">Receives standard error as it arrives (on a pool thread).</param>
    /// <param name="sandbox">The host's sandbox for the call, or <see langword="null"/> for none.</param>
    /// <param name="environment">The complete environment the host built for the call's processes, or <see langword="null"/> to inherit the host's.</param>
    /// <returns>The running process.</returns>
    /// <exception cref="ToolException">The shell could not be started (or must run sandboxed and the sandbox cannot run).</exception>
    public static ShellProcess Start(
        ShellProgram program, string command, string workingDirectory, Action<ReadOnlySpan<char>> stdout, Action<ReadOnlySpan<char>> stderr, ProcessSandbox? sandbox = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        OwnedProcess owned;
        try
        {
            owned = ProcessLauncher.Start(program.CreateSpec(command, workingDirectory, sandbox, environment));
        }
        catch (ProgramStartException ex) when (ex.SandboxRefused)
        {
            throw new ToolException($"nothing was run: {ex.Message}");
        }
        catch (ProgramStartException ex)
        {
            throw new ToolException($"could not start the shell {program.Path}: {ex.Message}. Check that it is installed and executable, or set {ShellSettings.Prefix}program.");
        }

        return new ShellProcess(owned, stdout, stderr);
    }

    /// <summary>Waits for the shell itself to exit (not for processes it left running).</summary>
    /// <param name="cancellationToken">Stops waiting (does not kill).</param>
    /// <returns>The exit code.</returns>
    public async Task<int> WaitForExitAsync(CancellationToken cancellationToken)
    {
        await _process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        return _process.ExitCode;
    }

    /// <summary>Whether the shell has exited.</summary>
    public bool HasExited
    {
        get
        {
            try
            {
                return _process.HasExited;
            }
            catch (InvalidOperationException)
            {
                return true;
            }
        }
    }

    /// <summary>Kills the shell and everything it started.</summary>
    public void Kill()
    {
        Interlocked.Exchange(ref _killed, 1);
        KillRemaining();
    }

    /// <summary>Kills what is left of the tree and the process group without marking the shell as killed (used after it exited).</summary>
    /// <remarks>The group is signalled only while it provably still exists (<see cref="OwnedProcess.Kill"/>): never a reused group number.</remarks>
    public void KillRemaining() => _owned.Kill();

    /// <summary>Kills what is left of the group (closing the watchdog's pipe does the same) and releases the process.</summary>
    public void Dispose() => _owned.Dispose();

    private static async Task PumpAsync(StreamReader reader, Action<ReadOnlySpan<char>> sink)
    {
        var buffer = new char[8192];
        try
        {
            int read;
            while ((read = await reader.ReadAsync(buffer.AsMemory()).ConfigureAwait(false)) > 0)
            {
                sink(buffer.AsSpan(0, read));
            }
        }
        catch (IOException)
        {
            // The pipe broke (the process was killed mid-write).
        }
        catch (ObjectDisposedException)
        {
            // The output was abandoned and the process disposed.
        }
    }
}
