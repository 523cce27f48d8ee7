using AgentHost.Sessions;
using Microsoft.Extensions.AI;

namespace AgentHost.Tests.Agent;

/// <summary>Records every write, in order, for assertions.</summary>
public sealed class InMemoryConversationRecorder : IConversationRecorder
{
    private readonly Lock _lock = new();
    private readonly List<string> _log = [];
    private readonly List<ChatMessage> _messages = [];
    private readonly List<ToolEventRecord> _toolEvents = [];
    private readonly List<SessionStatus> _statuses = [];

    /// <summary>One line per write: <c>message:user</c>, <c>tool:read:Succeeded</c>, <c>usage:10/5</c>, <c>status:Active</c>.</summary>
    public IReadOnlyList<string> Log => Snapshot(_log);

    public IReadOnlyList<ChatMessage> Messages => Snapshot(_messages);

    public IReadOnlyList<ToolEventRecord> ToolEvents => Snapshot(_toolEvents);

    public IReadOnlyList<SessionStatus> Statuses => Snapshot(_statuses);

    public ValueTask<string> AppendMessageAsync(string sessionId, ChatMessage message, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            _messages.Add(message);
            _log.Add($"message:{message.Role.Value}");
            return ValueTask.FromResult($"m{_messages.Count}");
        }
    }

    public ValueTask RecordToolEventAsync(ToolEventRecord record, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            _toolEvents.Add(record);
            _log.Add($"tool:{record.Tool}:{record.Status}");
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask RecordUsageAsync(string sessionId, UsageDetails usage, decimal? cost, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            _log.Add($"usage:{usage.InputTokenCount}/{usage.OutputTokenCount}");
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask SetStatusAsync(string sessionId, SessionStatus status, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            _statuses.Add(status);
            _log.Add($"status:{status}");
        }

        return ValueTask.CompletedTask;
    }

    private List<T> Snapshot<T>(List<T> list)
    {
        lock (_lock)
        {
            return [.. list];
        }
    }
}
