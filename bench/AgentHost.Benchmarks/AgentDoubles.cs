using AgentHost.Agent.Engine;
using AgentHost.Hosting.Plugins;
using AgentHost.Permissions;
using AgentHost.Sessions;
using Microsoft.Extensions.AI;

namespace AgentHost.Benchmarks;

/// <summary>
/// A chat client that answers instantly with canned updates: step <c>k</c> of a run streams the updates scripted for
/// it, synchronously (no I/O, no thread hop), so a benchmark measures the loop and not the model. Call
/// <see cref="Reset"/> before each run. Not thread-safe: one run at a time.
/// </summary>
/// <remarks>Adapted from the test double in tests/AgentHost.Agent.TestSupport/Agent/ScriptedChatClient.cs (not
/// referenced: the benchmark project must not depend on the test projects).</remarks>
internal sealed class CannedChatClient(IReadOnlyList<ChatResponseUpdate[]> steps) : IChatClient
{
    private int _next;

    public int Requests { get; private set; }

    public void Reset() => _next = 0;

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        Requests++;
        if (_next >= steps.Count)
        {
            throw new InvalidOperationException($"the canned script has only {steps.Count} steps");
        }

        return new SyncAsyncEnumerable(steps[_next++]);
    }

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("the benchmark never compacts");

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }

    /// <summary>Streams an array with every MoveNextAsync already complete.</summary>
    private sealed class SyncAsyncEnumerable(ChatResponseUpdate[] updates) : IAsyncEnumerable<ChatResponseUpdate>, IAsyncEnumerator<ChatResponseUpdate>
    {
        private int _index = -1;

        public ChatResponseUpdate Current => updates[_index];

        public IAsyncEnumerator<ChatResponseUpdate> GetAsyncEnumerator(CancellationToken cancellationToken = default) => this;

        public ValueTask<bool> MoveNextAsync() => new(++_index < updates.Length);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

/// <summary>
/// An in-memory <see cref="IConversationRecorder"/> that only counts writes (the loop's cost, not a store's).
/// </summary>
/// <remarks>Adapted from tests/AgentHost.Agent.TestSupport/Agent/InMemoryConversationRecorder.cs, without keeping the
/// messages, so memory does not grow over millions of benchmark iterations.</remarks>
internal sealed class CountingRecorder : IConversationRecorder
{
    private long _messages;
    private long _toolEvents;
    private long _writes;

    public long Messages => Interlocked.Read(ref _messages);

    public long ToolEvents => Interlocked.Read(ref _toolEvents);

    public long Writes => Interlocked.Read(ref _writes);

    public ValueTask<string> AppendMessageAsync(string sessionId, ChatMessage message, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _writes);
        Interlocked.Increment(ref _messages);
        return ValueTask.FromResult("m");
    }

    public ValueTask RecordToolEventAsync(ToolEventRecord record, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _writes);
        Interlocked.Increment(ref _toolEvents);
        return ValueTask.CompletedTask;
    }

    public ValueTask RecordUsageAsync(string sessionId, UsageDetails usage, decimal? cost, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _writes);
        return ValueTask.CompletedTask;
    }

    public ValueTask SetStatusAsync(string sessionId, SessionStatus status, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _writes);
        return ValueTask.CompletedTask;
    }
}
