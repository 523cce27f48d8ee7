namespace AgentHost.Common.JsonRpc;

/// <summary>
/// How JSON-RPC messages are cut out of a byte stream and written to one: <see cref="ContentLengthFraming"/> (the LSP
/// base protocol's <c>Content-Length</c> headers) or <see cref="LineFraming"/> (one message per line, as the Agent
/// Client Protocol and MCP's stdio transport frame them).
/// </summary>
internal interface IJsonRpcFraming
{
    /// <summary>Receives each line the peer wrote that is not part of the protocol (framings that can tell).</summary>
    Action<string>? NonProtocolLine { get; set; }

    /// <summary>
    /// Reads the next message. The body is in a buffer rented from <see cref="System.Buffers.ArrayPool{T}.Shared"/>,
    /// which the caller returns.
    /// </summary>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The next frame, or <see langword="null"/> at the end of the stream.</returns>
    /// <exception cref="JsonRpcProtocolException">The peer broke the framing in a way that ends the connection.</exception>
    ValueTask<JsonRpcFrame?> ReadAsync(CancellationToken cancellationToken);

    /// <summary>Writes one message body with its framing and flushes. Called by one writer at a time.</summary>
    /// <param name="body">The UTF-8 JSON body.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>A task that completes when the message is written.</returns>
    ValueTask WriteAsync(ReadOnlyMemory<byte> body, CancellationToken cancellationToken);
}

/// <summary>
/// One message read from the peer: a rented buffer holding its body, or the reason it was skipped (a line over the
/// size limit, which a line framing can skip and the connection answers with an error rather than ending).
/// </summary>
/// <param name="Buffer">The rented buffer (empty when <paramref name="Skipped"/> is set).</param>
/// <param name="Length">The body's length in bytes.</param>
/// <param name="Skipped">Why the message was not read, or <see langword="null"/>.</param>
internal readonly record struct JsonRpcFrame(byte[] Buffer, int Length, string? Skipped = null);
