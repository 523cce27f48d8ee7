using Microsoft.Extensions.Logging;

namespace AgentHost.Server;

/// <summary>The server's log messages.</summary>
internal static partial class ServerLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "run {RunId} ended ({Status}) but its end could not be stored (GET /v1/runs/{RunId} after a restart will read it as interrupted): {Reason}")]
    public static partial void RunNotStored(ILogger logger, string runId, string status, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "run {RunId} ended but its run.ended was not seen in the session's journal in time; its end is stored anyway: {Reason}")]
    public static partial void RunEndNotJournalled(ILogger logger, string runId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "closing idle sessions failed (they stay open; the next check tries again): {Reason}")]
    public static partial void IdleCloseFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Method} {Route} failed unexpectedly (answered 500, request {RequestId})")]
    public static partial void Unexpected(ILogger logger, Exception exception, string method, string route, string requestId);
}
