namespace AgentHost.Agent.Mcp;

/// <summary>
/// A read-only stream over an MCP server's output (a stdio server's standard output, an HTTP answer's body) that passes
/// it through a <see cref="McpMessageCutter"/>: what the MCP client reads is capped while it is read.
/// </summary>
/// <param name="inner">The server's output; disposed with this stream.</param>
/// <param name="limits">The caps.</param>
/// <param name="dropped">Told when a message was too large to pass (for the server's log); may be <see langword="null"/>.</param>
/// <param name="ended">Awaited once the server's output ended, before the end is passed on (a stdio server's exit, so its last error lines are in); may be <see langword="null"/>.</param>
internal sealed class McpCappedStream(Stream inner, McpMessageLimits limits, Action<string>? dropped = null, Func<Task>? ended = null) : Stream
{
    private readonly McpMessageCutter _cutter = new(limits, dropped);
    private readonly byte[] _buffer = new byte[64 * 1024];
    private bool _ended;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.Length == 0)
        {
            return 0;
        }

        while (_cutter.Output.Length == 0)
        {
            if (_ended)
            {
                return 0;
            }

            if (!Pass(await inner.ReadAsync(_buffer, cancellationToken).ConfigureAwait(false)) && ended is not null)
            {
                await ended().ConfigureAwait(false);
            }
        }

        return _cutter.Output.Take(buffer.Span);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>Reads the inner stream synchronously; the end is passed on without waiting for <c>ended</c> (it is asynchronous).</summary>
    public override int Read(byte[] buffer, int offset, int count)
    {
        if (count == 0)
        {
            return 0;
        }

        while (_cutter.Output.Length == 0)
        {
            if (_ended)
            {
                return 0;
            }

            Pass(inner.Read(_buffer));
        }

        return _cutter.Output.Take(buffer.AsSpan(offset, count));
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>Gives the cutter what one read of the inner stream returned; <see langword="false"/> when that was its end.</summary>
    private bool Pass(int read)
    {
        if (read == 0)
        {
            _cutter.Complete();
            _ended = true;
            return false;
        }

        _cutter.Write(_buffer.AsSpan(0, read));
        return true;
    }

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
