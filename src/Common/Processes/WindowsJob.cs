using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace AgentHost.Common.Processes;

/// <summary>
/// How a program dies with the host on Windows (<see cref="ProcessSpec.DiesWithHost"/>): it is assigned to a job object
/// created with <c>JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE</c> whose only handle the host holds (not inheritable). When that
/// handle closes — the host disposed the process, exited, or was killed — Windows ends every process in the job, the
/// program's children included (they join the job when they start). <see cref="Terminate"/> ends them at once.
/// </summary>
/// <remarks>
/// A process the program starts before it is assigned (the moment between its start and the assignment) is not in the
/// job; .NET cannot start a process suspended. Not built or tested on other systems than Windows. Thread-safe.
/// </remarks>
[SupportedOSPlatform("windows")]
internal sealed partial class WindowsJob : IDisposable
{
    private const int ExtendedLimitInformation = 9;
    private const uint KillOnJobClose = 0x2000;
    private readonly SafeJobHandle _handle;

    private WindowsJob(SafeJobHandle handle) => _handle = handle;

    /// <summary>Creates a job that ends its processes when its handle closes, and assigns <paramref name="process"/> to it.</summary>
    /// <param name="process">A started process.</param>
    /// <returns>The job.</returns>
    /// <exception cref="Win32Exception">The job could not be created or the process not assigned (it has exited, or is in a job that allows no nesting).</exception>
    public static WindowsJob Assign(Process process)
    {
        ArgumentNullException.ThrowIfNull(process);
        var handle = CreateJobObject(IntPtr.Zero, null);
        if (handle.IsInvalid)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError());
        }

        var limits = new ExtendedLimits { Basic = new BasicLimits { LimitFlags = KillOnJobClose } };
        if (!SetInformationJobObject(handle, ExtendedLimitInformation, ref limits, (uint)Marshal.SizeOf<ExtendedLimits>())
            || !AssignProcessToJobObject(handle, process.SafeHandle))
        {
            var error = Marshal.GetLastPInvokeError();
            handle.Dispose();
            throw new Win32Exception(error);
        }

        return new WindowsJob(handle);
    }

    /// <summary>Ends every process in the job.</summary>
    public void Terminate()
    {
        if (!_handle.IsClosed)
        {
            _ = TerminateJobObject(_handle, 1);
        }
    }

    /// <summary>Closes the job: what is left in it ends.</summary>
    public void Dispose() => _handle.Dispose();

    [StructLayout(LayoutKind.Sequential)]
    private struct BasicLimits
    {
        public long PerProcessUserTimeLimit;
        public long PerJobUserTimeLimit;
        public uint LimitFlags;
        public nuint MinimumWorkingSetSize;
        public nuint MaximumWorkingSetSize;
        public uint ActiveProcessLimit;
        public nuint Affinity;
        public uint PriorityClass;
        public uint SchedulingClass;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct IoCounters
    {
        public ulong ReadOperationCount;
        public ulong WriteOperationCount;
        public ulong OtherOperationCount;
        public ulong ReadTransferCount;
        public ulong WriteTransferCount;
        public ulong OtherTransferCount;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct ExtendedLimits
    {
        public BasicLimits Basic;
        public IoCounters Io;
        public nuint ProcessMemoryLimit;
        public nuint JobMemoryLimit;
        public nuint PeakProcessMemoryUsed;
        public nuint PeakJobMemoryUsed;
    }

    private sealed class SafeJobHandle : Microsoft.Win32.SafeHandles.SafeHandleZeroOrMinusOneIsInvalid
    {
        public SafeJobHandle()
            : base(ownsHandle: true)
        {
        }

        protected override bool ReleaseHandle() => CloseHandle(handle);
    }

    [LibraryImport("kernel32.dll", EntryPoint = "CreateJobObjectW", SetLastError = true, StringMarshalling = StringMarshalling.Utf16)]
    private static partial SafeJobHandle CreateJobObject(IntPtr attributes, string? name);

    [LibraryImport("kernel32.dll", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static partial bool SetInformationJobObject(SafeJobHandle job, int infoClass, ref ExtendedLimits info, uint length);

    [LibraryImport("kernel32.dll", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static partial bool AssignProcessToJobObject(SafeJobHandle job, SafeHandle process);

    [LibraryImport("kernel32.dll", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static partial bool TerminateJobObject(SafeJobHandle job, uint exitCode);

    [LibraryImport("kernel32.dll", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static partial bool CloseHandle(IntPtr handle);
}
