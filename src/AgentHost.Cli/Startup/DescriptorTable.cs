using System.Runtime.InteropServices;

namespace AgentHost.Cli.Startup;

/// <summary>
/// Grows the process's file descriptor table to <see cref="Slots"/> slots on a thread of its own as the process starts
/// (Linux), so that the runtime's assembly loads never grow it on the way to the first model request.
/// </summary>
/// <remarks>
/// <para>
/// The runtime keeps two descriptors open per loaded assembly, so a run holds 80–170 of them. Linux sizes a process's
/// table from the highest descriptor its parent had open when it forked: a shell that keeps its script on descriptor
/// 255 (bash) passes on a table of 256, but most other parents (Python's <c>subprocess</c>, Node, a .NET process, a
/// shell's child) pass on 64. Growing the table of a process that already has several threads waits for an RCU grace
/// period in the kernel (<c>expand_fdtable</c> calls <c>synchronize_rcu</c>), on whichever thread opened the 65th or the
/// 129th descriptor, twice per run. Measured in docs/decisions/0003-startup-warm-up-and-descriptor-table.md.
/// </para>
/// <para>
/// Asking for a descriptor at or above 255 (<c>fcntl(F_DUPFD_CLOEXEC, 255)</c>, closed at once) grows the table to 256
/// in one step while the main thread goes on: other threads wait only if they need a slot beyond the old size before
/// the grace period ends. It never replaces an open descriptor. Where it cannot (no descriptor 0–2 open, a descriptor
/// limit under 256, another system) nothing happens and the runtime grows the table as before.
/// </para>
/// </remarks>
internal static partial class DescriptorTable
{
    /// <summary>The table size reserved: covers what a run, a tool run or the chat holds.</summary>
    internal const int Slots = 256;

    private const int DuplicateCloseOnExec = 1030; // F_DUPFD_CLOEXEC

    /// <summary>Starts growing the table on a background thread (Linux); returns the thread, or <see langword="null"/> elsewhere.</summary>
    /// <returns>The thread, for tests; callers do not wait for it.</returns>
    public static Thread? ReserveInBackground()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        var thread = new Thread(static () => Reserve()) { IsBackground = true, Name = "agent descriptor table" };
        thread.Start();
        return thread;
    }

    /// <summary>Grows the table to <see cref="Slots"/> slots by duplicating descriptor 2, 1 or 0 to the last slot and closing the copy.</summary>
    /// <returns>Whether a descriptor could be placed in the last slot (the table has at least <see cref="Slots"/> slots).</returns>
    internal static bool Reserve()
    {
        for (var source = 2; source >= 0; source--)
        {
            var copy = Duplicate(source, DuplicateCloseOnExec, Slots - 1);
            if (copy >= 0)
            {
                _ = Close(copy);
                return true;
            }
        }

        return false;
    }

    [LibraryImport("libc", EntryPoint = "fcntl")]
    private static partial int Duplicate(int descriptor, int command, int lowest);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int descriptor);
}
