using System.ComponentModel;
using System.Diagnostics;

namespace AgentHost.Common.Processes;

/// <summary>
/// A started program the host owns: <see cref="Kill"/> and <see cref="Dispose"/> kill its whole process tree (a
/// language server's helpers, a hook's children), so nothing it started outlives it. Started with
/// <see cref="ProcessSpec.DiesWithHost"/>, it also dies with the host, and a kill takes its process group (Linux) or job
/// (Windows), children already orphaned by their parent included.
/// </summary>
/// <remarks>Thread-safe: <see cref="Kill"/> may race with exit and with <see cref="Dispose"/>.</remarks>
public sealed class OwnedProcess : IDisposable
{
    private readonly ProcessGroupWatchdog? _watchdog;
    private readonly IDisposable? _job;
    private readonly bool _watchdogInput;
    private readonly IReadOnlyList<string> _absentFiles = [];
    private int _disposed;

    internal OwnedProcess(Process process, string path, ProcessGroupWatchdog? watchdog = null, bool watchdogInput = false, IDisposable? job = null)
    {
        Process = process;
        Path = path;
        Id = process.Id;
        _watchdog = watchdog;
        _watchdogInput = watchdogInput;
        _job = job;
    }

    /// <summary>The process (its streams, exit code and events).</summary>
    public Process Process { get; }

    /// <summary>The absolute path that was started.</summary>
    public string Path { get; }

    /// <summary>Its process id (on Linux with <see cref="DiesWithHost"/>, also its process group's id).</summary>
    public int Id { get; }

    /// <summary>The sandbox it runs in (<see cref="ProcessSpec.Sandbox"/>), or <see langword="null"/> when it runs without one.</summary>
    public AgentHost.Sdk.Tools.ProcessSandbox? Sandbox { get; init; }

    /// <summary>
    /// Files of the sandbox's <see cref="AgentHost.Sdk.Tools.ProcessSandbox.AbsentPaths"/> that were absent when it started:
    /// those it made are renamed aside when it exits and, at the latest, when it is disposed (<see cref="AbsentPlaces"/>).
    /// </summary>
    internal IReadOnlyList<string> AbsentFiles
    {
        get => _absentFiles;
        init
        {
            _absentFiles = value;
            if (value.Count > 0)
            {
                Process.Exited += (_, _) => AbsentPlaces.MoveAside(value);
            }
        }
    }

    /// <summary>Whether it dies with the host (a watchdog on Linux, a job object on Windows), not only with its tree.</summary>
    public bool DiesWithHost => _watchdog is not null || _job is not null;

    /// <summary>Whether it has exited (or was disposed).</summary>
    public bool HasExited
    {
        get
        {
            try
            {
                return Process.HasExited;
            }
            catch (InvalidOperationException)
            {
                return true;
            }
        }
    }

    /// <summary>
    /// Writes <paramref name="input"/> to the program's standard input and ends it (<see cref="ProcessSpec.KeepInputOpen"/>).
    /// Under the Linux watchdog the input goes through it (its length first) and the pipe stays open: it is the lifeline.
    /// </summary>
    /// <param name="input">The text.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>A task that completes when the input is written (an <see cref="IOException"/> when the program closed its input first).</returns>
    public async Task SendInputAsync(string input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        var writer = Process.StandardInput;
        if (_watchdog is not null)
        {
            if (_watchdogInput)
            {
                await writer.WriteAsync($"{writer.Encoding.GetByteCount(input)}\n".AsMemory(), cancellationToken).ConfigureAwait(false);
                await writer.WriteAsync(input.AsMemory(), cancellationToken).ConfigureAwait(false);
                await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        try
        {
            await writer.WriteAsync(input.AsMemory(), cancellationToken).ConfigureAwait(false);
            await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            writer.Close();
        }
    }

    /// <summary><see cref="SendInputAsync"/> on the calling thread, for a synchronous caller.</summary>
    /// <param name="input">The text.</param>
    /// <exception cref="IOException">The program closed its input first.</exception>
    public void SendInput(string input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var writer = Process.StandardInput;
        if (_watchdog is not null)
        {
            if (_watchdogInput)
            {
                writer.Write($"{writer.Encoding.GetByteCount(input)}\n");
                writer.Write(input);
                writer.Flush();
            }

            return;
        }

        try
        {
            writer.Write(input);
            writer.Flush();
        }
        finally
        {
            writer.Close();
        }
    }

    /// <summary>
    /// Kills the process and every process it started: its group (Linux, only while the group provably still exists)
    /// or its job (Windows) first, in one call, then what is still its descendant. Also after it exited, for what it
    /// left running.
    /// </summary>
    public void Kill()
    {
        // The group first, in one system call: .NET's tree kill stops each process (SIGSTOP) before it kills it, and a
        // host that exits between the two would leave the watchdog stopped, unable to see its pipe close.
        if (_watchdog is not null && ProcessGroupWatchdog.GroupExists(Process))
        {
            ProcessGroupWatchdog.KillGroup(Id);
        }

        if (_job is WindowsJob job && OperatingSystem.IsWindows())
        {
            job.Terminate();
        }

        try
        {
            Process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited or disposed.
        }
        catch (Win32Exception)
        {
            // A process of the tree exited while it was being killed, or cannot be signalled.
        }
        catch (NotSupportedException)
        {
            // A remote process: never ours.
        }
    }

    /// <summary>Kills what is left of the tree (while it runs), then releases the process; its group or job ends with it.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // On Unix a process that has exited has no descendants left (its children were handed to init or a
        // subreaper), so a tree kill would only scan every process in /proc for nothing: 5-15 ms per program run.
        // What it left in its group, the watchdog kills when its pipe closes below.
        if (OperatingSystem.IsWindows() || !HasExited)
        {
            Kill();
        }

        if (_watchdog is not null)
        {
            CloseInput();
        }

        _job?.Dispose();
        Process.Dispose();
        AbsentPlaces.MoveAside(_absentFiles);
    }

    private void CloseInput()
    {
        try
        {
            Process.StandardInput.Close();
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or ObjectDisposedException)
        {
            // Already closed, or the pipe broke: the watchdog sees the end either way.
        }
    }
}
