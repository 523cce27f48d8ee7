namespace AgentHost.Plugins.OpenAI;

/// <summary>
/// A read-only view of a server-sent-event body that watches for the <c>data: [DONE]</c> line and throws an
/// <see cref="IOException"/> when the body ends before it.
/// </summary>
internal sealed class SseCompletionStream(Stream inner) : Stream
{
    private const int MaxWatchedLine = 16;
    private readonly byte[] _line = new byte[MaxWatchedLine];
    private int _lineLength;
    private bool _lineTooLong;
    private bool _done;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var read = inner.Read(buffer);
        Observe(buffer[..read]);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Observe(buffer.Span[..read]);
        return read;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Observe(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            if (!_done && !IsDone())
            {
                throw new IOException("the event stream ended before 'data: [DONE]' (the connection closed mid-answer)");
            }

            return;
        }

        foreach (var b in data)
        {
            if (b is (byte)'\n' or (byte)'\r')
            {
                _done |= IsDone();
                _lineLength = 0;
                _lineTooLong = false;
            }
            else if (_lineLength < MaxWatchedLine)
            {
                _line[_lineLength++] = b;
            }
            else
            {
                _lineTooLong = true;
            }
        }
    }

    private bool IsDone()
    {
        if (_lineTooLong)
        {
            return false;
        }

        var line = _line.AsSpan(0, _lineLength).Trim((byte)' ');
        return line.SequenceEqual("data: [DONE]"u8) || line.SequenceEqual("data:[DONE]"u8);
    }
}
