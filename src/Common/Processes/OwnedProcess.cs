using System.ComponentModel;
using System.Diagnostics;

namespace AgentHost.Common.Processes;

/// <summary>
/// A started program the host owns: <see cref="Kill"/> and <see cref="Dispose"/> kill its whole process tree (a
/// language server's helpers, a hook's children), so nothing it started outlives it.
/// </summary>
/// <remarks>Thread-safe: <see cref="Kill"/> may race with exit and with <see cref="Dispose"/>.</remarks>
internal sealed class OwnedProcess : IDisposable
{
    private int _disposed;

    internal OwnedProcess(Process process, string path)
    {
        Process = process;
        Path = path;
        Id = process.Id;
    }

    /// <summary>The process (its streams, exit code and events).</summary>
    public Process Process { get; }

    /// <summary>The absolute path that was started.</summary>
    public string Path { get; }

    /// <summary>Its process id.</summary>
    public int Id { get; }

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

    /// <summary>Kills the process and every process it started that is still its descendant.</summary>
    public void Kill()
    {
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

    /// <summary>Kills what is left of the tree (while it runs), then releases the process.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // On Unix a process that has exited has no descendants left (its children were handed to init or a
        // subreaper), so a tree kill would only scan every process in /proc for nothing: 5-15 ms per program run.
        if (OperatingSystem.IsWindows() || !HasExited)
        {
            Kill();
        }

        Process.Dispose();
    }
}
