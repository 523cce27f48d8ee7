using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace AgentHost.Tests.Processes;

/// <summary>Waits, without sleeping, for a process that is not our child to end (Linux pidfd), and makes FIFOs.</summary>
public static class ProcessWatch
{
    private const long PidfdOpen = 434; // the same number on x86-64 and arm64 (kernel 5.3+)

    /// <summary>Whether <paramref name="pid"/> ended within <paramref name="timeout"/> (a zombie counts as ended).</summary>
    public static async Task<bool> EndsWithinAsync(int pid, TimeSpan timeout)
    {
        var fd = (int)Syscall(PidfdOpen, pid, 0);
        if (fd < 0)
        {
            return true; // ESRCH: already gone.
        }

        try
        {
            return await Task.Run(() =>
            {
                var poll = new PollFd { Fd = fd, Events = 1 };
                return Poll(ref poll, 1, (int)timeout.TotalMilliseconds) > 0 || IsZombieOrGone(pid);
            });
        }
        finally
        {
            _ = Close(fd);
        }
    }

    /// <summary>Whether the process is gone or a zombie (dead, not yet reaped).</summary>
    public static bool IsZombieOrGone(int pid)
    {
        var stat = $"/proc/{pid}/stat";
        try
        {
            var text = File.ReadAllText(stat);
            return text[(text.LastIndexOf(')') + 2)..].StartsWith('Z');
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return true;
        }
    }

    /// <summary>Creates a FIFO: opening it for reading blocks until a writer opens it, so a test waits for exactly that moment.</summary>
    public static string MakeFifo(string path)
    {
        using var mkfifo = Process.Start("mkfifo", [path])!;
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
        return path;
    }

    /// <summary>Reads the pid a command writes to the FIFO (blocks until it does, at most one minute).</summary>
    public static async Task<int> ReadPidAsync(string fifo)
    {
        var read = Task.Run(() => File.ReadAllText(fifo));
        var text = await read.WaitAsync(TimeSpan.FromMinutes(1));
        return int.Parse(text.Trim(), CultureInfo.InvariantCulture);
    }

    public static void Signal(int pid, string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, pid.ToString(CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [DllImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static extern long Syscall(long number, int pid, uint flags);

    [DllImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static extern int Poll(ref PollFd fds, ulong count, int timeout);

    [DllImport("libc", EntryPoint = "close")]
    private static extern int Close(int fd);
}
