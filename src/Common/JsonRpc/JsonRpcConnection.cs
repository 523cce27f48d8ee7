using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentHost.Common.JsonRpc;

/// <summary>Answers a request from the peer; the result becomes the response (<see langword="null"/> is a JSON null).</summary>
internal delegate ValueTask<JsonNode?> JsonRpcRequestHandler(string method, JsonElement parameters, CancellationToken cancellationToken);

/// <summary>
/// A JSON-RPC 2.0 endpoint over a framing (<see cref="ContentLengthFraming"/> for LSP, <see cref="LineFraming"/> for
/// ACP): requests with correlation and the dialect's cancel notification on cancellation, notifications, and requests
/// from the peer answered by a handler, each on its own task (a long request does not hold up the others). Knows
/// nothing of LSP or ACP beyond the <see cref="JsonRpcDialect"/>. Thread-safe: requests and notifications may be sent
/// concurrently; each message is written whole.
/// </summary>
internal sealed class JsonRpcConnection : IAsyncDisposable
{
    private readonly IJsonRpcFraming _framing;
    private readonly JsonRpcDialect _dialect;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ConcurrentDictionary<long, TaskCompletionSource<JsonElement>> _pending = new();
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _incoming = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private long _nextId;
    private Task? _readLoop;
    private string? _closeReason;

    /// <summary>An LSP connection: <c>Content-Length</c> framing over two streams.</summary>
    /// <param name="input">What the peer writes.</param>
    /// <param name="output">What the peer reads.</param>
    /// <param name="limits">The bounds on what the peer may send.</param>
    public JsonRpcConnection(Stream input, Stream output, FrameLimits? limits = null)
        : this(new ContentLengthFraming(input, output, limits ?? FrameLimits.Default), JsonRpcDialect.Lsp)
    {
    }

    /// <summary>A connection over any framing.</summary>
    /// <param name="framing">How messages are read and written.</param>
    /// <param name="dialect">What differs between the protocols.</param>
    public JsonRpcConnection(IJsonRpcFraming framing, JsonRpcDialect dialect)
    {
        ArgumentNullException.ThrowIfNull(framing);
        ArgumentNullException.ThrowIfNull(dialect);
        _framing = framing;
        _dialect = dialect;
        _framing.NonProtocolLine = line => NonProtocolOutput?.Invoke(line);
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

    /// <summary>Receives what the connection noticed and answered on its own (a malformed message from the peer).</summary>
    public Action<string>? ProtocolWarning { get; set; }

    /// <summary>Sends a request and waits for its response; cancelling sends the dialect's cancel notification.</summary>
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
            await NotifyAsync(_dialect.CancelMethod, new JsonObject { ["id"] = id }, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or JsonRpcConnectionClosedException)
        {
            // The peer is gone; nothing to cancel.
        }
    }

    private async Task WriteAsync(JsonObject message, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(message);
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_closeReason is { } reason)
            {
                throw new JsonRpcConnectionClosedException(reason);
            }

            await _framing.WriteAsync(body, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            throw new JsonRpcConnectionClosedException($"could not write to {_dialect.Peer}: {ex.Message}");
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
            while (await _framing.ReadAsync(_stop.Token).ConfigureAwait(false) is { } frame)
            {
                if (frame.Skipped is { } why)
                {
                    Malformed(JsonRpcErrorCodes.InvalidRequest, $"{_dialect.Peer} sent {why}");
                    continue;
                }

                try
                {
                    Dispatch(frame.Buffer.AsMemory(0, frame.Length));
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(frame.Buffer);
                }
            }

            Close($"{_dialect.Peer} closed its output (it exited or crashed).");
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
            Malformed(JsonRpcErrorCodes.ParseError, $"{_dialect.Peer} sent a message that is not valid JSON ({ex.Message}).");
            return;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                // Batches are used by neither LSP nor ACP.
                if (_dialect.AnswersMalformedMessages)
                {
                    Malformed(JsonRpcErrorCodes.InvalidRequest, root.ValueKind == JsonValueKind.Array
                        ? $"{_dialect.Peer} sent a JSON-RPC batch (an array); batches are not supported: send each message as its own line."
                        : $"{_dialect.Peer} sent a JSON {root.ValueKind.ToString().ToLowerInvariant()} where a JSON-RPC message (an object) was expected.");
                }

                return;
            }

            var hasId = root.TryGetProperty("id", out var id) && id.ValueKind is JsonValueKind.Number or JsonValueKind.String;
            var method = root.TryGetProperty("method", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
            var parameters = root.TryGetProperty("params", out var p) ? p.Clone() : default;
            if (method is null && hasId && !root.TryGetProperty("result", out _) && !root.TryGetProperty("error", out _) && _dialect.AnswersMalformedMessages)
            {
                _ = AnswerErrorAsync(id.Clone(), JsonRpcErrorCodes.InvalidRequest, "a request needs a \"method\" string.");
            }
            else if (method is null && hasId)
            {
                Complete(id, root);
            }
            else if (method is not null && hasId)
            {
                _ = AnswerAsync(id.Clone(), method, parameters);
            }
            else if (method == _dialect.CancelMethod)
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
            else if (_dialect.AnswersMalformedMessages)
            {
                Malformed(JsonRpcErrorCodes.InvalidRequest, $"{_dialect.Peer} sent a message with neither a \"method\" nor an \"id\".");
            }
        }
    }

    /// <summary>A message that is not JSON-RPC: answered with an error of id null (ACP), or the end of the connection (LSP).</summary>
    private void Malformed(int code, string message)
    {
        if (!_dialect.AnswersMalformedMessages)
        {
            throw new JsonRpcProtocolException(message);
        }

        ProtocolWarning?.Invoke(message);
        _ = AnswerErrorAsync(null, code, message);
    }

    private async Task AnswerErrorAsync(JsonElement? id, int code, string message)
    {
        var answer = new JsonObject
        {
            ["jsonrpc"] = "2.0",
            ["id"] = id is { } known ? JsonValue.Create(known) : null,
            ["error"] = new JsonObject { ["code"] = code, ["message"] = message },
        };
        try
        {
            await WriteAsync(answer, _stop.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or JsonRpcConnectionClosedException or ObjectDisposedException or IOException)
        {
            // The peer went away before the answer.
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
            if (ex.ErrorData is { } data)
            {
                message["error"]!["data"] = JsonNode.Parse(data.GetRawText());
            }
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
