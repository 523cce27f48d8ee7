using Microsoft.Extensions.Logging;

namespace AgentHost.Sessions.Sql;

/// <summary>The session store's log messages (ids and counts only: payloads never leave the store through logs).</summary>
internal static partial class SessionStoreLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Migrated session database {Path} from schema version {From} to {To}")]
    public static partial void Migrated(ILogger logger, string path, int from, int to);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Created session {SessionId} in {Workspace}")]
    public static partial void Created(ILogger logger, string sessionId, string workspace);

    [LoggerMessage(Level = LogLevel.Trace, Message = "Stored message {MessageId} #{Sequence} ({Role}) in session {SessionId}")]
    public static partial void MessageStored(ILogger logger, string messageId, long sequence, string role, string sessionId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Deleted session {SessionId}")]
    public static partial void Deleted(ILogger logger, string sessionId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pruned {Count} sessions not updated since {Cutoff}")]
    public static partial void Pruned(ILogger logger, int count, DateTimeOffset cutoff);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId} was active but no process holds it: marked interrupted")]
    public static partial void MarkedInterrupted(ILogger logger, string sessionId);
}
