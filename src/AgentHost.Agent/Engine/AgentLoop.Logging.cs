using Microsoft.Extensions.Logging;

namespace AgentHost.Agent.Engine;

/// <summary>What the loop logs: unexpected failures with their stack (events and the model get one line).</summary>
public sealed partial class AgentLoop
{

    [LoggerMessage(Level = LogLevel.Error, Message = "Compacting session {SessionId} failed; the conversation is kept uncompacted")]
    private partial void LogCompactionFailed(Exception exception, string sessionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The small model could not summarise session {SessionId}; the run's model does it instead")]
    private partial void LogSmallModelSummaryFailed(Exception exception, string sessionId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Run of session {SessionId} failed")]
    private partial void LogRunFailed(Exception exception, string sessionId);

    [LoggerMessage(Level = LogLevel.Error, Message = "The end of a turn of session {SessionId} failed; the run's outcome stands")]
    private partial void LogEndOfTurnFailed(Exception exception, string sessionId);
}
