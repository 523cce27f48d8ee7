using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentHost.Plugins.Lsp.JsonRpc;

/// <summary>Answers a request from the peer; the result becomes the response (<see langword="null"/> is a JSON null).</summary>
internal delegate ValueTask<JsonNode?> JsonRpcRequestHandler(string method, JsonElement parameters, CancellationToken cancellationToken);

/// <summary>
/// A JSON-RPC 2.0 endpoint over two streams with <c>Content-Length</c> framing: requests with correlation and
/// <c>$/cancelRequest</c> on cancellation, notifications, and requests from the peer answered by a handler.
/// Knows nothing of LSP beyond the framing. Thread-safe: requests and notifications may be sent concurrently.
/// </summary>
internal sealed class JsonRpcConnection : IAsyncDisposable
{
    private static readonly byte[] HeaderPrefix = "Content-Length: "u8.ToArray();
    private static readonly byte[] HeaderSuffix = "\r\n\r\n"u8.ToArray();

    private readonly Stream _output;
    private readonly FrameReader _reader;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ConcurrentDictionary<long, TaskCompletionSource<JsonElement>> _pending = new();
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _incoming = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private long _nextId;
    private Task? _readLoop;
    private string? _closeReason;

    public JsonRpcConnection(Stream input, Stream output, FrameLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        _output = output;
        _reader = new FrameReader(input, limits ?? FrameLimits.Default) { NonProtocolLine = line => NonProtocolOutput?.Invoke(line) };
    }

    /// <summary>Answers requests from the peer; unset, every request gets <c>MethodNotFound</c>.</summary>
    public JsonRpcRequestHandler? RequestHandler { get; set; }

    /// <summary>Receives notifications from the peer (on the reader loop: keep it quick).</summary>
    public Action<string, JsonElement>? NotificationHandler { get; set; }

    /// <summary>Receives lines the peer wrote that are not part of the protocol.</summary>
    public Action<string>? NonProtocolOutput { get; set; }

    /// <summary>Completes when the peer closes the stream; faults when it broke the protocol.</summary>
    public Task Completion => _readLoop ?? Task.CompletedTask;

    /// <summary>Starts reading. Set the handlers first.</summary>
    public void Start() => _readLoop ??= Task.Run(ReadLoopAsync);

    /// <summary>Sends a request and waits for its response; cancelling sends <c>$/cancelRequest</c>.</summary>
    /// <param name="method">The method.</param>
    /// <param name="parameters">The params (an object or array), or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The result (a clone, safe to keep).</returns>
    /// <exception cref="JsonRpcException">The peer answered with an error.</exception>
    /// <exception cref="JsonRpcConnectionClosedException">The connection ended first.</exception>
    public async Task<JsonElement> RequestAsync(string method, JsonNode? parameters, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        var id = Interlocked.Increment(ref _nextId);
        var response = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = response;
        if (_closeReason is { } reason)
        {
            _pending.TryRemove(id, out _);
            throw new JsonRpcConnectionClosedException(reason);
        }

        try
        {
            var message = new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id, ["method"] = method };
            if (parameters is not null)
            {
                message["params"] = parameters;
            }

            await WriteAsync(message, cancellationToken).ConfigureAwait(false);
            using (cancellationToken.Register(() => _ = CancelRemoteAsync(id, response)))
            {
                return await response.Task.ConfigureAwait(false);
            }
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    /// <summary>Sends a notification.</summary>
    /// <param name="method">The method.</param>
    /// <param name="parameters">The params, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>A task that completes when the message is written.</returns>
    public Task NotifyAsync(string method, JsonNode? parameters, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        var message = new JsonObject { ["jsonrpc"] = "2.0", ["method"] = method };
        if (parameters is not null)
        {
            message["params"] = parameters;
        }

        return WriteAsync(message, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        Close("the connection was closed.");
        if (_readLoop is not null)
        {
            try
            {
                await _readLoop.ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or JsonRpcProtocolException or IOException or ObjectDisposedException or JsonRpcConnectionClosedException)
            {
                // Already reported through Completion.
            }
        }

        _stop.Dispose();
        _writeLock.Dispose();
    }

    private async Task CancelRemoteAsync(long id, TaskCompletionSource<JsonElement> response)
    {
        if (!response.TrySetCanceled())
        {
            return;
        }

        try
        {
            await NotifyAsync("$/cancelRequest", new JsonObject { ["id"] = id }, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or JsonRpcConnectionClosedException)
        {
            // The peer is gone; nothing to cancel.
        }
    }

    private async Task WriteAsync(JsonObject message, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(message);
        var length = Encoding.ASCII.GetBytes(body.Length.ToString(CultureInfo.InvariantCulture));
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_closeReason is { } reason)
            {
                throw new JsonRpcConnectionClosedException(reason);
            }

            await _output.WriteAsync(HeaderPrefix, cancellationToken).ConfigureAwait(false);
            await _output.WriteAsync(length, cancellationToken).ConfigureAwait(false);
            await _output.WriteAsync(HeaderSuffix, cancellationToken).ConfigureAwait(false);
            await _output.WriteAsync(body, cancellationToken).ConfigureAwait(false);
            await _output.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            throw new JsonRpcConnectionClosedException($"could not write to the server: {ex.Message}");
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            while (await _reader.ReadAsync(_stop.Token).ConfigureAwait(false) is var (buffer, length))
            {
                try
                {
                    Dispatch(buffer.AsMemory(0, length));
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }

            Close("the server closed its output (it exited or crashed).");
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            Close("the connection was closed.");
        }
        catch (Exception ex) when (ex is JsonRpcProtocolException or JsonRpcConnectionClosedException or IOException)
        {
            Close(ex.Message);
            throw;
        }
    }

    private void Dispatch(ReadOnlyMemory<byte> body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException ex)
        {
            throw new JsonRpcProtocolException($"the server sent a message that is not valid JSON ({ex.Message}).");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return; // Batches are not used by LSP; ignore anything else.
            }

            var hasId = root.TryGetProperty("id", out var id) && id.ValueKind is JsonValueKind.Number or JsonValueKind.String;
            var method = root.TryGetProperty("method", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
            var parameters = root.TryGetProperty("params", out var p) ? p.Clone() : default;
            if (method is null && hasId)
            {
                Complete(id, root);
            }
            else if (method is not null && hasId)
            {
                _ = AnswerAsync(id.Clone(), method, parameters);
            }
            else if (method == "$/cancelRequest")
            {
                if (parameters.ValueKind == JsonValueKind.Object && parameters.TryGetProperty("id", out var cancelled) && _incoming.TryGetValue(cancelled.ToString(), out var cts))
                {
                    cts.Cancel();
                }
            }
            else if (method is not null)
            {
                NotificationHandler?.Invoke(method, parameters);
            }
        }
    }

    private void Complete(JsonElement id, JsonElement root)
    {
        if (id.ValueKind != JsonValueKind.Number || !id.TryGetInt64(out var number) || !_pending.TryGetValue(number, out var response))
        {
            return; // A response to nothing we sent (or to a cancelled request).
        }

        if (root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
        {
            var code = error.TryGetProperty("code", out var c) && c.TryGetInt32(out var n) ? n : JsonRpcErrorCodes.InternalError;
            var text = error.TryGetProperty("message", out var msg) ? msg.GetString() ?? "error" : "error";
            JsonElement? data = error.TryGetProperty("data", out var d) ? d.Clone() : null;
            response.TrySetException(new JsonRpcException(code, text, data));
        }
        else
        {
            response.TrySetResult(root.TryGetProperty("result", out var result) ? result.Clone() : default);
        }
    }

    private async Task AnswerAsync(JsonElement id, string method, JsonElement parameters)
    {
        var key = id.ToString();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        _incoming[key] = cts;
        var message = new JsonObject { ["jsonrpc"] = "2.0", ["id"] = JsonValue.Create(id) };
        try
        {
            if (RequestHandler is not { } handler)
            {
                throw new JsonRpcException(JsonRpcErrorCodes.MethodNotFound, $"method '{method}' is not supported");
            }

            message["result"] = await handler(method, parameters, cts.Token).ConfigureAwait(false);
        }
        catch (JsonRpcException ex)
        {
            message["error"] = new JsonObject { ["code"] = ex.Code, ["message"] = ex.Message };
        }
        catch (OperationCanceledException)
        {
            message["error"] = new JsonObject { ["code"] = JsonRpcErrorCodes.RequestCancelled, ["message"] = "cancelled" };
        }
#pragma warning disable CA1031 // A failing handler becomes an error response; the connection goes on.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            message["error"] = new JsonObject { ["code"] = JsonRpcErrorCodes.InternalError, ["message"] = ex.Message };
        }
        finally
        {
            _incoming.TryRemove(key, out _);
        }

        try
        {
            await WriteAsync(message, _stop.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or JsonRpcConnectionClosedException or ObjectDisposedException or IOException)
        {
            // The peer went away before the answer.
        }
    }

    private void Close(string reason)
    {
        _closeReason ??= reason;
        foreach (var (id, response) in _pending)
        {
            if (_pending.TryRemove(id, out _))
            {
                response.TrySetException(new JsonRpcConnectionClosedException(_closeReason));
            }
        }
    }
}
