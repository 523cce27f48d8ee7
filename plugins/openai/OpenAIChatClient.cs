using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using AgentHost.Sdk.Providers;
using Microsoft.Extensions.AI;
using OpenAI.Chat;

namespace AgentHost.Plugins.OpenAI;

/// <summary>
/// An <see cref="IChatClient"/> for OpenAI and every endpoint that speaks the Chat Completions wire format. The mapping
/// to and from the OpenAI SDK is Microsoft.Extensions.AI.OpenAI's adapter (<c>ChatClient.AsIChatClient()</c>); this
/// class adds what compatible endpoints need on top: <c>reasoning_content</c> both ways, DeepSeek's cache counter,
/// <c>max_tokens</c>, extra top-level fields, in-band stream errors, refusals as text, and failures as
/// <see cref="AgentHost.Sdk.Providers.ProviderException"/> (the caller's cancellation as <see cref="OperationCanceledException"/>).
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
    private readonly OpenAIParameterSupport _parameters;
    private readonly ConcurrentDictionary<string, (ChatClient Sdk, IChatClient Adapter)> _clients = new(StringComparer.Ordinal);

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
        _parameters = new OpenAIParameterSupport(endpoint, modelId, responses: false);
    }

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<Microsoft.Extensions.AI.ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ChatResponse response;
        try
        {
            response = await ClientFor(options).Adapter.GetResponseAsync(ChatRequestMapper.ToMessages(messages, _endpoint.SendReasoning), ChatRequestMapper.ToOptions(_parameters.Strip(options), _endpoint.MaxTokensField, _endpoint.PromptCacheKey), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw Fail(ex, cancellationToken);
        }

        return ChatResponseMapper.Complete(response);
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<Microsoft.Extensions.AI.ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var stream = ClientFor(options).Adapter.GetStreamingResponseAsync(
            ChatRequestMapper.ToMessages(messages, _endpoint.SendReasoning), ChatRequestMapper.ToOptions(_parameters.Strip(options), _endpoint.MaxTokensField, _endpoint.PromptCacheKey), cancellationToken);
        var calls = new ToolCallAccumulator();
        var callsDelivered = false;
        var enumerator = stream.GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                ChatResponseUpdate update;
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

                if (update.RawRepresentation is StreamingChatCompletionUpdate raw && ExtraFields.StreamError(raw) is { } error)
                {
                    throw OpenAIErrors.FromStreamError(error, _endpoint);
                }

                if (update.RawRepresentation is StreamingChatCompletionUpdate chunk)
                {
                    foreach (var toolCall in chunk.ToolCallUpdates)
                    {
                        calls.Add(toolCall);
                    }
                }
                else if (calls.HasCalls && !callsDelivered)
                {
                    callsDelivered = true;

                    // The adapter's assembled calls key on the delta's index alone; ours also split on a new id (some
                    // servers number every call 0) and keep a call whose name never came (the host reports it). The
                    // adapter sends them in one update of its own after the last chunk.
                    update.Contents = [.. update.Contents.Where(c => c is not FunctionCallContent), .. calls.Build(update.ResponseId)];
                    update.FinishReason ??= Microsoft.Extensions.AI.ChatFinishReason.ToolCalls;
                }

                ChatResponseMapper.Complete(update);
                if (update.Contents.Count > 0 || update.FinishReason is not null)
                {
                    yield return update;
                }
            }
        }
        finally
        {
            await enumerator.DisposeAsync().ConfigureAwait(false);
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(ChatClientMetadata) ? _metadata
            : serviceType == typeof(IModelParameterSupport) ? _parameters
            : serviceType == typeof(IChatWarmUp) ? (_endpoint.WarmUp ? new EndpointWarmUp(() => ClientFor(null).Sdk.Pipeline, _endpoint.BaseUrl) : null)
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    public void Dispose() => _ownedHttp?.Dispose();

    private (ChatClient Sdk, IChatClient Adapter) ClientFor(ChatOptions? options) =>
        _clients.GetOrAdd(options?.ModelId is { Length: > 0 } model ? model : _modelId, static (model, self) =>
        {
            var sdk = OpenAIConnection.CreateChatClient(self._endpoint, model, self._http);
            return (sdk, sdk.AsIChatClient());
        }, this);

    /// <summary>The caller's cancellation stays a cancellation (whatever the SDK threw); anything else is classified.</summary>
    private Exception Fail(Exception error, CancellationToken cancellationToken) =>
        cancellationToken.IsCancellationRequested
            ? new OperationCanceledException("the model request was cancelled", error, cancellationToken)
            : OpenAIErrors.Map(error, _endpoint, _time);
}
