using System.ClientModel;
using System.Runtime.CompilerServices;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Providers;
using Microsoft.Extensions.AI;
using OpenAI.Responses;

namespace AgentHost.Plugins.OpenAI;

/// <summary>
/// An <see cref="IChatClient"/> over the OpenAI SDK's Responses API client (<c>POST {base_url}/responses</c>), stateless:
/// <c>store</c> is off and the whole history goes with each request, reasoning items included (with their
/// <c>encrypted_content</c>), so a reasoning model keeps its reasoning across a tool loop. Failures surface as
/// <see cref="AgentHost.Sdk.Providers.ProviderException"/>; the caller's cancellation as <see cref="OperationCanceledException"/>.
/// </summary>
/// <remarks>Thread-safe: requests may run concurrently.</remarks>
internal sealed class ResponsesChatClient : IChatClient
{
    private readonly OpenAIEndpoint _endpoint;
    private readonly string _modelId;
    private readonly ModelDescriptor? _model;
    private readonly OpenAIHttp? _ownedHttp;
    private readonly TimeProvider _time;
    private readonly ResponsesClient _client;
    private readonly ChatClientMetadata _metadata;
    private readonly OpenAIParameterSupport _parameters;

    /// <summary>Creates a client.</summary>
    /// <param name="endpoint">The endpoint.</param>
    /// <param name="modelId">The model used when <see cref="ChatOptions.ModelId"/> does not name another.</param>
    /// <param name="model">What the host knows about the model (its reasoning flag), when anything.</param>
    /// <param name="http">The plugin's shared connection pool; when <see langword="null"/> the client owns one.</param>
    /// <param name="time">The clock (for <c>Retry-After</c> dates).</param>
    public ResponsesChatClient(OpenAIEndpoint endpoint, string modelId, ModelDescriptor? model, OpenAIHttp? http, TimeProvider time)
    {
        _endpoint = endpoint;
        _modelId = modelId;
        _model = model;
        _ownedHttp = http is null ? new OpenAIHttp() : null;
        _time = time;
        _client = OpenAIConnection.CreateResponsesClient(endpoint, http ?? _ownedHttp!);
        _metadata = new ChatClientMetadata("openai", endpoint.BaseUrl, modelId);
        _parameters = new OpenAIParameterSupport(endpoint, modelId, responses: true);
    }

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var request = Request(messages, options);
        ClientResult<ResponseResult> result;
        try
        {
            result = await _client.CreateResponseAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException canceled || canceled.CancellationToken != cancellationToken)
        {
            throw Fail(ex, cancellationToken);
        }

        var reader = new ResponsesStream(_endpoint);
        var response = result.Value;
        var contents = reader.ReadWhole(response);
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, contents) { MessageId = reader.ResponseId, CreatedAt = reader.CreatedAt })
        {
            ResponseId = reader.ResponseId,
            ModelId = reader.ModelId ?? request.Model,
            CreatedAt = reader.CreatedAt,
            FinishReason = reader.FinishReason,
            Usage = reader.Usage,
            RawRepresentation = response,
        };
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var request = Request(messages, options);
        request.StreamingEnabled = true;
        var reader = new ResponsesStream(_endpoint);
        AsyncStreamingResult<StreamingResponseUpdate> stream;
        try
        {
            stream = await _client.CreateResponseStreamingAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException canceled || canceled.CancellationToken != cancellationToken)
        {
            throw Fail(ex, cancellationToken);
        }

        var enumerator = ((IAsyncEnumerable<StreamingResponseUpdate>)stream).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                List<AIContent>? contents;
                StreamingResponseUpdate update;
                try
                {
                    if (!await enumerator.MoveNextAsync().ConfigureAwait(false))
                    {
                        break;
                    }

                    update = enumerator.Current;
                    contents = reader.Read(update);
                }
                catch (Exception ex) when (ex is not OperationCanceledException canceled || canceled.CancellationToken != cancellationToken)
                {
                    throw Fail(ex, cancellationToken);
                }

                if (contents is { Count: > 0 })
                {
                    yield return new ChatResponseUpdate(ChatRole.Assistant, contents)
                    {
                        ResponseId = reader.ResponseId,
                        MessageId = reader.ResponseId,
                        ModelId = reader.ModelId,
                        CreatedAt = reader.CreatedAt,
                        RawRepresentation = update,
                    };
                }
            }
        }
        finally
        {
            await enumerator.DisposeAsync().ConfigureAwait(false);
            await stream.DisposeAsync().ConfigureAwait(false);
        }

        if (!reader.Finished)
        {
            throw OpenAIErrors.Truncated(_endpoint);
        }

        yield return new ChatResponseUpdate(ChatRole.Assistant, reader.Usage is { } usage ? [new UsageContent(usage)] : [])
        {
            ResponseId = reader.ResponseId,
            MessageId = reader.ResponseId,
            ModelId = reader.ModelId ?? request.Model,
            CreatedAt = reader.CreatedAt,
            FinishReason = reader.FinishReason,
        };
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(ChatClientMetadata) ? _metadata
            : serviceType == typeof(IModelParameterSupport) ? _parameters
            : serviceType == typeof(IChatWarmUp) ? (_endpoint.WarmUp ? new EndpointWarmUp(() => _client.Pipeline, _endpoint.BaseUrl) : null)
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    public void Dispose() => _ownedHttp?.Dispose();

    private CreateResponseOptions Request(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        var model = options?.ModelId is { Length: > 0 } requested ? requested : _modelId;
        var reasoning = OpenAIApiSelector.IsReasoningModel(model, model == _modelId ? _model : null);
        return ResponsesRequestMapper.ToRequest(messages, _parameters.Strip(options), model, _endpoint, reasoning);
    }

    /// <summary>The caller's cancellation stays a cancellation (whatever the SDK threw); anything else is classified.</summary>
    private Exception Fail(Exception error, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return new OperationCanceledException("the model request was cancelled", error, cancellationToken);
        }

        var mapped = OpenAIErrors.Map(error, _endpoint, _time);

        // OpenAI refuses reasoning summaries to organizations it has not verified; say which setting stops asking.
        return mapped.Kind == AgentHost.Sdk.Providers.ProviderErrorKind.BadRequest && _endpoint.ReasoningSummary is not null
            && mapped.Message.Contains("reasoning summar", StringComparison.OrdinalIgnoreCase)
            ? new AgentHost.Sdk.Providers.ProviderException(mapped.Kind, $"{mapped.Message} (set providers.{_endpoint.ProviderName}.settings.reasoning_summary: none to stop asking for them)", error)
            {
                StatusCode = mapped.StatusCode,
                Provider = mapped.Provider,
            }
            : mapped;
    }
}
