using AgentHost.Sessions;
using Microsoft.Extensions.AI;

namespace AgentHost.Testing;

/// <summary>Keeps one run's tool calls in memory, with the text the model received for each (instead of a session store).</summary>
internal sealed class RunRecorder : IConversationRecorder
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, string> _results = new(StringComparer.Ordinal);
    private readonly List<ToolCallRecord> _calls = [];
    private int _messages;

    public IReadOnlyList<ToolCallRecord> Calls
    {
        get
        {
            lock (_lock)
            {
                return [.. _calls];
            }
        }
    }

    public ValueTask<string> AppendMessageAsync(string sessionId, ChatMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        lock (_lock)
        {
            foreach (var result in message.Contents.OfType<FunctionResultContent>())
            {
                _results[result.CallId] = result.Result?.ToString() ?? string.Empty;
            }

            return ValueTask.FromResult($"m{++_messages}");
        }
    }

    public ValueTask RecordToolEventAsync(ToolEventRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        lock (_lock)
        {
            var text = _results.TryGetValue(record.CallId, out var result) ? result : record.Error ?? string.Empty;
            _calls.Add(new ToolCallRecord(record.Tool, record.CallId, record.ArgumentsJson, record.Status, text) { CallsMade = () => Calls });
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask RecordUsageAsync(string sessionId, UsageDetails usage, decimal? cost, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    public ValueTask SetStatusAsync(string sessionId, SessionStatus status, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
}
