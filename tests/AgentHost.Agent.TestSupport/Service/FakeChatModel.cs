using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace AgentHost.Tests.Service;

/// <summary>
/// A scripted model for in-process service tests: each request takes the next step of its script (a reply, a tool
/// call, or a wait that only ends by cancellation), and every request's messages are recorded.
/// </summary>
public sealed class FakeChatModel : IChatClient
{
    private readonly ConcurrentQueue<Func<IReadOnlyList<ChatMessage>, CancellationToken, Task<ChatResponse>>> _steps = new();
    private readonly ConcurrentQueue<IReadOnlyList<ChatMessage>> _requests = new();
    private readonly ConcurrentQueue<IReadOnlyList<string>> _tools = new();
    private readonly ConcurrentQueue<ChatOptions?> _options = new();

    /// <summary>Completes when a <see cref="WaitForCancel"/> step is reached.</summary>
    public TaskCompletionSource Waiting { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyList<IReadOnlyList<ChatMessage>> Requests => [.. _requests];

    /// <summary>The names of the tools each request offered, in order.</summary>
    public IReadOnlyList<IReadOnlyList<string>> OfferedTools => [.. _tools];

    /// <summary>The options of every request, in order.</summary>
    public IReadOnlyList<ChatOptions?> Options => [.. _options];

    public FakeChatModel Reply(string text)
    {
        _steps.Enqueue((_, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, text))));
        return this;
    }

    public FakeChatModel CallTool(string name, IDictionary<string, object?> arguments)
    {
        _steps.Enqueue((_, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("call-" + Guid.NewGuid().ToString("N")[..8], name, arguments)]))));
        return this;
    }

    /// <summary>Replies once <paramref name="gate"/> completes (to hold two sessions' turns open at the same time).</summary>
    public FakeChatModel ReplyAfter(Task gate, string text)
    {
        _steps.Enqueue(async (_, ct) =>
        {
            Waiting.TrySetResult();
            await gate.WaitAsync(ct).ConfigureAwait(false);
            return new ChatResponse(new ChatMessage(ChatRole.Assistant, text));
        });
        return this;
    }

    public FakeChatModel WaitForCancel()
    {
        _steps.Enqueue(async (_, ct) =>
        {
            Waiting.TrySetResult();
            await new TaskCompletionSource().Task.WaitAsync(ct).ConfigureAwait(false);
            throw new InvalidOperationException("unreachable");
        });
        return this;
    }

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages.ToList();
        _requests.Enqueue(list);
        _tools.Enqueue([.. (options?.Tools ?? []).Select(t => t.Name)]);
        _options.Enqueue(options);
        return _steps.TryDequeue(out var step)
            ? await step(list, cancellationToken).ConfigureAwait(false)
            : throw new InvalidOperationException("the fake model's script has no step left");
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var response = await GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        foreach (var update in response.ToChatResponseUpdates())
        {
            yield return update;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }
}
