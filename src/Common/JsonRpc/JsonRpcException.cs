using System.Text.Json;

namespace AgentHost.Common.JsonRpc;

/// <summary>An error response from the other side (<c>{"error": {"code", "message", "data"}}</c>).</summary>
internal sealed class JsonRpcException(int code, string message, JsonElement? data = null) : Exception(message)
{
    /// <summary>The JSON-RPC error code.</summary>
    public int Code { get; } = code;

    /// <summary>The error's <c>data</c>, when any.</summary>
    public JsonElement? ErrorData { get; } = data;
}

/// <summary>The connection ended (the other process exited or closed its output) while a request was pending.</summary>
internal sealed class JsonRpcConnectionClosedException(string message) : Exception(message);

/// <summary>The peer broke the framing or JSON rules (oversized header or body, bad Content-Length, invalid JSON).</summary>
internal sealed class JsonRpcProtocolException(string message) : Exception(message);

/// <summary>Standard JSON-RPC error codes.</summary>
internal static class JsonRpcErrorCodes
{
    public const int ParseError = -32700;
    public const int InvalidRequest = -32600;
    public const int MethodNotFound = -32601;
    public const int InvalidParams = -32602;
    public const int InternalError = -32603;

    /// <summary>LSP: the request was cancelled (<c>$/cancelRequest</c>).</summary>
    public const int RequestCancelled = -32800;
}
