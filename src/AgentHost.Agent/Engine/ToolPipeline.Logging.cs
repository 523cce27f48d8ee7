using Microsoft.Extensions.Logging;

namespace AgentHost.Agent.Engine;

/// <summary>What the pipeline logs: failures with their stack (the model only gets a concise message), time-outs.</summary>
public sealed partial class ToolPipeline
{
    /// <summary>Where the pipeline (and the loop that uses it) logs; from <see cref="ToolPipelineOptions.LoggerFactory"/>.</summary>
    internal ILoggerFactory LoggerFactory => Options.LoggerFactory;

    /// <summary>Logs a tool's exception and returns what the model is told: its message when expected, "internal error" for a bug.</summary>
    private string ToolFailed(string name, string callId, Exception exception)
    {
        var inner = ToolFailures.Unwrap(exception);
        if (ToolFailures.IsBug(inner))
        {
            LogToolBug(exception, name, callId);
            return $"internal error in tool '{name}' ({inner.GetType().Name}; logged: see 'agent logs'). This is a bug in the tool, not in your call: try another approach.";
        }

        LogToolFailed(exception, name, callId);
        return $"'{name}' failed: {ToolFailures.MessageOf(exception)}";
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Internal error in tool {Tool} (call {CallId})")]
    private partial void LogToolBug(Exception exception, string tool, string callId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Tool {Tool} failed (call {CallId})")]
    private partial void LogToolFailed(Exception exception, string tool, string callId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tool {Tool} did not finish within {Limit} (call {CallId}); still running in the background: {StillRunning}")]
    private partial void LogToolTimedOut(string tool, string callId, string limit, bool stillRunning);

    [LoggerMessage(Level = LogLevel.Error, Message = "The permission gate failed deciding {Tool} (call {CallId}); the call is denied")]
    private partial void LogGateFailed(Exception exception, string tool, string callId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The file checkpoint before {Tool} (call {CallId}) could not be recorded; the call runs without it")]
    private partial void LogCheckpointFailed(Exception exception, string tool, string callId);
}
