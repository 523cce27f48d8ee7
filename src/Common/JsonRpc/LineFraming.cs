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

    private readonly LineBuffer _input;
    private readonly Stream _output;
    private readonly FrameLimits _limits;

    /// <summary>Frames messages read from <paramref name="input"/> and written to <paramref name="output"/>.</summary>
    /// <param name="input">What the peer writes.</param>
    /// <param name="output">What the peer reads.</param>
    /// <param name="limits">The bounds on what the peer may send.</param>
    public LineFraming(Stream input, Stream output, FrameLimits limits)
    {
        _input = new LineBuffer(input);
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
        while (true)
        {
            (int Start, int Length)? line;
            try
            {
                line = await _input.ReadLineAsync(_limits.MaxBodyBytes, cancellationToken).ConfigureAwait(false);
            }
            catch (LineTooLongException ex)
            {
                // Over the limit: read on to the line's end and report it skipped (the connection answers it).
                var dropped = await _input.SkipLineAsync(cancellationToken).ConfigureAwait(false);
                return new JsonRpcFrame([], 0, $"a message of {Math.Max(ex.Buffered, dropped)} bytes or more is over the limit of {_limits.MaxBodyBytes} bytes; it was skipped.");
            }

            // At the end of the stream, a last message without its line break still counts.
            var (start, length) = line ?? _input.Rest();
            if (line is not null && length > 0 && _input.Buffer[start + length - 1] == '\r')
            {
                length--;
            }

            if (IsBlank(_input.Buffer.AsSpan(start, length)))
            {
                if (line is null)
                {
                    return null;
                }

                continue;
            }

            var body = ArrayPool<byte>.Shared.Rent(length);
            Buffer.BlockCopy(_input.Buffer, start, body, 0, length);
            return new JsonRpcFrame(body, length);
        }
    }

    private static bool IsBlank(ReadOnlySpan<byte> line) => line.Trim(" \t\r"u8).IsEmpty;
}
