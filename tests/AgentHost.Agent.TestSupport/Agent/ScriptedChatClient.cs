using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace AgentHost.Tests.Agent;

/// <summary>An <see cref="IChatClient"/> test double that streams scripted updates and records every request.</summary>
public sealed class ScriptedChatClient : IChatClient
{
    private readonly Lock _lock = new();
    private readonly Queue<Func<CancellationToken, IAsyncEnumerable<ChatResponseUpdate>>> _steps = new();
    private readonly Queue<string> _summaries = new();

    /// <summary>The messages of each streaming request, copied when received.</summary>
    public List<ChatMessage[]> Requests { get; } = [];

    /// <summary>The options of each streaming request.</summary>
    public List<ChatOptions?> Options { get; } = [];

    /// <summary>The messages of each non-streaming (summary) request.</summary>
    public List<ChatMessage[]> SummaryRequests { get; } = [];

    /// <summary>Runs when a streaming request arrives, before anything streams.</summary>
    public Action<ChatMessage[]>? OnRequest { get; set; }

    public static FunctionCallContent Call(string callId, string name, string argumentsJson = "{}") =>
        new(callId, name, JsonSerializer.Deserialize<Dictionary<string, object?>>(argumentsJson));

    public static FunctionCallContent MalformedCall(string callId, string name, string rawArguments) =>
        FunctionCallContent.CreateFromParsedArguments(rawArguments, callId, name, s => JsonSerializer.Deserialize<Dictionary<string, object?>>(s));

    public static UsageContent Usage(long input, long output) => new(new UsageDetails { InputTokenCount = input, OutputTokenCount = output });

    /// <summary>Scripts one step that streams <paramref name="updates"/>.</summary>
    public ScriptedChatClient Step(params AIContent[] contents) => Stream(contents.Select(c => new ChatResponseUpdate(ChatRole.Assistant, [c])).ToArray());

    /// <summary>Scripts a step whose final answer arrives in text chunks.</summary>
    public ScriptedChatClient Answer(params string[] chunks) => Step(chunks.Select(c => (AIContent)new TextContent(c)).ToArray());

    /// <summary>Scripts one step that streams the given updates.</summary>
    public ScriptedChatClient Stream(params ChatResponseUpdate[] updates) => Custom(cancellationToken => Replay(updates, cancellationToken));

    /// <summary>Scripts a step with custom streaming behaviour.</summary>
    public ScriptedChatClient Custom(Func<CancellationToken, IAsyncEnumerable<ChatResponseUpdate>> step)
    {
        lock (_lock)
        {
            _steps.Enqueue(step);
        }

        return this;
    }

    /// <summary>Scripts the answer of the next non-streaming request.</summary>
    public ScriptedChatClient Summary(string text)
    {
        lock (_lock)
        {
            _summaries.Enqueue(text);
        }

        return this;
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var copy = messages.ToArray();
        Func<CancellationToken, IAsyncEnumerable<ChatResponseUpdate>> step;
        lock (_lock)
        {
            Requests.Add(copy);
            Options.Add(options);
            step = _steps.Count > 0 ? _steps.Dequeue() : throw new InvalidOperationException($"the script has no step {Requests.Count}");
        }

        OnRequest?.Invoke(copy);
        return step(cancellationToken);
    }

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            SummaryRequests.Add(messages.ToArray());
            var text = _summaries.Count > 0 ? _summaries.Dequeue() : throw new InvalidOperationException("no summary scripted");
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, text)));
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }

    private static async IAsyncEnumerable<ChatResponseUpdate> Replay(ChatResponseUpdate[] updates, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var update in updates)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await Task.Yield();
            yield return update;
        }
    }
}
