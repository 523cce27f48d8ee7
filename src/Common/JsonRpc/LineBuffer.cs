namespace AgentHost.Common.JsonRpc;

/// <summary>
/// A stream read a line at a time through one buffer that grows to the longest line (both framings use it: header
/// lines of <see cref="ContentLengthFraming"/>, whole messages of <see cref="LineFraming"/>). Not thread-safe: one
/// reader loop owns it.
/// </summary>
internal sealed class LineBuffer(Stream stream)
{
    private byte[] _buffer = new byte[16 * 1024];
    private int _start;
    private int _end;

    /// <summary>The buffer the ranges <see cref="ReadLineAsync"/> and <see cref="Rest"/> return point into (valid until the next read).</summary>
    public byte[] Buffer => _buffer;

    /// <summary>How many bytes are buffered and not yet read.</summary>
    public int Buffered => _end - _start;

    /// <summary>
    /// The next line's bytes, without its <c>\n</c> (a <c>\r</c> before it stays, for the caller to trim), as
    /// (start, length) in <see cref="Buffer"/>; <see langword="null"/> at the end of the stream (what is left without a
    /// line break is then <see cref="Rest"/>).
    /// </summary>
    /// <param name="maxBytes">The most bytes a line may have before <see cref="LineTooLongException"/>.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <exception cref="LineTooLongException">More than <paramref name="maxBytes"/> bytes came without a line break (they stay buffered: <see cref="SkipLineAsync"/> drops them).</exception>
    public async ValueTask<(int Start, int Length)?> ReadLineAsync(int maxBytes, CancellationToken cancellationToken)
    {
        var scanFrom = _start;
        while (true)
        {
            var newline = Array.IndexOf(_buffer, (byte)'\n', scanFrom, _end - scanFrom);
            if (newline >= 0)
            {
                var line = (_start, newline - _start);
                _start = newline + 1;
                return line;
            }

            if (_end - _start > maxBytes)
            {
                throw new LineTooLongException(_end - _start);
            }

            scanFrom = _end - _start;
            if (await FillAsync(cancellationToken).ConfigureAwait(false) == 0)
            {
                return null;
            }

            scanFrom += _start;
        }
    }

    /// <summary>Drops the rest of the current line, its line break included.</summary>
    /// <returns>How many bytes were dropped (the line break not counted).</returns>
    public async ValueTask<long> SkipLineAsync(CancellationToken cancellationToken)
    {
        long dropped = 0;
        while (true)
        {
            var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (newline >= 0)
            {
                dropped += newline - _start;
                _start = newline + 1;
                return dropped;
            }

            dropped += _end - _start;
            _start = _end = 0;
            if (await FillAsync(cancellationToken).ConfigureAwait(false) == 0)
            {
                return dropped;
            }
        }
    }

    /// <summary>At the end of the stream: what was left without a line break (taken: a second call gets nothing).</summary>
    public (int Start, int Length) Rest()
    {
        var rest = (_start, _end - _start);
        _start = _end;
        return rest;
    }

    /// <summary>Fills <paramref name="target"/>: the buffered bytes first, then the stream.</summary>
    /// <returns>How many bytes were read: fewer than the target's length only at the end of the stream.</returns>
    public async ValueTask<int> ReadExactlyAsync(Memory<byte> target, CancellationToken cancellationToken)
    {
        var copied = Math.Min(target.Length, _end - _start);
        _buffer.AsMemory(_start, copied).CopyTo(target);
        _start += copied;
        while (copied < target.Length)
        {
            var read = await stream.ReadAsync(target[copied..], cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            copied += read;
        }

        return copied;
    }

    /// <summary>Keeps the unread part at the front, grows the buffer when full, and reads more.</summary>
    /// <returns>How many bytes came (0 at the end of the stream).</returns>
    private async ValueTask<int> FillAsync(CancellationToken cancellationToken)
    {
        if (_start > 0)
        {
            System.Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }

        var read = await stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
        _end += read;
        return read;
    }
}

/// <summary>A line longer than its reader's limit (<see cref="LineBuffer.ReadLineAsync"/>).</summary>
/// <param name="buffered">How many bytes of it were read.</param>
internal sealed class LineTooLongException(int buffered) : Exception($"a line of more than {buffered} bytes without a line break")
{
    /// <summary>How many bytes of the line were read.</summary>
    public int Buffered { get; } = buffered;
}
