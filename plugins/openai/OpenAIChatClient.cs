using System.ClientModel;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using AgentHost.Sdk.Providers;
using Microsoft.Extensions.AI;
using OpenAI.Chat;

namespace AgentHost.Plugins.OpenAI;

/// <summary>
/// An <see cref="IChatClient"/> over the OpenAI SDK's Chat Completions client, for OpenAI and every endpoint that
/// speaks its wire format. Failures surface as <see cref="AgentHost.Sdk.Providers.ProviderException"/>; the caller's
/// cancellation as <see cref="OperationCanceledException"/>.
/// </summary>
/// <remarks>Thread-safe: requests may run concurrently.</remarks>
internal sealed class OpenAIChatClient : IChatClient
{
    private readonly OpenAIEndpoint _endpoint;
    private readonly string _modelId;
    private readonly OpenAIHttp _http;
    private readonly OpenAIHttp? _ownedHttp;
    private readonly TimeProvider _time;
    private readonly ChatClientMetadata _metadata;
    private readonly ConcurrentDictionary<string, ChatClient> _clients = new(StringComparer.Ordinal);

    /// <summary>Creates a client.</summary>
    /// <param name="endpoint">The endpoint.</param>
    /// <param name="modelId">The model used when <see cref="ChatOptions.ModelId"/> does not name another.</param>
    /// <param name="http">The plugin's shared connection pool; when <see langword="null"/> the client owns one.</param>
    /// <param name="time">The clock (for <c>Retry-After</c> dates).</param>
    public OpenAIChatClient(OpenAIEndpoint endpoint, string modelId, OpenAIHttp? http, TimeProvider time)
    {
        _endpoint = endpoint;
        _modelId = modelId;
        _ownedHttp = http is null ? new OpenAIHttp() : null;
        _http = http ?? _ownedHttp!;
        _time = time;
        _metadata = new ChatClientMetadata("openai", endpoint.BaseUrl, modelId);
    }

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<Microsoft.Extensions.AI.ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var request = ChatRequestMapper.ToMessages(messages, _endpoint.SendReasoning);
        var requestOptions = ChatRequestMapper.ToOptions(options, _endpoint.MaxTokensField);
        ClientResult<ChatCompletion> result;
        try
        {
            result = await ClientFor(options).CompleteChatAsync(request, requestOptions, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw Fail(ex, cancellationToken);
        }

        return ChatResponseMapper.ToResponse(result.Value);
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<Microsoft.Extensions.AI.ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var request = ChatRequestMapper.ToMessages(messages, _endpoint.SendReasoning);
        var requestOptions = ChatRequestMapper.ToOptions(options, _endpoint.MaxTokensField);
        var stream = ClientFor(options).CompleteChatStreamingAsync(request, requestOptions, cancellationToken);
        var calls = new ToolCallAccumulator();
        string? responseId = null;
        string? modelId = null;
        DateTimeOffset? createdAt = null;
        Microsoft.Extensions.AI.ChatFinishReason? finishReason = null;
        ChatTokenUsage? usage = null;

        var enumerator = stream.GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                StreamingChatCompletionUpdate update;
                try
                {
                    if (!await enumerator.MoveNextAsync().ConfigureAwait(false))
                    {
                        break;
                    }

                    update = enumerator.Current;
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    throw Fail(ex, cancellationToken);
                }

                if (ExtraFields.StreamError(update) is { } error)
                {
                    throw OpenAIErrors.FromStreamError(error, _endpoint);
                }

                responseId ??= update.CompletionId is { Length: > 0 } id ? id : null;
                modelId ??= update.Model is { Length: > 0 } model ? model : null;
                createdAt ??= update.CreatedAt == default ? null : update.CreatedAt;
                finishReason ??= ChatResponseMapper.FinishReason(update.FinishReason);
                usage = update.Usage ?? usage;
                foreach (var toolCall in update.ToolCallUpdates)
                {
                    calls.Add(toolCall);
                }

                if (Contents(update) is { Count: > 0 } contents)
                {
                    yield return new ChatResponseUpdate(ChatRole.Assistant, contents)
                    {
                        ResponseId = responseId,
                        MessageId = responseId,
                        ModelId = modelId,
                        CreatedAt = createdAt,
                        RawRepresentation = update,
                    };
                }
            }
        }
        finally
        {
            await enumerator.DisposeAsync().ConfigureAwait(false);
        }

        var final = new List<AIContent>(calls.Build(responseId));
        if (ChatResponseMapper.Usage(usage) is { } details)
        {
            final.Add(new UsageContent(details));
        }

        yield return new ChatResponseUpdate(ChatRole.Assistant, final)
        {
            ResponseId = responseId,
            MessageId = responseId,
            ModelId = modelId ?? options?.ModelId ?? _modelId,
            CreatedAt = createdAt,
            FinishReason = finishReason ?? (calls.HasCalls ? Microsoft.Extensions.AI.ChatFinishReason.ToolCalls : null),
        };
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(ChatClientMetadata) ? _metadata
            : serviceType == typeof(IChatWarmUp) ? (_endpoint.WarmUp ? new EndpointWarmUp(() => ClientFor(null).Pipeline, _endpoint.BaseUrl) : null)
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    public void Dispose() => _ownedHttp?.Dispose();

    private static List<AIContent>? Contents(StreamingChatCompletionUpdate update)
    {
        List<AIContent>? contents = null;
        if (ExtraFields.Reasoning(update) is { } reasoning)
        {
            (contents ??= []).Add(new TextReasoningContent(reasoning));
        }

        foreach (var part in update.ContentUpdate)
        {
            if (part.Kind == ChatMessageContentPartKind.Text && part.Text is { Length: > 0 } text)
            {
                (contents ??= []).Add(new TextContent(text));
            }
        }

        if (update.RefusalUpdate is { Length: > 0 } refusal)
        {
            (contents ??= []).Add(new TextContent(refusal));
        }

        return contents;
    }

    private ChatClient ClientFor(ChatOptions? options) =>
        _clients.GetOrAdd(options?.ModelId is { Length: > 0 } model ? model : _modelId, static (model, self) => OpenAIConnection.CreateChatClient(self._endpoint, model, self._http), this);

    /// <summary>The caller's cancellation stays a cancellation (whatever the SDK threw); anything else is classified.</summary>
    private Exception Fail(Exception error, CancellationToken cancellationToken) =>
        cancellationToken.IsCancellationRequested
            ? new OperationCanceledException("the model request was cancelled", error, cancellationToken)
            : OpenAIErrors.Map(error, _endpoint, _time);
}
