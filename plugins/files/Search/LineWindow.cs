using System.Buffers;

namespace AgentHost.Plugins.Files.Search;

/// <summary>
/// Reads lines of an open file around a line whose number and start offset grep's first pass kept
/// (<see cref="MatchedLines"/>): backwards from that start for the context before it, forwards for the line and the
/// context after it, through one pooled buffer that grows only for a line longer than it. Lines are cut exactly as
/// <see cref="GrepOutput"/> cuts a file read whole: at <c>\n</c>, without a trailing <c>\r</c>, no line after a final
/// line break, line 1 starting after a UTF-8 byte order mark. Dispose returns the buffer.
/// </summary>
internal sealed class LineWindow : IDisposable
{
    private const int BlockBytes = 64 * 1024;
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(BlockBytes);
    private int _fd;
    private string _path = string.Empty;
    private long _textStart;
    private long _size;
    private long _loadedOffset;
    private int _loaded;

    /// <summary>Reads the file open as <paramref name="fd"/> (the caller closes it) of <paramref name="size"/> bytes, whose line 1 starts at <paramref name="textStart"/>.</summary>
    public void Reset(int fd, string path, long textStart, long size)
    {
        _fd = fd;
        _path = path;
        _textStart = textStart;
        _size = size;
        _loaded = 0;
    }

    /// <summary>
    /// Lines <paramref name="low"/> to <paramref name="high"/> (those that exist) of the file, given that line
    /// <paramref name="number"/> (between them) starts at byte <paramref name="start"/>.
    /// </summary>
    /// <exception cref="IOException">A read failed.</exception>
    public List<string> Lines(int number, long start, int low, int high, GrepOutput.RenderLine render)
    {
        var lines = new List<string>(high - low + 1);
        var position = number > low ? StartBefore(start, number - low) : start;
        for (var n = low; n <= high; n++)
        {
            if (n > low && position >= _size)
            {
                break; // no line after a final line break
            }

            var end = EndOfLine(position, out var next);
            var length = (int)(end - position);
            var bytes = Load(position, length);
            if (length > 0 && bytes[length - 1] == '\r')
            {
                length--;
            }

            lines.Add(render(n, bytes[..length]));
            if (next < 0)
            {
                break; // the last line, without a line break
            }

            position = next;
        }

        return lines;
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }

    /// <summary>Where the line <paramref name="back"/> lines before the one starting at <paramref name="start"/> starts.</summary>
    private long StartBefore(long start, int back)
    {
        // The line break at start - 1 ends the line before; count line breaks before it.
        var end = start - 1;
        var found = 0;
        while (end > _textStart)
        {
            var from = Math.Max(_textStart, end - BlockBytes);
            var block = Load(from, (int)(end - from));
            var index = block.Length;
            while (index > 0)
            {
                var newline = block[..index].LastIndexOf((byte)'\n');
                if (newline < 0)
                {
                    break;
                }

                if (++found == back)
                {
                    return from + newline + 1;
                }

                index = newline;
            }

            end = from;
        }

        return _textStart;
    }

    /// <summary>Where the line starting at <paramref name="position"/> ends (its <c>\n</c>, or the end of the file); <paramref name="next"/> is where the next starts, or -1 at the end.</summary>
    private long EndOfLine(long position, out long next)
    {
        var scanned = 0L;
        var want = BlockBytes;
        while (true)
        {
            var length = (int)Math.Min(want, _size - position);
            var bytes = Load(position, length);
            var newline = bytes[(int)scanned..].IndexOf((byte)'\n');
            if (newline >= 0)
            {
                var end = position + scanned + newline;
                next = end + 1;
                return end;
            }

            if (position + bytes.Length >= _size || bytes.Length < length)
            {
                next = -1;
                return position + bytes.Length;
            }

            scanned = bytes.Length;
            want = checked(want * 2);
        }
    }

    /// <summary>
    /// Reads <paramref name="length"/> bytes at <paramref name="offset"/> into the buffer (grown when needed); fewer if
    /// the file is shorter now. A longer piece from where the loaded bytes start (a long line looked at in growing steps,
    /// <see cref="EndOfLine"/>) keeps them and reads only what follows, so every byte of the line is read once.
    /// </summary>
    private ReadOnlySpan<byte> Load(long offset, int length)
    {
        if (offset >= _loadedOffset && offset + length <= _loadedOffset + _loaded)
        {
            return _buffer.AsSpan((int)(offset - _loadedOffset), length);
        }

        var kept = offset == _loadedOffset ? _loaded : 0;
        if (length > _buffer.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(length);
            _buffer.AsSpan(0, kept).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }

        // Read a whole block when asked for less: the next lines are usually right behind.
        var requested = length;
        length = (int)Math.Max(length, Math.Min(Math.Min(_buffer.Length, BlockBytes), _size - offset));
        _loaded = 0;
        _loadedOffset = offset;
        var total = kept;
        while (total < length)
        {
            var read = NativeFile.ReadSome(_fd, _buffer.AsSpan(total, length - total), offset + total, _path);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        _loaded = total;
        return _buffer.AsSpan(0, Math.Min(total, requested));
    }
}
