using System.Diagnostics;
using System.IO.Pipes;
using System.Runtime.InteropServices;

namespace AgentHost.Common.Processes;

/// <summary>
/// How a program dies with the host on Linux (<see cref="ProcessSpec.DiesWithHost"/>): it is started by <c>setsid</c>
/// in its own session and process group, under a small <c>sh</c> watchdog that runs in that group and holds the read
/// end of a pipe only the host writes to (the program's standard input as .NET sees it). When the pipe closes — the
/// host disposed the process, exited, or was killed with SIGKILL, which runs none of its code — the watchdog kills the
/// whole group from inside it (<c>kill -9 0</c>), the program's orphaned children included. .NET cannot set a
/// parent-death signal before <c>exec</c>, and such a signal would reach only the direct child anyway.
/// </summary>
/// <remarks>
/// The group is killed from outside only while the watchdog is alive (<see cref="GroupExists"/>): a group whose members
/// have all exited leaves its number free, and a later process could take it, so a group number is never signalled
/// once its watchdog is gone. Immutable and thread-safe.
/// </remarks>
internal sealed partial class ProcessGroupWatchdog
{
    /// <summary>
    /// The watchdog for a program without input: it reads the pipe (fd 3) in the background, and the program replaces
    /// the wrapper (<c>exec</c>), so its process id, exit code and signals are its own; it reads <c>/dev/null</c>.
    /// </summary>
    public const string Script =
        "exec 3<&0\n"
        + "{ while read -r _; do :; done; kill -9 0; } <&3 >/dev/null 2>&1 &\n"
        + "exec \"$@\" </dev/null 3<&-\n";

    /// <summary>
    /// The watchdog for a program that reads input: the host writes the input's length in bytes on a line, then the
    /// input, and keeps the pipe open. A subshell passes exactly that many bytes to the program (<c>head -c</c>, by the
    /// absolute path in <c>$1</c>), closes the program's input, then leaves the watchdog behind in the group and ends;
    /// the wrapper ends with the program's status (a pipeline's is its last command's). Redirections are made with
    /// <c>exec</c>, never on a compound command: a shell keeps a copy of each descriptor such a redirection replaces, and
    /// a watchdog forked there would hold the program's output open after the program ended.
    /// </summary>
    public const string InputScript =
        "h=$1; shift\n"
        + "IFS= read -r n || exit 125\n"
        + "exec 3<&0 </dev/null\n"
        + "( exec 2>/dev/null; \"$h\" -c \"$n\" <&3; exec >&-; { exec <&3 3<&-; while read -r _; do :; done; kill -9 0; } & ) | \"$@\" 3<&-\n";

    private const int SigKill = 9;
    private const short PollOut = 0x4;
    private const short PollErr = 0x8;

    private ProcessGroupWatchdog(string setsid, string shell, string? head)
    {
        SetsidPath = setsid;
        ShellPath = shell;
        HeadPath = head;
    }

    /// <summary><c>setsid</c>'s absolute path.</summary>
    public string SetsidPath { get; }

    /// <summary>The POSIX shell that runs the watchdog.</summary>
    public string ShellPath { get; }

    /// <summary><c>head</c>'s absolute path (programs that read input), when found.</summary>
    public string? HeadPath { get; }

    /// <summary>The watchdog's programs, found on the host's absolute PATH entries outside <paramref name="refusedRoots"/>; null off Linux or when one is missing.</summary>
    /// <param name="refusedRoots">Folders whose programs are never used (the project root).</param>
    /// <returns>The watchdog, or <see langword="null"/>.</returns>
    public static ProcessGroupWatchdog? Find(IReadOnlyList<string> refusedRoots)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        var setsid = ProgramSearch.Find("setsid", refusedRoots: refusedRoots);
        var shell = ProgramSearch.Find("sh", refusedRoots: refusedRoots);
        return setsid is null || shell is null ? null : new ProcessGroupWatchdog(setsid, shell, ProgramSearch.Find("head", refusedRoots: refusedRoots));
    }

    /// <summary>Whether a program with (or without) input can run under this watchdog.</summary>
    /// <param name="withInput">Whether the program reads input.</param>
    /// <returns>Whether it can.</returns>
    public bool Supports(bool withInput) => !withInput || HeadPath is not null;

    /// <summary>Points <paramref name="info"/> at the watchdog, which runs <paramref name="program"/> with the arguments already in <paramref name="info"/>.</summary>
    /// <param name="info">Start information with the program's arguments as a list.</param>
    /// <param name="program">The program's absolute path.</param>
    /// <param name="withInput">Whether the program reads input (<see cref="InputScript"/>).</param>
    public void Wrap(ProcessStartInfo info, string program, bool withInput)
    {
        string[] arguments = [.. info.ArgumentList];
        info.FileName = SetsidPath;
        info.ArgumentList.Clear();
        string[] head = withInput ? [ShellPath, "-c", InputScript, "agent-child", HeadPath!] : [ShellPath, "-c", Script, "agent-child"];
        foreach (var argument in (string[])[.. head, program, .. arguments])
        {
            info.ArgumentList.Add(argument);
        }
    }

    /// <summary>
    /// Whether the group of <paramref name="process"/> still exists: its watchdog (a member that never leaves it) still
    /// holds the pipe's read end. Asked without writing: a pipe whose readers are all gone reports an error to
    /// <c>poll</c> on its write end.
    /// </summary>
    /// <param name="process">The process the watchdog started (its standard input is the pipe).</param>
    /// <returns>Whether the group can be signalled safely.</returns>
    public static bool GroupExists(Process process)
    {
        SafeHandle handle;
        try
        {
            if (process.StandardInput.BaseStream is not PipeStream pipe)
            {
                return false;
            }

            handle = pipe.SafePipeHandle;
        }
        catch (Exception ex) when (ex is InvalidOperationException or ObjectDisposedException)
        {
            return false;
        }

        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            var poll = new PollFd { Fd = (int)handle.DangerousGetHandle(), Events = PollOut };
            return Poll(ref poll, 1, 0) >= 0 && (poll.Revents & PollErr) == 0;
        }
        catch (Exception ex) when (ex is ObjectDisposedException or DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>Kills the process group <paramref name="groupId"/> (the leader's process id) with SIGKILL, in one system call.</summary>
    /// <param name="groupId">The group.</param>
    public static void KillGroup(int groupId)
    {
        try
        {
            _ = Kill(-groupId, SigKill);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            // A C library without the name "libc" (some musl systems): the watchdog and the tree kill remain.
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static partial int Poll(ref PollFd fds, nuint count, int timeout);
}
