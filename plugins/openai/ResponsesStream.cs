using Microsoft.Extensions.AI;
using OpenAI.Responses;
using AIChatFinishReason = Microsoft.Extensions.AI.ChatFinishReason;

namespace AgentHost.Plugins.OpenAI;

/// <summary>
/// Reads the events of one Responses API stream in order and says what each adds to the answer: text deltas, reasoning
/// (summary or text) deltas, a reasoning item kept whole in <see cref="TextReasoningContent.ProtectedData"/> when it is
/// done, function calls assembled from their argument deltas (keyed by output index) when their item is done, and at
/// the end usage and the finish reason. <c>response.failed</c> and <c>error</c> events become provider errors.
/// </summary>
/// <remarks>One instance per stream; not thread-safe.</remarks>
internal sealed class ResponsesStream(OpenAIEndpoint endpoint)
{
    private readonly Dictionary<int, PendingCall> _calls = [];
    private readonly HashSet<int> _streamedItems = [];
    private (int OutputIndex, int SummaryIndex)? _lastSummaryPart;

    /// <summary>The response id, once <c>response.created</c> (or a later event) named it.</summary>
    public string? ResponseId { get; private set; }

    /// <summary>The model the server reports.</summary>
    public string? ModelId { get; private set; }

    /// <summary>When the response was created.</summary>
    public DateTimeOffset? CreatedAt { get; private set; }

    /// <summary>Whether the stream reached its last event (<c>response.completed</c> or <c>response.incomplete</c>).</summary>
    public bool Finished { get; private set; }

    /// <summary>Why the answer ended, once finished.</summary>
    public AIChatFinishReason? FinishReason { get; private set; }

    /// <summary>Token usage, once finished.</summary>
    public UsageDetails? Usage { get; private set; }

    /// <summary>Whether any function call was made.</summary>
    public bool HasCalls { get; private set; }

    /// <summary>Reads one event.</summary>
    /// <param name="update">The event.</param>
    /// <returns>The contents it adds, or <see langword="null"/>.</returns>
    /// <exception cref="AgentHost.Sdk.Providers.ProviderException">The event reports a failure.</exception>
    public List<AIContent>? Read(StreamingResponseUpdate update)
    {
        switch (update)
        {
            case StreamingResponseCreatedUpdate created:
                Describe(created.Response);
                return null;
            case StreamingResponseOutputTextDeltaUpdate text:
                _streamedItems.Add(text.OutputIndex);
                return One(text.Delta is { Length: > 0 } delta ? new TextContent(delta) : null);
            case StreamingResponseRefusalDeltaUpdate refusal:
                _streamedItems.Add(refusal.OutputIndex);
                return One(refusal.Delta is { Length: > 0 } refused ? new TextContent(refused) : null);
            case StreamingResponseReasoningSummaryTextDeltaUpdate summary:
                _streamedItems.Add(summary.OutputIndex);
                return One(SummaryDelta(summary));
            case StreamingResponseReasoningTextDeltaUpdate reasoning:
                _streamedItems.Add(reasoning.OutputIndex);
                return One(reasoning.Delta is { Length: > 0 } thought ? new TextReasoningContent(thought) : null);
            case StreamingResponseOutputItemAddedUpdate { Item: FunctionCallResponseItem call } added:
                Call(added.OutputIndex).Start(call);
                return null;
            case StreamingResponseFunctionCallArgumentsDeltaUpdate arguments:
                Call(arguments.OutputIndex).Arguments.Append(arguments.Delta?.ToString());
                return null;
            case StreamingResponseOutputItemDoneUpdate done:
                return ItemDone(done.OutputIndex, done.Item);
            case StreamingResponseCompletedUpdate completed:
                Finish(completed.Response);
                return null;
            case StreamingResponseIncompleteUpdate incomplete:
                Finish(incomplete.Response);
                return null;
            case StreamingResponseFailedUpdate failed:
                throw OpenAIErrors.FromResponseError(failed.Response?.Error?.Code.ToString(), failed.Response?.Error?.Message, endpoint);
            case StreamingResponseErrorUpdate error:
                throw OpenAIErrors.FromResponseError(error.Code, error.Message, endpoint);
            default:
                return null;
        }
    }

    /// <summary>Maps a whole (non-streamed) response's output items.</summary>
    /// <param name="response">The response.</param>
    /// <returns>The contents.</returns>
    public List<AIContent> ReadWhole(ResponseResult response)
    {
        if (response.Error is { } error && response.Status == ResponseStatus.Failed)
        {
            throw OpenAIErrors.FromResponseError(error.Code.ToString(), error.Message, endpoint);
        }

        var contents = new List<AIContent>();
        for (var i = 0; i < response.OutputItems.Count; i++)
        {
            contents.AddRange(ItemDone(i, response.OutputItems[i]) ?? []);
        }

        Finish(response);
        return contents;
    }

    private static List<AIContent>? One(AIContent? content) => content is null ? null : [content];

    private TextReasoningContent? SummaryDelta(StreamingResponseReasoningSummaryTextDeltaUpdate summary)
    {
        if (summary.Delta is not { Length: > 0 } delta)
        {
            return null;
        }

        // A new summary part of the same item starts a new paragraph.
        var part = (summary.OutputIndex, summary.SummaryIndex);
        var separate = _lastSummaryPart is { } last && last.OutputIndex == part.OutputIndex && last.SummaryIndex != part.SummaryIndex;
        _lastSummaryPart = part;
        return new TextReasoningContent(separate ? "\n\n" + delta : delta);
    }

    private List<AIContent>? ItemDone(int outputIndex, ResponseItem? item)
    {
        var streamed = _streamedItems.Contains(outputIndex);
        switch (item)
        {
            case ReasoningResponseItem reasoning:
                // The text was streamed as deltas; this part carries the whole item for the next request.
                return [new TextReasoningContent(streamed ? string.Empty : Summary(reasoning)) { ProtectedData = ReasoningItems.ToProtectedData(reasoning), RawRepresentation = reasoning }];
            case MessageResponseItem message when !streamed:
                var text = string.Concat(message.Content.Select(part => part.Kind == ResponseContentPartKind.Refusal ? part.Refusal : part.Text));
                return text.Length > 0 ? [new TextContent(text) { RawRepresentation = message }] : null;
            case FunctionCallResponseItem call:
                var pending = Call(outputIndex);
                pending.Start(call);
                if (call.FunctionArguments is { } whole && !whole.IsEmpty)
                {
                    pending.Arguments.Clear().Append(whole.ToString()); // the finished item's arguments are authoritative
                }

                _calls.Remove(outputIndex);
                HasCalls = true;
                var content = ToolCallAccumulator.ToContent(pending.CallId ?? $"call_{ResponseId ?? "0"}_{outputIndex}", pending.Name ?? string.Empty, pending.Arguments.ToString());
                content.RawRepresentation = call;
                return [content];
            default:
                return null;
        }
    }

    private static string Summary(ReasoningResponseItem reasoning) =>
        string.Join("\n\n", reasoning.SummaryParts.OfType<ReasoningSummaryTextPart>().Select(p => p.Text).Where(t => t is { Length: > 0 }));

    private PendingCall Call(int outputIndex)
    {
        if (!_calls.TryGetValue(outputIndex, out var call))
        {
            call = new PendingCall();
            _calls[outputIndex] = call;
        }

        return call;
    }

    private void Describe(ResponseResult? response)
    {
        if (response is null)
        {
            return;
        }

        ResponseId ??= response.Id is { Length: > 0 } id ? id : null;
        ModelId ??= response.Model is { Length: > 0 } model ? model : null;
        CreatedAt ??= response.CreatedAt == default ? null : response.CreatedAt;
    }

    private void Finish(ResponseResult? response)
    {
        Finished = true;
        Describe(response);
        Usage = ToUsage(response?.Usage) ?? Usage;
        FinishReason = response?.IncompleteStatusDetails?.Reason switch
        {
            { } reason when reason == ResponseIncompleteStatusReason.MaxOutputTokens => AIChatFinishReason.Length,
            { } reason when reason == ResponseIncompleteStatusReason.ContentFilter => AIChatFinishReason.ContentFilter,
            _ when HasCalls => AIChatFinishReason.ToolCalls,
            _ => AIChatFinishReason.Stop,
        };
    }

    /// <summary>Maps usage: input, output and total tokens, cached input tokens and reasoning tokens.</summary>
    private static UsageDetails? ToUsage(ResponseTokenUsage? usage) => usage is null ? null : new UsageDetails
    {
        InputTokenCount = usage.InputTokenCount,
        OutputTokenCount = usage.OutputTokenCount,
        TotalTokenCount = usage.TotalTokenCount,
        CachedInputTokenCount = usage.InputTokenDetails?.CachedTokenCount,
        ReasoningTokenCount = usage.OutputTokenDetails?.ReasoningTokenCount,
    };

    private sealed class PendingCall
    {
        public string? CallId { get; private set; }

        public string? Name { get; private set; }

        public System.Text.StringBuilder Arguments { get; } = new();

        public void Start(FunctionCallResponseItem item)
        {
            CallId ??= item.CallId is { Length: > 0 } id ? id : null;
            Name ??= item.FunctionName is { Length: > 0 } name ? name : null;
        }
    }
}
