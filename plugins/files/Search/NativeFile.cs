using System.Runtime.InteropServices;

namespace AgentHost.Plugins.Files.Search;

/// <summary>
/// Reads a file with few system calls on Linux: <c>open</c> (or <c>openat</c> in the folder the walk listed),
/// <c>lseek</c> for its size when the walk did not ask for it, <c>pread</c>, <c>close</c>, where .NET's
/// <see cref="File.OpenHandle"/> and <see cref="RandomAccess"/> make six (<c>openat</c>, <c>fstat</c>, <c>flock</c>
/// to take and again to drop an advisory shared lock, <c>pread</c>, <c>close</c>). grep reads every file it searches
/// once, so on a large tree these calls are much of its time; other systems use the .NET API.
/// </summary>
/// <remarks>
/// The file is opened read-only, close-on-exec, without becoming a controlling terminal and without blocking (the
/// walk only hands over regular files by their listed type, or, where types are not known, files whose size is above
/// 0, so pipes, sockets and devices are never opened; the flag is a second guard should one appear in their place),
/// and a symbolic link in the file's place is refused, not followed (<c>O_NOFOLLOW</c>). No advisory lock is taken: a
/// search only reads, and another process's lock never stopped .NET from reading a file shared for reading either.
/// </remarks>
internal static partial class NativeFile
{
    private const int ReadOnly = 0;
    private const int NoControllingTerminal = 0x100; // O_NOCTTY
    private const int NonBlocking = 0x800; // O_NONBLOCK
    private const int CloseOnExec = 0x80000; // O_CLOEXEC
    private const int Interrupted = 4; // EINTR
    private const int SeekEnd = 2; // SEEK_END
    private const int EmptyPath = 0x1000; // AT_EMPTY_PATH
    private const uint BasicStats = 0x7ff; // STATX_BASIC_STATS

    /// <summary><c>O_NOFOLLOW</c>, which differs between the architectures: a file that is a symbolic link is refused (<c>ELOOP</c>) rather than followed.</summary>
    private static readonly int NoFollow = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 0x8000 : 0x20000;

    /// <summary>Whether the native path is used: Linux on x64 or Arm64, where the flag values above hold.</summary>
    public static bool IsSupported { get; } = OperatingSystem.IsLinux()
        && RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64;

    /// <summary>
    /// Reads up to <paramref name="buffer"/>'s length from the start of the file; returns the bytes read. With a
    /// <paramref name="probe"/> above 0 the first that many bytes are read first, and reading stops there when they
    /// make the file binary (<see cref="SearchFile.IsBinaryStart"/>).
    /// </summary>
    /// <exception cref="FileNotFoundException">The file is gone.</exception>
    /// <exception cref="UnauthorizedAccessException">It may not be read.</exception>
    /// <exception cref="IOException">Any other failure.</exception>
    public static int ReadStart(string path, Span<byte> buffer, int probe)
    {
        var fd = OpenForReading(path);
        try
        {
            return ReadStart(fd, path, buffer, probe);
        }
        finally
        {
            CloseFile(fd);
        }
    }

    /// <summary><see cref="ReadStart(string, Span{byte}, int)"/> on a descriptor from <see cref="OpenForReading"/>, from offset 0.</summary>
    /// <exception cref="IOException">A read failed.</exception>
    public static int ReadStart(int fd, string path, Span<byte> buffer, int probe)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var end = probe > 0 && total < probe ? probe : buffer.Length;
            var read = ReadSome(fd, buffer[total..end], total, path);
            if (read == 0)
            {
                break;
            }

            total += read;
            if (probe > 0 && total == probe && SearchFile.IsBinaryStart(buffer[..total]))
            {
                break;
            }
        }

        return total;
    }

    /// <summary>
    /// The size of an open regular file (<c>lseek</c> to its end: one system call on the descriptor, no path look-up;
    /// reads give their offset, so the position does not matter). Fails for a pipe or a socket (<c>ESPIPE</c>).
    /// </summary>
    /// <exception cref="IOException">The size cannot be had.</exception>
    public static long Length(int fd, string path)
    {
        var end = Seek(fd, 0, SeekEnd);
        return end >= 0 ? end : throw Failure(path, Marshal.GetLastPInvokeError());
    }

    /// <summary>
    /// Opens a file for reading (read-only, close-on-exec, no controlling terminal, non-blocking) and refuses a
    /// symbolic link in its place (<c>O_NOFOLLOW</c>): the walk hands over regular files only, so a link there means
    /// the file was swapped after the walk saw it, and its target was never decided by the read check.
    /// </summary>
    /// <returns>The file descriptor; close it with <see cref="CloseFile"/>.</returns>
    /// <exception cref="FileNotFoundException">The file is gone.</exception>
    /// <exception cref="UnauthorizedAccessException">It may not be read.</exception>
    /// <exception cref="IOException">Any other failure, such as a symbolic link (<c>ELOOP</c>).</exception>
    public static int OpenForReading(string path)
    {
        int fd;
        do
        {
            fd = OpenRaw(path, ReadOnly | NoControllingTerminal | NonBlocking | CloseOnExec | NoFollow);
        }
        while (fd < 0 && Marshal.GetLastPInvokeError() == Interrupted);

        return fd >= 0 ? fd : throw Failure(path, Marshal.GetLastPInvokeError());
    }

    /// <summary>
    /// <see cref="OpenForReading"/> of the entry <paramref name="name"/> of an open folder (<c>openat</c>, with the same
    /// flags): the file is looked up in the folder that was listed, one name, with no path walk from the root, so
    /// neither a folder on the way swapped for a link nor a link in the file's place is followed.
    /// </summary>
    /// <param name="folderFd">The folder (<see cref="NativeDirectory.Open"/>).</param>
    /// <param name="name">The entry's name (no separators).</param>
    /// <param name="path">The file's full path (for messages).</param>
    /// <returns>The file descriptor; close it with <see cref="CloseFile"/>.</returns>
    /// <exception cref="IOException">The open failed (see <see cref="OpenForReading"/>).</exception>
    public static int OpenForReadingAt(int folderFd, ReadOnlySpan<char> name, string path) => OpenForReadingAt(folderFd, name, path, fallBackToPath: true);

    private static int OpenForReadingAt(int folderFd, ReadOnlySpan<char> name, string path, bool fallBackToPath) =>
        fallBackToPath && !IsOpenableName(name)
            ? OpenForReading(path)
            : OpenNameAt(folderFd, name, ReadOnly | NoControllingTerminal | NonBlocking | CloseOnExec | NoFollow, path);

    /// <summary>The longest name, in UTF-8 bytes with its terminating NUL, that <see cref="OpenNameAt"/> encodes on the stack.</summary>
    private const int NameBytes = 1024;

    /// <summary>Whether <paramref name="name"/> is one name <see cref="OpenNameAt"/> can open: no separator, no NUL, short enough.</summary>
    private static bool IsOpenableName(ReadOnlySpan<char> name) =>
        !name.Contains('/') && !name.Contains('\0') && System.Text.Encoding.UTF8.GetMaxByteCount(name.Length) < NameBytes;

    /// <summary><c>openat</c> of one name in an open folder with the given flags (retried on <c>EINTR</c>).</summary>
    /// <exception cref="IOException">The open failed, or the name cannot be opened in its folder (also <see cref="FileNotFoundException"/>, <see cref="UnauthorizedAccessException"/>).</exception>
    internal static int OpenNameAt(int folderFd, ReadOnlySpan<char> name, int flags, string path)
    {
        if (!IsOpenableName(name))
        {
            throw new IOException($"a name that cannot be opened in its folder ({path})");
        }

        Span<byte> utf8 = stackalloc byte[NameBytes];
        var length = System.Text.Encoding.UTF8.GetBytes(name, utf8);
        utf8[length] = 0;
        int fd;
        do
        {
            unsafe
            {
                fixed (byte* start = utf8)
                {
                    fd = OpenAt(folderFd, start, flags);
                }
            }
        }
        while (fd < 0 && Marshal.GetLastPInvokeError() == Interrupted);

        return fd >= 0 ? fd : throw Failure(path, Marshal.GetLastPInvokeError());
    }

    /// <summary>Reads into <paramref name="target"/> at <paramref name="offset"/> (<c>pread</c>); returns the bytes read (0 at the end).</summary>
    /// <exception cref="IOException">The read failed.</exception>
    public static int ReadSome(int fd, Span<byte> target, long offset, string path)
    {
        while (true)
        {
            nint read;
            unsafe
            {
                fixed (byte* start = target)
                {
                    read = ReadAt(fd, start, target.Length, offset);
                }
            }

            if (read >= 0)
            {
                return (int)read;
            }

            var error = Marshal.GetLastPInvokeError();
            if (error != Interrupted)
            {
                throw Failure(path, error);
            }
        }
    }

    /// <summary>
    /// Which version of the open file this is (<c>statx</c> on the descriptor): device, inode, size, change and
    /// modification times; an unknown (all-zero) identity where <c>statx</c> is missing or fails.
    /// </summary>
    public static FileIdentity Identify(int fd)
    {
        Span<byte> buffer = stackalloc byte[256];
        buffer.Clear();
        int result;
        try
        {
            unsafe
            {
                fixed (byte* empty = "\0"u8) // "": a real NUL byte (an empty span pins as a null pointer, which statx refuses before Linux 6.11)
                fixed (byte* start = buffer)
                {
                    result = StatX(fd, empty, EmptyPath, BasicStats, start);
                }
            }
        }
        catch (EntryPointNotFoundException)
        {
            return default;
        }

        if (result != 0)
        {
            return default;
        }

        // struct statx: u64 stx_ino at 32, u64 stx_size at 40, stx_ctime at 96 and stx_mtime at 112 (s64 seconds, u32
        // nanoseconds), u32 stx_dev_major at 136 and stx_dev_minor at 140; the same on every architecture.
        return new FileIdentity(
            ((ulong)BitConverter.ToUInt32(buffer[136..]) << 32) | BitConverter.ToUInt32(buffer[140..]),
            BitConverter.ToUInt64(buffer[32..]),
            BitConverter.ToInt64(buffer[40..]),
            BitConverter.ToInt64(buffer[96..]),
            BitConverter.ToUInt32(buffer[104..]),
            BitConverter.ToInt64(buffer[112..]),
            BitConverter.ToUInt32(buffer[120..]));
    }

    /// <summary>
    /// Opens the file at <paramref name="relativePath"/> below an open folder one name at a time: every folder on the
    /// way with <see cref="NativeDirectory.OpenIn"/> (<c>openat</c>, <c>O_DIRECTORY</c>, <c>O_NOFOLLOW</c>), the file with <see cref="OpenForReadingAt"/>;
    /// so a folder swapped for a symbolic link since the walk listed it is refused (<c>ELOOP</c>, <c>ENOTDIR</c>), never
    /// followed.
    /// </summary>
    /// <param name="folderFd">The folder the path is relative to (kept open by the caller).</param>
    /// <param name="relativePath">The file's path below it, <c>/</c>-separated, without <c>.</c> or <c>..</c>.</param>
    /// <param name="path">The file's full path (for messages).</param>
    /// <returns>The file descriptor; close it with <see cref="CloseFile"/>.</returns>
    /// <exception cref="IOException">A folder or the file could not be opened.</exception>
    public static int OpenBelow(int folderFd, ReadOnlySpan<char> relativePath, string path)
    {
        var current = folderFd;
        try
        {
            while (true)
            {
                var slash = relativePath.IndexOf('/');
                if (slash < 0)
                {
                    return OpenForReadingAt(current, relativePath, path, fallBackToPath: false);
                }

                var name = relativePath[..slash];
                relativePath = relativePath[(slash + 1)..];
                if (name.IsEmpty || name is "." or "..")
                {
                    throw new IOException($"unexpected path component '{name}' ({path})");
                }

                var next = NativeDirectory.OpenIn(current, name, path);
                if (current != folderFd)
                {
                    CloseFile(current);
                }

                current = next;
            }
        }
        finally
        {
            if (current != folderFd)
            {
                CloseFile(current);
            }
        }
    }

    /// <summary><c>open(2)</c> with the given flags, once (the caller retries on <c>EINTR</c>); -1 and the error on failure.</summary>
    internal static int OpenRaw(string path, int flags) => Open(path, flags);

    /// <summary>Closes a descriptor from <see cref="OpenForReading"/>.</summary>
    public static void CloseFile(int fd) => _ = Close(fd);

    private static Exception Failure(string path, int error)
    {
        var message = $"{Marshal.GetPInvokeErrorMessage(error)} ({path})";
        return error switch
        {
            2 or 20 => new FileNotFoundException(message, path), // ENOENT, ENOTDIR
            1 or 13 => new UnauthorizedAccessException(message), // EPERM, EACCES
            _ => new IOException(message, error),
        };
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "openat", SetLastError = true)]
    private static unsafe partial int OpenAt(int folderFd, byte* name, int flags);

    [LibraryImport("libc", EntryPoint = "pread", SetLastError = true)]
    private static unsafe partial nint ReadAt(int fd, byte* buffer, nint count, long offset);

    [LibraryImport("libc", EntryPoint = "lseek", SetLastError = true)]
    private static partial long Seek(int fd, long offset, int whence);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static unsafe partial int StatX(int folderFd, byte* path, int flags, uint mask, byte* buffer);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
