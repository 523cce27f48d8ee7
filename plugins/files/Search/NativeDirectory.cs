using System.Runtime.InteropServices;
using System.Text;

namespace AgentHost.Plugins.Files.Search;

/// <summary>The type of a directory entry as the directory itself records it (<c>d_type</c>), without a <c>stat</c>.</summary>
internal enum EntryType : byte
{
    /// <summary>The file system does not say (or the walk did not use the native listing): ask the file itself.</summary>
    Unknown = 0,

    /// <summary>A regular file.</summary>
    Regular = 8,

    /// <summary>A folder.</summary>
    Directory = 4,

    /// <summary>A symbolic link (never followed by a walk).</summary>
    Link = 10,

    /// <summary>A pipe, socket or device: never opened by a search.</summary>
    Special = 1,
}

/// <summary>
/// Lists a folder on Linux with <c>open</c>, <c>getdents64</c> and <c>close</c>, keeping each entry's type from the
/// directory record. .NET's <c>FileSystemEnumerable</c> makes the same calls (plus an <c>fstat</c> per folder) but
/// tells a regular file from a pipe or a device only through a <c>stat</c> per file; with the type from the listing,
/// grep opens regular files directly and never opens anything else, with no <c>lstat</c> per file.
/// </summary>
/// <remarks>
/// A folder below the walk's start is opened with <c>O_NOFOLLOW</c>: one swapped for a symbolic link after its
/// parent was listed is refused (counted as unreadable) rather than followed out of the tree.
/// </remarks>
internal static partial class NativeDirectory
{
    private const int ReadOnly = 0;
    private const int CloseOnExec = 0x80000; // O_CLOEXEC
    private const int Interrupted = 4; // EINTR
    private const int BufferBytes = 32 * 1024;

    private static readonly bool Arm64 = RuntimeInformation.ProcessArchitecture == Architecture.Arm64;
    private static readonly int DirectoryOnly = Arm64 ? 0x4000 : 0x10000; // O_DIRECTORY
    private static readonly int NoFollow = Arm64 ? 0x8000 : 0x20000; // O_NOFOLLOW

    /// <summary>Whether the native listing is used: where <see cref="NativeFile"/> is (Linux, x64 or Arm64) and the C library has <c>getdents64</c> (glibc 2.30+, musl).</summary>
    public static bool IsSupported { get; } = NativeFile.IsSupported && HasGetdents();

    /// <summary>A buffer for <see cref="List"/>; one per thread.</summary>
    public static byte[] NewBuffer() => new byte[BufferBytes];

    /// <summary>Opens a folder for <see cref="List"/> (and for opening its files, <see cref="NativeFile.OpenForReadingAt"/>); close it with <see cref="NativeFile.CloseFile"/>.</summary>
    /// <param name="path">The folder.</param>
    /// <param name="noFollow">Refuse a symbolic link in the folder's place.</param>
    /// <returns>The descriptor.</returns>
    /// <exception cref="DirectoryNotFoundException">The folder is gone, or was replaced by something else.</exception>
    /// <exception cref="UnauthorizedAccessException">It may not be read.</exception>
    /// <exception cref="IOException">Any other failure, such as a symbolic link in its place.</exception>
    public static int Open(string path, bool noFollow)
    {
        int fd;
        do
        {
            fd = NativeFile.OpenRaw(path, ReadOnly | DirectoryOnly | CloseOnExec | (noFollow ? NoFollow : 0));
        }
        while (fd < 0 && Marshal.GetLastPInvokeError() == Interrupted);

        return fd >= 0 ? fd : throw Failure(path, Marshal.GetLastPInvokeError());
    }

    /// <summary>
    /// Opens the subfolder <paramref name="name"/> of an open folder inside that folder (<c>openat</c>, one name, no path
    /// walk from the root), refusing a symbolic link in its place: a folder reached this way from the walk's start is
    /// reached through no link, whatever is renamed or swapped on the way while the walk runs.
    /// </summary>
    /// <param name="parentFd">The open parent (<see cref="Open"/> or this method).</param>
    /// <param name="name">The subfolder's name as the parent's listing gave it.</param>
    /// <param name="path">The subfolder's full path (for messages).</param>
    /// <returns>The descriptor.</returns>
    /// <exception cref="IOException">It cannot be opened: gone, not a folder, a symbolic link in its place (also <see cref="UnauthorizedAccessException"/>).</exception>
    public static int OpenIn(int parentFd, ReadOnlySpan<char> name, string path) =>
        NativeFile.OpenNameAt(parentFd, name, ReadOnly | DirectoryOnly | CloseOnExec | NoFollow, path);

    /// <summary>Lists an open folder: calls <paramref name="onEntry"/> for every entry but <c>.</c> and <c>..</c>.</summary>
    /// <param name="fd">From <see cref="Open"/>, not yet listed.</param>
    /// <param name="path">The folder (for messages).</param>
    /// <param name="buffer">From <see cref="NewBuffer"/>.</param>
    /// <param name="state">Passed to <paramref name="onEntry"/>.</param>
    /// <param name="onEntry">Called with the name and the type of each entry.</param>
    /// <exception cref="IOException">Reading the folder failed.</exception>
    public static void List<T>(int fd, string path, byte[] buffer, T state, Action<T, string, EntryType> onEntry)
    {
        while (true)
        {
            nint read;
            unsafe
            {
                fixed (byte* start = buffer)
                {
                    read = GetDents(fd, start, buffer.Length);
                }
            }

            if (read == 0)
            {
                return;
            }

            if (read < 0)
            {
                var error = Marshal.GetLastPInvokeError();
                if (error == Interrupted)
                {
                    continue;
                }

                throw Failure(path, error);
            }

            // struct linux_dirent64: u64 d_ino, s64 d_off, u16 d_reclen, u8 d_type, char d_name[] (NUL-terminated).
            var records = buffer.AsSpan(0, (int)read);
            while (records.Length >= 20)
            {
                var length = BitConverter.ToUInt16(records[16..18]);
                var end = length >= 20 && length <= records.Length ? records[19..length].IndexOf((byte)0) : -1;
                if (end < 0)
                {
                    throw new IOException($"malformed directory record from getdents64 ({path})");
                }

                var record = records[..length];
                var name = record.Slice(19, end);
                records = records[length..];
                if (name.SequenceEqual("."u8) || name.SequenceEqual(".."u8))
                {
                    continue;
                }

                var type = record[18] switch
                {
                    8 => EntryType.Regular, // DT_REG
                    4 => EntryType.Directory, // DT_DIR
                    10 => EntryType.Link, // DT_LNK
                    0 => EntryType.Unknown, // DT_UNKNOWN: the file system does not record types
                    _ => EntryType.Special, // DT_FIFO, DT_CHR, DT_BLK, DT_SOCK, DT_WHT
                };

                // As .NET decodes names: UTF-8, invalid bytes replaced.
                onEntry(state, Encoding.UTF8.GetString(name), type);
            }
        }
    }

    private static Exception Failure(string path, int error)
    {
        var message = $"{Marshal.GetPInvokeErrorMessage(error)} ({path})";
        return error switch
        {
            2 or 20 => new DirectoryNotFoundException(message), // ENOENT, ENOTDIR
            1 or 13 => new UnauthorizedAccessException(message), // EPERM, EACCES
            _ => new IOException(message, error), // ELOOP (a link in the folder's place) and the rest
        };
    }

    private static bool HasGetdents()
    {
        try
        {
            unsafe
            {
                // An invalid descriptor: EBADF when the function exists.
                _ = GetDents(-1, null, 0);
            }

            return true;
        }
        catch (EntryPointNotFoundException)
        {
            return false;
        }
    }

    [LibraryImport("libc", EntryPoint = "getdents64", SetLastError = true)]
    private static unsafe partial nint GetDents(int fd, byte* buffer, nint count);
}
