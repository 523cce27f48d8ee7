using System.Buffers;
using System.Text;

namespace AgentHost.Plugins.Files.Search;

/// <summary>What reading a file for grep gave.</summary>
internal enum SearchFileKind
{
    Text,
    Empty,
    Binary,
    TooLarge,
    Unreadable,
}

/// <summary>
/// A file's bytes in a pooled buffer, as UTF-8 without a byte order mark: UTF-8 files as they are (the BOM skipped),
/// UTF-16 files with a BOM converted; a NUL byte in the first 8 KiB makes a file binary. Dispose returns the buffer.
/// </summary>
internal struct SearchFile : IDisposable
{
    /// <summary>How much of the start of a file is checked for NUL bytes.</summary>
    public const int BinaryProbeBytes = 8192;

    /// <summary>Files larger than this are read in two steps: their first <see cref="BinaryProbeBytes"/>, then (when not binary) the rest.</summary>
    public const int ProbeFirstAbove = 16 * 1024;

    private byte[]? _buffer;
    private int _start;
    private int _length;

    public SearchFileKind Kind { get; private set; }

    /// <summary>The text as UTF-8 (empty unless <see cref="Kind"/> is <see cref="SearchFileKind.Text"/>).</summary>
    public readonly ReadOnlySpan<byte> Text => _buffer is null ? [] : _buffer.AsSpan(_start, _length);

    /// <summary>Where <see cref="Text"/> starts in the file (3 after a UTF-8 byte order mark), or -1 when it was converted from UTF-16.</summary>
    public long TextOffset { get; private set; }

    /// <summary>Reads a file.</summary>
    /// <param name="path">The full path.</param>
    /// <param name="length">Its size from the walk, or -1 to ask the file system.</param>
    /// <param name="maxBytes">Larger files are not read.</param>
    public static SearchFile Read(string path, long length, long maxBytes) => Read(path, -1, length, maxBytes);

    /// <summary>Reads a file already opened with <see cref="NativeFile.OpenForReading"/> (the caller closes it).</summary>
    /// <param name="fd">The descriptor.</param>
    /// <param name="path">The full path (for messages).</param>
    /// <param name="length">Its size (<see cref="NativeFile.Length"/>).</param>
    /// <param name="maxBytes">Larger files are not read.</param>
    public static SearchFile ReadOpen(int fd, string path, long length, long maxBytes) => Read(path, fd, length, maxBytes);

    private static SearchFile Read(string path, int fd, long length, long maxBytes)
    {
        var file = default(SearchFile);
        try
        {
            if (length < 0)
            {
                length = new FileInfo(path).Length;
            }

            // Empty files cannot match; pipes, sockets and devices also report 0 and must not be opened (a FIFO blocks).
            if (length == 0)
            {
                file.Kind = SearchFileKind.Empty;
                return file;
            }

            if (length > maxBytes)
            {
                file.Kind = SearchFileKind.TooLarge;
                return file;
            }

            var buffer = ArrayPool<byte>.Shared.Rent((int)length);
            file._buffer = buffer;
            // Read the size the walk saw (a file that grew since is searched as it was); stopping there saves the
            // read that would only return end-of-file.
            // A large file is read in two steps: a binary one is left after its first 8 KiB, like ripgrep stops early.
            var probe = length > ProbeFirstAbove ? BinaryProbeBytes : 0;
            file._length = fd >= 0 ? NativeFile.ReadStart(fd, path, buffer.AsSpan(0, (int)length), probe)
                : NativeFile.IsSupported ? NativeFile.ReadStart(path, buffer.AsSpan(0, (int)length), probe)
                : ReadStart(path, buffer.AsSpan(0, (int)length), probe);
            file.Kind = SearchFileKind.Text;
            file.Decode();
            return file;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            file.Dispose();
            file.Kind = SearchFileKind.Unreadable;
            return file;
        }
    }

    /// <summary>
    /// Whether the start of a file makes it binary (a NUL byte in the first <see cref="BinaryProbeBytes"/>), so the rest
    /// need not be read. UTF-16 text (a byte order mark) holds NUL bytes and is converted first (<see cref="Decode"/>).
    /// </summary>
    internal static bool IsBinaryStart(ReadOnlySpan<byte> start) =>
        !start.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) && !start.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF])
        && start[..Math.Min(start.Length, BinaryProbeBytes)].Contains((byte)0);

    /// <summary>Reads the start of a file with .NET's API (other systems than Linux); see <see cref="NativeFile.ReadStart(string, Span{byte}, int)"/>.</summary>
    private static int ReadStart(string path, Span<byte> buffer, int probe)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var total = 0;
        while (total < buffer.Length)
        {
            var end = probe > 0 && total < probe ? probe : buffer.Length;
            var read = RandomAccess.Read(handle, buffer[total..end], total);
            if (read == 0)
            {
                break;
            }

            total += read;
            if (probe > 0 && total == probe && IsBinaryStart(buffer[..total]))
            {
                break;
            }
        }

        return total;
    }

    public void Dispose()
    {
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }

        _length = 0;
    }

    private void Decode()
    {
        var bytes = _buffer.AsSpan(0, _length);
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            _start = 3;
            TextOffset = 3;
            _length -= 3;
            bytes = bytes[3..];
        }
        else if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || bytes.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            var encoding = bytes[0] == 0xFF ? Encoding.Unicode : Encoding.BigEndianUnicode;
            var text = encoding.GetString(bytes[2..]);
            var utf8 = ArrayPool<byte>.Shared.Rent(Math.Max(1, Encoding.UTF8.GetMaxByteCount(text.Length)));
            var written = Encoding.UTF8.GetBytes(text, utf8);
            ArrayPool<byte>.Shared.Return(_buffer!);
            _buffer = utf8;
            _start = 0;
            TextOffset = -1;
            _length = written;
            bytes = utf8.AsSpan(0, written);
        }

        if (bytes[..Math.Min(bytes.Length, BinaryProbeBytes)].Contains((byte)0))
        {
            Kind = SearchFileKind.Binary;
            Dispose();
        }
    }
}
