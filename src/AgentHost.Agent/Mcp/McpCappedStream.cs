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

            var read = await inner.ReadAsync(_buffer, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                _cutter.Complete();
                _ended = true;
                if (ended is not null)
                {
                    await ended().ConfigureAwait(false);
                }
            }
            else
            {
                _cutter.Write(_buffer.AsSpan(0, read));
            }
        }

        return _cutter.Output.Take(buffer.Span);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

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

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
