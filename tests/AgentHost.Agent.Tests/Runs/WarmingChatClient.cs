using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using AgentHost.Sdk.Providers;
using Microsoft.Extensions.AI;

namespace AgentHost.Agent.Tests.Runs;

/// <summary>How a <see cref="WarmingChatClient"/>'s warm-up ends.</summary>
internal enum WarmUpEnd
{
    /// <summary>It completes (an endpoint that answered).</summary>
    Completes,

    /// <summary>It throws what a client throws for an endpoint that is down.</summary>
    Fails,

    /// <summary>It gets no answer: it runs until it is cancelled.</summary>
    NoAnswer,
}

/// <summary>
/// A model client with a provider's warm-up (<see cref="IChatWarmUp"/>), for the host's handling of warm-ups and
/// prepared models: it records each warm-up and each request in order, and whether it was disposed. The real
/// providers' warm-ups (the openai plugin's <c>HEAD</c>) are tested with their plugins in tests/AgentHost.Tests.
/// </summary>
/// <param name="end">How its warm-ups end.</param>
/// <param name="log">Where it records, shared by several clients as one endpoint's request log; its own when not given.</param>
internal sealed class WarmingChatClient(WarmUpEnd end = WarmUpEnd.Completes, ConcurrentQueue<string>? log = null) : IChatClient, IChatWarmUp
{
    /// <summary>"warm-up" and "request", in the order they started.</summary>
    public ConcurrentQueue<string> Log { get; } = log ?? new();

    /// <summary>Completes when the first warm-up started.</summary>
    public TaskCompletionSource WarmUpStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when a warm-up that got no answer was cancelled.</summary>
    public TaskCompletionSource WarmUpCancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the client is disposed.</summary>
    public TaskCompletionSource Disposed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task WarmUpAsync(CancellationToken cancellationToken = default)
    {
        Log.Enqueue("warm-up");
        WarmUpStarted.TrySetResult();
        switch (end)
        {
            case WarmUpEnd.Fails:
                throw new HttpRequestException("Connection refused (127.0.0.1:1)");
            case WarmUpEnd.NoAnswer:
                try
                {
                    await new TaskCompletionSource().Task.WaitAsync(cancellationToken);
                }
                finally
                {
                    WarmUpCancelled.TrySetResult();
                }

                break;
        }
    }

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        await GetStreamingResponseAsync(messages, options, cancellationToken).ToChatResponseAsync(cancellationToken);

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Log.Enqueue("request");
        await Task.Yield();
        yield return new ChatResponseUpdate(ChatRole.Assistant, "ok");
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose() => Disposed.TrySetResult();
}
