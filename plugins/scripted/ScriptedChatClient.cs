using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace AgentHost.Plugins.Scripted;

/// <summary>
/// An <see cref="IChatClient"/> that replays a <see cref="ConversationScript"/>. The first request picks the turn
/// after the assistant messages already in the history (so a resumed session continues where it stopped); each
/// further request takes the next turn.
/// </summary>
internal sealed class ScriptedChatClient(ConversationScript script, string modelId) : IChatClient
{
    private readonly Lock _gate = new();
    private int? _next;

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        await GetStreamingResponseAsync(messages, options, cancellationToken).ToChatResponseAsync(cancellationToken).ConfigureAwait(false);

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var history = messages.ToList();
        var turn = NextTurn(history);
        if (turn.Expect.Check(history, options) is { } mismatch)
        {
            throw new InvalidOperationException($"{script.Path}: turn {turn.Number}: {mismatch}.");
        }

        if (turn.Error is { } error)
        {
            throw new InvalidOperationException($"{script.Path}: turn {turn.Number}: scripted provider error: {error}");
        }

        if (turn.Delay > TimeSpan.Zero)
        {
            await Task.Delay(turn.Delay, cancellationToken).ConfigureAwait(false);
        }

        var responseId = $"script-{turn.Number}";
        var first = true;
        if (turn.Reasoning is { } reasoning)
        {
            // In one piece, unless the turn streams slowly: then in pieces like the text.
            foreach (var chunk in turn.ChunkDelay > TimeSpan.Zero ? Chunks(reasoning) : [reasoning])
            {
                await PaceAsync(turn, first, cancellationToken).ConfigureAwait(false);
                first = false;
                yield return Update(responseId, new TextReasoningContent(chunk));
            }
        }

        foreach (var chunk in Chunks(turn.Text))
        {
            cancellationToken.ThrowIfCancellationRequested();
            await PaceAsync(turn, first, cancellationToken).ConfigureAwait(false);
            first = false;
            yield return Update(responseId, new TextContent(chunk));
        }

        for (var i = 0; i < turn.ToolCalls.Count; i++)
        {
            var call = turn.ToolCalls[i];
            yield return Update(responseId, FunctionCallContent.CreateFromParsedArguments(
                call.ArgumentsJson, $"call_{turn.Number}_{i + 1}", call.Name, ParseArguments));
        }

        yield return new ChatResponseUpdate(ChatRole.Assistant, [new UsageContent(new UsageDetails
        {
            InputTokenCount = turn.InputTokens ?? EstimateTokens(history),
            OutputTokenCount = turn.OutputTokens ?? Math.Max(1, (turn.Text?.Length ?? 0) / 4),
        })])
        {
            ResponseId = responseId,
            ModelId = modelId,
            FinishReason = turn.ToolCalls.Count > 0 ? ChatFinishReason.ToolCalls : turn.CutAtOutputLimit ? ChatFinishReason.Length : ChatFinishReason.Stop,
        };
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(ChatClientMetadata) ? new ChatClientMetadata("scripted", null, modelId)
        : serviceKey is null && serviceType.IsInstanceOfType(this) ? this
        : null;

    public void Dispose()
    {
    }

    private ScriptTurn NextTurn(List<ChatMessage> history)
    {
        int index;
        lock (_gate)
        {
            index = _next ?? history.Count(m => m.Role == ChatRole.Assistant);
            _next = index + 1;
        }

        return index < script.Turns.Count
            ? script.Turns[index]
            : throw new InvalidOperationException($"{script.Path}: the script has {script.Turns.Count} turns, but the model was asked for turn {index + 1}. Add a turn, or end the previous turn without tool calls.");
    }

    /// <summary>Before a streamed piece: the turn's <c>chunk_delay_ms</c> (not before its first piece), else a yield.</summary>
    private static async Task PaceAsync(ScriptTurn turn, bool first, CancellationToken cancellationToken)
    {
        if (!first && turn.ChunkDelay > TimeSpan.Zero)
        {
            await Task.Delay(turn.ChunkDelay, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await Task.Yield();
        }
    }

    private static ChatResponseUpdate Update(string responseId, AIContent content) =>
        new(ChatRole.Assistant, [content]) { ResponseId = responseId, MessageId = responseId };

    private static IEnumerable<string> Chunks(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            yield break;
        }

        var start = 0;
        while (start < text.Length)
        {
            var end = text.IndexOf(' ', Math.Min(start + 16, text.Length - 1));
            end = end < 0 ? text.Length : end + 1;
            yield return text[start..end];
            start = end;
        }
    }

    private static Dictionary<string, object?> ParseArguments(string json)
    {
        var element = JsonDocument.Parse(json).RootElement;
        return element.ValueKind == JsonValueKind.Object
            ? element.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone())
            : throw new JsonException("tool arguments must be a JSON object");
    }

    private static long EstimateTokens(List<ChatMessage> history) =>
        Math.Max(1, history.Sum(m => (long)m.Text.Length) / 4);
}
