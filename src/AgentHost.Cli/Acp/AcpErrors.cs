using AgentHost.Common.JsonRpc;

namespace AgentHost.Cli.Acp;

/// <summary>The JSON-RPC errors of the Agent Client Protocol (its schema's <c>ErrorCode</c>), each with a message that says what to do.</summary>
internal static class AcpErrors
{
    /// <summary>ACP: authentication is required before this request.</summary>
    public const int AuthRequired = -32000;

    /// <summary>ACP: the session (or another named resource) does not exist.</summary>
    public const int ResourceNotFound = -32002;

    public static JsonRpcException InvalidParams(string message) => new(JsonRpcErrorCodes.InvalidParams, message);

    public static JsonRpcException InvalidRequest(string message) => new(JsonRpcErrorCodes.InvalidRequest, message);

    public static JsonRpcException NotFound(string message) => new(ResourceNotFound, message);

    public static JsonRpcException Internal(string message) => new(JsonRpcErrorCodes.InternalError, message);

    public static JsonRpcException UnknownSession(string id) =>
        NotFound($"no session '{id}' is open in this agent: create one with session/new, or open a stored one with session/load or session/resume.");
}
