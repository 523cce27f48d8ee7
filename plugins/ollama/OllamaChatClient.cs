using System.Runtime.CompilerServices;
using System.Text.Json;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Providers;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace AgentHost.Plugins.Ollama;

/// <summary>
/// An <see cref="IChatClient"/> over Ollama's native <c>POST /api/chat</c>: streamed NDJSON or one JSON body, text,
/// thinking, whole tool calls (ids generated, since Ollama has none), usage and finish reasons. Every failure is a
/// <see cref="ProviderException"/>; the caller's cancellation aborts the HTTP stream.
/// </summary>
/// <remarks>Thread-safe: concurrent requests share nothing but the HTTP connection pool.</remarks>
internal sealed partial class OllamaChatClient : IChatClient
{
    private readonly OllamaApi _api;
    private readonly string _model;
    private readonly ModelDescriptor? _descriptor;
    private readonly ILogger _logger;
    private readonly ChatClientMetadata _metadata;
    private readonly OllamaParameterSupport _parameters;
    private volatile ContextLengthLookup? _contextLength;

    public OllamaChatClient(OllamaApi api, string model, ModelDescriptor? descriptor, ILogger logger)
    {
        _api = api;
        _model = model;
        _descriptor = descriptor;
        _logger = logger;
        _metadata = new ChatClientMetadata("ollama", api.Settings.BaseUrl, model);
        _parameters = new OllamaParameterSupport(api.Settings, model, descriptor);
    }

    private OllamaSettings Settings => _api.Settings;

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var (model, request) = await BuildAsync(messages, options, stream: false, cancellationToken).ConfigureAwait(false);
        var chunk = await _api.GetJsonAsync(HttpMethod.Post, "api/chat", OllamaApi.Json(request, OllamaJsonContext.Default.OllamaChatRequest), model, OllamaJsonContext.Default.OllamaChatChunk, cancellationToken)
            .ConfigureAwait(false);
        if (chunk.Error is { } error)
        {
            throw OllamaErrors.StreamError(Settings, error);
        }

        var responseId = NewId("resp");
        var contents = Contents(chunk, out var sawToolCalls);
        if (chunk.Done && Usage(chunk) is { } usage)
        {
            contents.Add(usage);
        }

        LogDone(_logger, model, chunk.DoneReason, chunk.PromptEvalCount, chunk.EvalCount);
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, contents) { MessageId = responseId, CreatedAt = chunk.CreatedAt })
        {
            ResponseId = responseId,
            ModelId = chunk.Model ?? model,
            CreatedAt = chunk.CreatedAt,
            FinishReason = Finish(chunk.DoneReason, sawToolCalls),
            Usage = Usage(chunk)?.Details,
            RawRepresentation = chunk,
        };
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var (model, request) = await BuildAsync(messages, options, stream: true, cancellationToken).ConfigureAwait(false);
        using var deadline = _api.StartDeadline(cancellationToken);
        using var response = await _api.SendAsync(HttpMethod.Post, "api/chat", OllamaApi.Json(request, OllamaJsonContext.Default.OllamaChatRequest), model, deadline)
            .ConfigureAwait(false);
        using var reader = await OpenAsync(response, deadline).ConfigureAwait(false);
        var responseId = NewId("resp");
        var sawToolCalls = false;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var line = await ReadLineAsync(reader, deadline).ConfigureAwait(false) ?? throw OllamaErrors.Truncated(Settings);
            deadline.Extend();
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var chunk = Parse(line);
            if (chunk.Error is { } error)
            {
                throw OllamaErrors.StreamError(Settings, error);
            }

            var contents = Contents(chunk, out var toolCalls);
            sawToolCalls |= toolCalls;
            if (contents.Count > 0)
            {
                yield return Update(responseId, model, chunk, contents);
            }

            if (chunk.Done)
            {
                LogDone(_logger, model, chunk.DoneReason, chunk.PromptEvalCount, chunk.EvalCount);
                var final = Update(responseId, model, chunk, Usage(chunk) is { } usage ? [usage] : []);
                final.FinishReason = Finish(chunk.DoneReason, sawToolCalls);
                yield return final;
                yield break;
            }
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(ChatClientMetadata) ? _metadata
            : serviceType == typeof(IModelParameterSupport) ? _parameters
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    public void Dispose() => _api.Dispose();

    private async Task<(string Model, OllamaChatRequest Request)> BuildAsync(IEnumerable<ChatMessage> messages, ChatOptions? options, bool stream, CancellationToken cancellationToken)
    {
        var model = string.IsNullOrWhiteSpace(options?.ModelId) ? _model : options.ModelId;
        var numCtx = await NumCtxAsync(model, cancellationToken).ConfigureAwait(false);
        var request = OllamaRequestBuilder.Build(model, messages, options, Settings, numCtx, stream, _parameters.Think(options));
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            LogRequest(_logger, Settings.BaseUrl, model, request.Messages.Count, request.Tools?.Count ?? 0, stream, numCtx);
        }

        LogPayload(_logger, new Payload(request));

        return (model, request);
    }

    /// <summary>
    /// The <c>num_ctx</c> to send: the setting (0: none); else the model's context length, from the host's descriptor
    /// or asked once from <c>/api/show</c>. A failed lookup sends none and is tried again on the next request.
    /// </summary>
    private async Task<int?> NumCtxAsync(string model, CancellationToken cancellationToken)
    {
        if (Settings.NumCtx is { } configured)
        {
            return configured > 0 ? configured : null;
        }

        if (model == _model && _descriptor is { ContextWindow: > 0 } descriptor)
        {
            return descriptor.ContextWindow;
        }

        if (_contextLength is { } known && known.Model == model)
        {
            return known.Value;
        }

        try
        {
            var show = await _api.GetJsonAsync(
                HttpMethod.Post, "api/show", OllamaApi.Json(new OllamaShowRequest { Model = model }, OllamaJsonContext.Default.OllamaShowRequest), model,
                OllamaJsonContext.Default.OllamaShowResponse, cancellationToken).ConfigureAwait(false);
            var length = OllamaModelInfo.ContextLength(show);
            _contextLength = new ContextLengthLookup(model, length);
            return length;
        }
        catch (ProviderException ex)
        {
            LogShowFailed(_logger, model, ex.Message);
            return null;
        }
    }

    private static async Task<StreamReader> OpenAsync(HttpResponseMessage response, OllamaApi.Deadline deadline)
    {
        var stream = await response.Content.ReadAsStreamAsync(deadline.Token).ConfigureAwait(false);
        return new StreamReader(stream, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: false, bufferSize: 4096, leaveOpen: false);
    }

    private async Task<string?> ReadLineAsync(StreamReader reader, OllamaApi.Deadline deadline)
    {
        try
        {
            return await reader.ReadLineAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (deadline.TimedOut)
        {
            throw OllamaErrors.TimedOut(Settings, ex);
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            throw OllamaErrors.Broken(Settings, ex);
        }
    }

    private OllamaChatChunk Parse(string line)
    {
        try
        {
            return JsonSerializer.Deserialize(line, OllamaJsonContext.Default.OllamaChatChunk) ?? throw OllamaErrors.Malformed(Settings, line, null);
        }
        catch (JsonException ex)
        {
            throw OllamaErrors.Malformed(Settings, line, ex);
        }
    }

    private static List<AIContent> Contents(OllamaChatChunk chunk, out bool sawToolCalls)
    {
        var contents = new List<AIContent>();
        sawToolCalls = false;
        if (chunk.Message is not { } message)
        {
            return contents;
        }

        if (!string.IsNullOrEmpty(message.Thinking))
        {
            contents.Add(new TextReasoningContent(message.Thinking));
        }

        if (!string.IsNullOrEmpty(message.Content))
        {
            contents.Add(new TextContent(message.Content));
        }

        foreach (var call in message.ToolCalls ?? [])
        {
            contents.Add(OllamaToolCalls.ToContent(call));
            sawToolCalls = true;
        }

        return contents;
    }

    private static ChatResponseUpdate Update(string responseId, string model, OllamaChatChunk chunk, List<AIContent> contents) =>
        new(ChatRole.Assistant, contents)
        {
            ResponseId = responseId,
            MessageId = responseId,
            ModelId = chunk.Model ?? model,
            CreatedAt = chunk.CreatedAt,
            RawRepresentation = chunk,
        };

    private static UsageContent? Usage(OllamaChatChunk chunk) =>
        chunk.PromptEvalCount is null && chunk.EvalCount is null ? null
        : new UsageContent(new UsageDetails
        {
            InputTokenCount = chunk.PromptEvalCount,
            OutputTokenCount = chunk.EvalCount,
            TotalTokenCount = (chunk.PromptEvalCount ?? 0) + (chunk.EvalCount ?? 0),
        });

    private static ChatFinishReason Finish(string? reason, bool sawToolCalls) =>
        sawToolCalls ? ChatFinishReason.ToolCalls
        : reason switch
        {
            null or "" or "stop" => ChatFinishReason.Stop,
            "length" => ChatFinishReason.Length,
            _ => new ChatFinishReason(reason),
        };

    private static string NewId(string prefix) => $"{prefix}_{Guid.NewGuid():N}";

    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "POST {BaseUrl}api/chat model {Model}: {Messages} messages, {Tools} tools, stream {Stream}, num_ctx {NumCtx}")]
    private static partial void LogRequest(ILogger logger, Uri baseUrl, string model, int messages, int tools, bool stream, int? numCtx);

    [LoggerMessage(EventId = 2, Level = LogLevel.Trace, Message = "request body: {Body}")]
    private static partial void LogPayload(ILogger logger, Payload body);

    [LoggerMessage(EventId = 3, Level = LogLevel.Debug, Message = "model {Model} done ({Reason}): {Input} prompt tokens, {Output} output tokens")]
    private static partial void LogDone(ILogger logger, string model, string? reason, long? input, long? output);

    [LoggerMessage(EventId = 4, Level = LogLevel.Debug, Message = "/api/show for {Model} failed, so num_ctx is left to the server: {Message}")]
    private static partial void LogShowFailed(ILogger logger, string model, string message);

    private sealed record ContextLengthLookup(string Model, int? Value);

    /// <summary>The request body, serialized only when Trace logging formats it.</summary>
    private readonly struct Payload(OllamaChatRequest request)
    {
        public override string ToString() => JsonSerializer.Serialize(request, OllamaJsonContext.Default.OllamaChatRequest);
    }
}
