using System.Buffers;
using System.Globalization;
using System.Text;

namespace AgentHost.Common.JsonRpc;

/// <summary>
/// <c>Content-Length</c>-framed messages (the LSP base protocol), read from a stream through one reusable buffer.
/// Lines that are not headers (a server that prints to stdout) are handed to <see cref="NonProtocolLine"/> and
/// skipped, so a chatty server does not break the connection. Not thread-safe: one reader loop owns the reads, one
/// writer at a time writes.
/// </summary>
internal sealed class ContentLengthFraming : IJsonRpcFraming
{
    private static readonly byte[] HeaderPrefix = "Content-Length: "u8.ToArray();
    private static readonly byte[] HeaderSuffix = "\r\n\r\n"u8.ToArray();

    private readonly LineBuffer _input;
    private readonly Stream _output;
    private readonly FrameLimits _limits;

    /// <summary>Frames messages read from <paramref name="input"/> and written to <paramref name="output"/>.</summary>
    /// <param name="input">What the peer writes.</param>
    /// <param name="output">What the peer reads.</param>
    /// <param name="limits">The bounds on what the peer may send.</param>
    public ContentLengthFraming(Stream input, Stream output, FrameLimits limits)
    {
        _input = new LineBuffer(input);
        _output = output;
        _limits = limits;
    }

    /// <summary>Receives each non-protocol line (without its line break).</summary>
    public Action<string>? NonProtocolLine { get; set; }

    /// <inheritdoc/>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        var length = Encoding.ASCII.GetBytes(body.Length.ToString(CultureInfo.InvariantCulture));
        await _output.WriteAsync(HeaderPrefix, cancellationToken).ConfigureAwait(false);
        await _output.WriteAsync(length, cancellationToken).ConfigureAwait(false);
        await _output.WriteAsync(HeaderSuffix, cancellationToken).ConfigureAwait(false);
        await _output.WriteAsync(body, cancellationToken).ConfigureAwait(false);
        await _output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    /// <exception cref="JsonRpcProtocolException">A header block or body is over its limit, or Content-Length is missing or invalid.</exception>
    public async ValueTask<JsonRpcFrame?> ReadAsync(CancellationToken cancellationToken)
    {
        long? contentLength = null;
        var headerBytes = 0;
        while (true)
        {
            var line = await ReadLineAsync(cancellationToken).ConfigureAwait(false);
            if (line is null)
            {
                return null;
            }

            headerBytes += line.Length + 2;
            if (headerBytes > _limits.MaxHeaderBytes)
            {
                throw new JsonRpcProtocolException($"the server sent a header block over {_limits.MaxHeaderBytes} bytes; it does not speak the LSP base protocol on stdout.");
            }

            if (line.Length == 0)
            {
                if (contentLength is null)
                {
                    headerBytes = 0;
                    continue; // A blank line between messages, or after non-protocol output.
                }

                break;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || !IsHeaderName(line.AsSpan(0, colon)))
            {
                headerBytes = 0;
                contentLength = null;
                NonProtocolLine?.Invoke(line);
                continue;
            }

            if (line.AsSpan(0, colon).Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                if (!long.TryParse(line.AsSpan(colon + 1).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var length))
                {
                    throw new JsonRpcProtocolException($"invalid Content-Length header '{line}'.");
                }

                contentLength = length;
            }
        }

        if (contentLength > _limits.MaxBodyBytes)
        {
            throw new JsonRpcProtocolException($"the server sent a {contentLength}-byte message; the limit is {_limits.MaxBodyBytes} bytes.");
        }

        var size = (int)contentLength!.Value;
        var body = ArrayPool<byte>.Shared.Rent(Math.Max(size, 1));
        try
        {
            var read = await _input.ReadExactlyAsync(body.AsMemory(0, size), cancellationToken).ConfigureAwait(false);
            return read == size
                ? new JsonRpcFrame(body, size)
                : throw new JsonRpcConnectionClosedException($"the stream ended inside a message ({read} of {size} bytes read).");
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(body);
            throw;
        }
    }

    private static bool IsHeaderName(ReadOnlySpan<char> name)
    {
        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '-'))
            {
                return false;
            }
        }

        return true;
    }

    private async ValueTask<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        (int Start, int Length)? line;
        try
        {
            line = await _input.ReadLineAsync(_limits.MaxHeaderBytes, cancellationToken).ConfigureAwait(false);
        }
        catch (LineTooLongException)
        {
            throw new JsonRpcProtocolException($"the server sent a line over {_limits.MaxHeaderBytes} bytes without a line break where a header was expected.");
        }

        if (line is not var (start, length))
        {
            var (restStart, restLength) = _input.Rest();
            if (restLength > 0)
            {
                NonProtocolLine?.Invoke(Encoding.UTF8.GetString(_input.Buffer, restStart, restLength));
            }

            return null;
        }

        if (length > 0 && _input.Buffer[start + length - 1] == '\r')
        {
            length--;
        }

        return Encoding.UTF8.GetString(_input.Buffer, start, length);
    }
}
