using System.Buffers;

namespace AgentHost.Plugins.Files.Search;

/// <summary>
/// grep's first pass over one file: counts its matching lines. A file of up to <see cref="ChunkBytes"/> is read whole
/// (<see cref="SearchFile.Read"/>); a larger one is streamed through one buffer per thread, chunk by chunk, each chunk
/// cut after its last line break and the partial line carried over to the next, so the matcher always sees whole lines
/// and counts exactly what it counts on the whole file. A line longer than the buffer grows it (up to the file size
/// limit). Reading a 9 MB file then touches 256 KiB of memory instead of allocating (and faulting in) 9 MB: the buffer
/// comes from the shared pool, which keeps arrays of this size per processor.
/// </summary>
/// <remarks>
/// The same rules as <see cref="SearchFile"/>: a NUL byte in the first 8 KiB (after a UTF-8 byte order mark) makes a
/// file binary, reading stops at the size the walk saw, a UTF-8 byte order mark is skipped. UTF-16 files (a byte order
/// mark) are converted whole by <see cref="SearchFile"/>, and so are patterns whose meaning depends on where the text
/// starts or ends (<c>\A</c>, <c>\z</c>, <c>\Z</c>, <c>\G</c>; <see cref="LineMatcher.CountsPerChunk"/>).
/// </remarks>
internal static partial class ChunkedScan
{
    /// <summary>The buffer size, and the size above which a file is streamed.</summary>
    public const int ChunkBytes = 256 * 1024;

    /// <summary>A file at least this large is searched in segments by several threads (<see cref="Segmented"/>), unless only its first match is wanted.</summary>
    public const long SplitAbove = 2 * 1024 * 1024;

    /// <summary>Counts the matching lines of one file.</summary>
    /// <param name="path">The full path.</param>
    /// <param name="length">Its size from the walk, or -1 to ask the file system.</param>
    /// <param name="maxBytes">Larger files are not read.</param>
    /// <param name="matcher">The pattern.</param>
    /// <param name="firstOnly">Stop at the first matching line.</param>
    /// <param name="count">The matching lines (0 unless the result is <see cref="SearchFileKind.Text"/>).</param>
    /// <param name="chunkBytes">The buffer size (tests use small ones to put chunk boundaries everywhere).</param>
    /// <param name="lines">Where to keep the first matching lines (numbers, offsets and the file's identity) for the second pass; empty unless the file matched.</param>
    /// <returns>What the file was.</returns>
    public static SearchFileKind Count(
        string path, long length, long maxBytes, LineMatcher matcher, bool firstOnly, out int count, int chunkBytes = ChunkBytes, MatchedLines? lines = null)
    {
        count = 0;
        try
        {
            if (length < 0)
            {
                length = new FileInfo(path).Length;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return SearchFileKind.Unreadable;
        }

        if (length <= 0 || length > maxBytes || !NativeFile.IsSupported)
        {
            return Count(path, -1, length, maxBytes, matcher, firstOnly, out count, chunkBytes, lines);
        }

        // Linux: opened here (as SearchFile would, refusing a link), so the file's identity can be kept with its lines.
        int fd;
        try
        {
            fd = NativeFile.OpenForReading(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return SearchFileKind.Unreadable;
        }

        try
        {
            return Count(path, fd, length, maxBytes, matcher, firstOnly, out count, chunkBytes, lines);
        }
        finally
        {
            NativeFile.CloseFile(fd);
        }
    }

    /// <summary>
    /// <see cref="Count(string, long, long, LineMatcher, bool, out int, int)"/> for a file the walk listed as a regular
    /// file (<see cref="NativeDirectory"/>): opened first (refusing a symbolic link in its place), its size asked from the
    /// open descriptor, so the file costs <c>open</c>, <c>lseek</c>, <c>pread</c>, <c>close</c> and no <c>lstat</c>.
    /// An empty file is closed unread; something other than a regular file in its place (swapped after the listing)
    /// has no size to seek to and is counted as unreadable, never read. With the listed folder still open
    /// (<paramref name="folderFd"/>) the file is opened in it by name (<see cref="NativeFile.OpenForReadingAt"/>).
    /// </summary>
    public static SearchFileKind CountListed(
        string path, int folderFd, ReadOnlySpan<char> name, long maxBytes, LineMatcher matcher, bool firstOnly, out int count, int chunkBytes = ChunkBytes,
        MatchedLines? lines = null)
    {
        count = 0;
        int fd;
        try
        {
            fd = folderFd >= 0 ? NativeFile.OpenForReadingAt(folderFd, name, path) : NativeFile.OpenForReading(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return SearchFileKind.Unreadable;
        }

        try
        {
            long length;
            try
            {
                length = NativeFile.Length(fd, path);
            }
            catch (IOException)
            {
                return SearchFileKind.Unreadable;
            }

            return Count(path, fd, length, maxBytes, matcher, firstOnly, out count, chunkBytes, lines);
        }
        finally
        {
            NativeFile.CloseFile(fd);
        }
    }

    /// <summary>
    /// Counts a file of known size, by path or (<paramref name="fd"/> of 0 or more) through an open descriptor, keeping
    /// its first matching lines in <paramref name="lines"/>; with a descriptor, a file that matched also gets its
    /// identity (taken after the read, and trusted by pass 2 only when its size is the size read).
    /// </summary>
    private static SearchFileKind Count(
        string path, int fd, long length, long maxBytes, LineMatcher matcher, bool firstOnly, out int count, int chunkBytes, MatchedLines? lines)
    {
        var kind = CountOnce(path, fd, length, maxBytes, matcher, firstOnly, out count, chunkBytes, lines);
        if (lines is not null)
        {
            if (kind == SearchFileKind.Text && count > 0 && fd >= 0)
            {
                var identity = NativeFile.Identify(fd);
                lines.Identity = identity.Size == length ? identity : default;
            }
            else
            {
                lines.Clear();
            }
        }

        return kind;
    }

    private static SearchFileKind CountOnce(
        string path, int fd, long length, long maxBytes, LineMatcher matcher, bool firstOnly, out int count, int chunkBytes, MatchedLines? lines)
    {
        count = 0;
        if (length <= chunkBytes || length > maxBytes || !matcher.CountsPerChunk)
        {
            using var file = fd >= 0 ? SearchFile.ReadOpen(fd, path, length, maxBytes) : SearchFile.Read(path, length, maxBytes);
            if (file.Kind == SearchFileKind.Text)
            {
                Start(lines, file.TextOffset);
                count = matcher.Scan(file.Text, lines, firstOnly);
            }

            return file.Kind;
        }

        SearchFileKind? kind;
        try
        {
            using var reader = fd >= 0 ? new Reader(path, fd) : new Reader(path);
            var chunk = Math.Max(chunkBytes, 2 * SearchFile.BinaryProbeBytes);
            kind = !firstOnly && length >= SplitAbove && Environment.ProcessorCount > 1
                ? Segmented.Scan(reader, length, matcher, chunk, out count, lines)
                : Stream(reader, length, matcher, firstOnly, chunk, out count, lines);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            count = 0;
            return SearchFileKind.Unreadable;
        }

        if (kind is { } known)
        {
            return known;
        }

        // UTF-16: converted whole.
        using var utf16 = fd >= 0 ? SearchFile.ReadOpen(fd, path, length, maxBytes) : SearchFile.Read(path, length, maxBytes);
        if (utf16.Kind == SearchFileKind.Text)
        {
            Start(lines, utf16.TextOffset);
            count = matcher.Scan(utf16.Text, lines, firstOnly);
        }

        return utf16.Kind;
    }

    /// <summary>Starts keeping lines of a text that begins at <paramref name="offset"/> in the file (-1: converted, offsets unknown).</summary>
    private static void Start(MatchedLines? lines, long offset)
    {
        if (lines is not null)
        {
            lines.Clear();
            lines.OffsetBase = offset;
            lines.TextStart = Math.Max(0, offset);
        }
    }

    /// <summary>Streams the file; <see langword="null"/> when it turns out to be UTF-16.</summary>
    private static SearchFileKind? Stream(Reader reader, long length, LineMatcher matcher, bool firstOnly, int chunkBytes, out int count, MatchedLines? lines)
    {
        count = 0;
        var buffer = ArrayPool<byte>.Shared.Rent(chunkBytes);
        try
        {
            long total = 0;
            var filled = 0;
            var ended = false;

            // The start: the binary probe first (a binary file is left after 8 KiB, as SearchFile does), then a full chunk.
            Fill(SearchFile.BinaryProbeBytes);
            if (filled >= 2 && ((buffer[0] == 0xFF && buffer[1] == 0xFE) || (buffer[0] == 0xFE && buffer[1] == 0xFF)))
            {
                return null;
            }

            if (filled == SearchFile.BinaryProbeBytes && SearchFile.IsBinaryStart(buffer.AsSpan(0, filled)))
            {
                return SearchFileKind.Binary;
            }

            Fill(buffer.Length);
            var start = buffer.AsSpan(0, filled).StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;
            if (buffer.AsSpan(start, Math.Min(filled - start, SearchFile.BinaryProbeBytes)).Contains((byte)0))
            {
                return SearchFileKind.Binary;
            }

            Start(lines, start);

            while (true)
            {
                var text = buffer.AsSpan(start, filled - start);
                int scanned;
                if (ended)
                {
                    scanned = text.Length;
                }
                else
                {
                    var lastBreak = text.LastIndexOf((byte)'\n');
                    if (lastBreak < 0)
                    {
                        // One line longer than the buffer: grow it and read on.
                        var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(2L * buffer.Length, length + 1));
                        buffer.AsSpan(start, filled - start).CopyTo(larger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                        filled -= start;
                        start = 0;
                        Fill(buffer.Length);
                        continue;
                    }

                    scanned = lastBreak + 1;
                }

                if (scanned > 0)
                {
                    if (lines is { Full: false })
                    {
                        // Where this text starts in the file: the buffer holds the bytes read last, `filled` of them.
                        lines.OffsetBase = total - filled + start;
                    }

                    count += matcher.Scan(text[..scanned], lines, firstOnly);
                    if (firstOnly && count > 0)
                    {
                        return SearchFileKind.Text;
                    }

                    if (lines is { Full: false } && !ended)
                    {
                        lines.LineBase += text[..scanned].Count((byte)'\n');
                    }
                }

                if (ended)
                {
                    return SearchFileKind.Text;
                }

                // Carry the partial last line to the front and read on behind it.
                var carry = text[scanned..];
                carry.CopyTo(buffer);
                filled = carry.Length;
                start = 0;
                Fill(buffer.Length);
            }

            // Reads until the buffer holds `upTo` bytes, the size the walk saw is reached, or the file ends.
            void Fill(int upTo)
            {
                while (filled < upTo && total < length)
                {
                    var read = reader.Read(buffer.AsSpan(filled, (int)Math.Min(upTo - filled, length - total)), total);
                    if (read == 0)
                    {
                        ended = true;
                        return;
                    }

                    filled += read;
                    total += read;
                }

                ended |= total >= length;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
