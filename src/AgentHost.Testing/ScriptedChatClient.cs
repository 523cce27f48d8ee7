using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace AgentHost.Testing;

/// <summary>The <see cref="IChatClient"/> that plays a <see cref="ScriptedModel"/>: streams text in chunks, emits function calls.</summary>
internal sealed class ScriptedChatClient(ScriptedModel model) : IChatClient
{
    private const int ChunkCharacters = 16;

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var (number, turn) = model.Take([.. messages]);
        return StreamAsync(number, turn, cancellationToken);
    }

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        // Only compaction asks without streaming; the script has no summaries, so a fixed one stands in.
        Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "(summary of the earlier conversation by the scripted model)")));

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType?.IsInstanceOfType(this) == true ? this : null;

    public void Dispose()
    {
    }

    private static async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(int number, ScriptedTurn turn, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var messageId = $"msg_{number}";
        if (turn.Text is { } text)
        {
            var start = 0;
            do
            {
                cancellationToken.ThrowIfCancellationRequested();
                await Task.Yield();
                var length = Math.Min(ChunkCharacters, text.Length - start);
                yield return new ChatResponseUpdate(ChatRole.Assistant, text.Substring(start, length)) { MessageId = messageId };
                start += length;
            }
            while (start < text.Length);

            yield break;
        }

        for (var i = 0; i < turn.Calls.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await Task.Yield();
            var call = turn.Calls[i];
            var arguments = new Dictionary<string, object?>(call.Arguments, StringComparer.Ordinal);
            var content = new FunctionCallContent($"call_{number}_{i + 1}", call.Name, arguments);
            yield return new ChatResponseUpdate(ChatRole.Assistant, [content]) { MessageId = messageId };
        }
    }
}
