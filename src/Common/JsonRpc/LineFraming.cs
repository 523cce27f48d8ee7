using System.Buffers;

namespace AgentHost.Common.JsonRpc;

/// <summary>
/// Newline-delimited messages (the Agent Client Protocol's stdio transport): each message is one line of UTF-8 JSON
/// without embedded line breaks. A line over <see cref="FrameLimits.MaxBodyBytes"/> is skipped to its end and reported
/// as a skipped frame, so one oversized message gets an error answer instead of ending the connection. Not
/// thread-safe: one reader loop owns the reads, one writer at a time writes.
/// </summary>
internal sealed class LineFraming : IJsonRpcFraming
{
    private static readonly byte[] NewLine = "\n"u8.ToArray();

    private readonly Stream _input;
    private readonly Stream _output;
    private readonly FrameLimits _limits;
    private byte[] _buffer = new byte[16 * 1024];
    private int _start;
    private int _end;

    /// <summary>Frames messages read from <paramref name="input"/> and written to <paramref name="output"/>.</summary>
    /// <param name="input">What the peer writes.</param>
    /// <param name="output">What the peer reads.</param>
    /// <param name="limits">The bounds on what the peer may send.</param>
    public LineFraming(Stream input, Stream output, FrameLimits limits)
    {
        _input = input;
        _output = output;
        _limits = limits;
    }

    /// <summary>Not used: every line is a message (one that is not JSON gets a parse error answer).</summary>
    public Action<string>? NonProtocolLine { get; set; }

    /// <inheritdoc/>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        await _output.WriteAsync(body, cancellationToken).ConfigureAwait(false);
        await _output.WriteAsync(NewLine, cancellationToken).ConfigureAwait(false);
        await _output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<JsonRpcFrame?> ReadAsync(CancellationToken cancellationToken)
    {
        var scanFrom = _start;
        var skipping = false;
        long skipped = 0;
        while (true)
        {
            var newline = Array.IndexOf(_buffer, (byte)'\n', scanFrom, _end - scanFrom);
            if (newline >= 0)
            {
                var length = newline - _start;
                if (skipping)
                {
                    _start = newline + 1;
                    return new JsonRpcFrame([], 0, $"a message of {skipped + length} bytes or more is over the limit of {_limits.MaxBodyBytes} bytes; it was skipped.");
                }

                var trimmed = length > 0 && _buffer[newline - 1] == '\r' ? length - 1 : length;
                if (IsBlank(_buffer.AsSpan(_start, trimmed)))
                {
                    _start = scanFrom = newline + 1;
                    continue;
                }

                var body = ArrayPool<byte>.Shared.Rent(Math.Max(trimmed, 1));
                Buffer.BlockCopy(_buffer, _start, body, 0, trimmed);
                _start = newline + 1;
                return new JsonRpcFrame(body, trimmed);
            }

            scanFrom = _end;
            if (_end - _start > _limits.MaxBodyBytes)
            {
                // Over the limit: drop what is buffered and read on to the line's end.
                skipping = true;
                skipped += _end - _start;
                _start = _end = scanFrom = 0;
            }

            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                scanFrom -= _start;
                _end -= _start;
                _start = 0;
            }

            if (_end == _buffer.Length)
            {
                Array.Resize(ref _buffer, _buffer.Length * 2);
            }

            var read = await _input.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                if (_end > _start && !skipping && !IsBlank(_buffer.AsSpan(_start, _end - _start)))
                {
                    // A last message without its line break.
                    var length = _end - _start;
                    var body = ArrayPool<byte>.Shared.Rent(length);
                    Buffer.BlockCopy(_buffer, _start, body, 0, length);
                    _start = _end;
                    return new JsonRpcFrame(body, length);
                }

                return null;
            }

            _end += read;
        }
    }

    private static bool IsBlank(ReadOnlySpan<byte> line) => line.Trim(" \t\r"u8).IsEmpty;
}
