using System.Runtime.InteropServices;

namespace AgentHost.Hosting.Plugins.Caches;

/// <summary>What identifies one version of a file: its device and inode, size, and modification and inode change times (nanoseconds since 1970).</summary>
/// <param name="Device">The device (major and minor) the file is on.</param>
/// <param name="Inode">The inode number.</param>
/// <param name="Size">The size in bytes.</param>
/// <param name="ModifiedNs">The modification time (mtime).</param>
/// <param name="ChangedNs">The inode change time (ctime): set by the kernel on every change, never settable by a process.</param>
public readonly record struct FileStat(ulong Device, ulong Inode, long Size, long ModifiedNs, long ChangedNs)
{
    /// <summary>
    /// Files changed this close to the moment they are stamped make the stamp unfit for keeping: timestamps are kept at
    /// the kernel's coarse tick, so a change right after could keep them (git's "racily clean" entries).
    /// </summary>
    public static TimeSpan RacyWindow { get; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The time (nanoseconds since 1970) from which a stat is racy: <see cref="RacyWindow"/> before now. Read it before
    /// the files are stat'ed: a file changed after that has a time past it or, when it was older, another stat.
    /// </summary>
    /// <param name="time">The clock.</param>
    /// <returns>The limit to pass to <see cref="IsRacy"/>.</returns>
    public static long RacyLimit(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        return (time.GetUtcNow() - RacyWindow - DateTimeOffset.UnixEpoch).Ticks * 100;
    }

    /// <summary>Whether the file changed so recently (at or after <paramref name="limit"/>) that its stat is unfit for keeping.</summary>
    /// <param name="limit">From <see cref="RacyLimit"/>.</param>
    /// <returns>Whether the stat is racy.</returns>
    public bool IsRacy(long limit) => ModifiedNs >= limit || ChangedNs >= limit;
}

/// <summary>
/// Reads a file's <see cref="FileStat"/> on Linux with <c>statx(2)</c>, never following a symbolic link. .NET exposes
/// neither the inode number nor the inode change time. <c>struct statx</c> has the same layout on every Linux
/// architecture (fixed-size fields, 256 bytes), so the fields are read at their documented offsets.
/// </summary>
public static partial class LinuxFileStat
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;

    // STATX_MTIME | STATX_CTIME | STATX_INO | STATX_SIZE: the fields read; a file system that cannot give one is not stamped.
    private const uint Wanted = 0x40 | 0x80 | 0x100 | 0x200;
    private const int BufferSize = 256;

    private static volatile bool _missing;

    /// <summary>Whether statx can be called here (Linux with a C library that exports it).</summary>
    public static bool Available => OperatingSystem.IsLinux() && !_missing;

    /// <summary>Reads the stat of <paramref name="path"/>, or returns <see langword="false"/> when it cannot be read in full.</summary>
    /// <param name="path">The absolute path (a link is stat'ed itself).</param>
    /// <param name="stat">The result.</param>
    /// <returns>Whether every field was read.</returns>
    public static bool TryStat(string path, out FileStat stat)
    {
        stat = default;
        if (!Available)
        {
            return false;
        }

        Span<byte> buffer = stackalloc byte[BufferSize];
        buffer.Clear();
        try
        {
            if (Statx(AtFdCwd, path, AtSymlinkNoFollow, Wanted, ref MemoryMarshal.GetReference(buffer)) != 0)
            {
                return false;
            }
        }
        catch (EntryPointNotFoundException)
        {
            _missing = true; // a C library without statx (glibc before 2.28): stamps are not used
            return false;
        }
        catch (DllNotFoundException)
        {
            _missing = true;
            return false;
        }

        // Offsets of struct statx (include/uapi/linux/stat.h): stx_mask 0, stx_ino 32, stx_size 40, stx_ctime 96,
        // stx_mtime 112 (each timestamp: tv_sec i64, tv_nsec u32), stx_dev_major 136, stx_dev_minor 140; in the
        // machine's byte order.
        var mask = Read32(buffer, 0);
        if ((mask & Wanted) != Wanted)
        {
            return false;
        }

        stat = new FileStat(
            ((ulong)Read32(buffer, 136) << 32) | Read32(buffer, 140),
            Read64(buffer, 32),
            (long)Read64(buffer, 40),
            Nanoseconds(buffer, 112),
            Nanoseconds(buffer, 96));
        return true;
    }

    private static long Nanoseconds(ReadOnlySpan<byte> buffer, int offset) => ((long)Read64(buffer, offset) * 1_000_000_000L) + Read32(buffer, offset + 8);

    private static uint Read32(ReadOnlySpan<byte> buffer, int offset) => MemoryMarshal.Read<uint>(buffer[offset..]);

    private static ulong Read64(ReadOnlySpan<byte> buffer, int offset) => MemoryMarshal.Read<ulong>(buffer[offset..]);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int directoryFd, string path, int flags, uint mask, ref byte buffer);
}
