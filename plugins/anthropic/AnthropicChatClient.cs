using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using AgentHost.Sdk.Providers;
using Anthropic;
using Anthropic.Models.Messages;
using Microsoft.Extensions.AI;

namespace AgentHost.Plugins.Anthropic;

/// <summary>
/// The host's Anthropic <see cref="IChatClient"/>: the SDK's own client (<c>AsIChatClient</c>) plus prompt-cache
/// breakpoints, the configured default reasoning, and the host's error contract — every failure is a classified
/// <see cref="ProviderException"/>, and a stream that ends before <c>message_stop</c> is a transport failure rather
/// than a silently short answer.
/// </summary>
/// <remarks>Thread-safe. Disposing it disposes the SDK client and its HTTP connections.</remarks>
internal sealed class AnthropicChatClient : DelegatingChatClient
{
    private readonly IAnthropicClient _sdk;
    private readonly AnthropicSettings _settings;
    private readonly HttpClient _http;
    private readonly AnthropicParameterSupport _parameters;

    /// <param name="sdk">The SDK client (owned: disposed with this client).</param>
    /// <param name="settings">The provider's settings.</param>
    /// <param name="http">The HTTP client under <paramref name="sdk"/>, for the warm-up's request.</param>
    public AnthropicChatClient(IAnthropicClient sdk, AnthropicSettings settings, HttpClient http)
        : base(sdk.AsIChatClient(settings.ModelId, settings.MaxTokens, settings.ThinkingMode))
    {
        _sdk = sdk;
        _settings = settings;
        _http = http;
        _parameters = new AnthropicParameterSupport(settings);
    }

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var (prepared, preparedOptions) = Prepare(messages, options);
        try
        {
            return await base.GetResponseAsync(prepared, preparedOptions, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (AnthropicErrors.Translate(_settings, ex, cancellationToken) is { } error)
        {
            throw error;
        }
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var (prepared, preparedOptions) = Prepare(messages, options);
        var stream = base.GetStreamingResponseAsync(prepared, preparedOptions, cancellationToken).GetAsyncEnumerator(cancellationToken);
        await using var _ = stream.ConfigureAwait(false);
        var stopped = false;
        while (true)
        {
            ChatResponseUpdate update;
            try
            {
                if (!await stream.MoveNextAsync().ConfigureAwait(false))
                {
                    break;
                }

                update = stream.Current;
            }
            catch (Exception ex) when (AnthropicErrors.Translate(_settings, ex, cancellationToken) is { } error)
            {
                throw error;
            }

            stopped |= update.RawRepresentation is RawMessageStreamEvent { Value: RawMessageStopEvent };
            yield return update;
        }

        if (!stopped)
        {
            cancellationToken.ThrowIfCancellationRequested();
            throw new ProviderException(ProviderErrorKind.Transport, "the response stream ended before message_stop (the connection was cut)")
            {
                Provider = _settings.ProviderName,
            };
        }
    }

    public override object? GetService(System.Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? base.GetService(serviceType, serviceKey)
            : serviceType == typeof(ChatClientMetadata) ? new ChatClientMetadata(ProviderSystem(_settings.Cloud.Platform), new Uri(_settings.BaseUrl), _settings.ModelId)
            : serviceType == typeof(IModelParameterSupport) ? _parameters
            : serviceType == typeof(IChatWarmUp) ? (_settings.WarmUp ? new EndpointWarmUp(_http, new Uri(_settings.BaseUrl)) : null)
            : base.GetService(serviceType, serviceKey);
    }

    /// <summary>
    /// <c>temperature</c> and <c>top_p</c> as request fields: the SDK's <see cref="MessageCreateParams"/> has no property
    /// for them (nor does its chat client read them), so they go in the raw body the chat client starts from, with the
    /// model and <c>max_tokens</c> it would have chosen (it reads them from that body).
    /// </summary>
    private ChatOptions SamplingFields(ChatOptions options)
    {
        if (options.Temperature is null && options.TopP is null)
        {
            return options;
        }

        var body = new Dictionary<string, JsonElement>(StringComparer.Ordinal)
        {
            ["messages"] = Parse("[]"),
            ["model"] = Parse("\"" + JsonEncodedText.Encode(options.ModelId is { Length: > 0 } model ? model : _settings.ModelId) + "\""),
            ["max_tokens"] = Parse((options.MaxOutputTokens ?? _settings.MaxTokens).ToString(CultureInfo.InvariantCulture)),
        };
        if (options.Temperature is { } temperature)
        {
            body["temperature"] = Number(temperature);
        }

        if (options.TopP is { } topP)
        {
            body["top_p"] = Number(topP);
        }

        var result = options.Clone();
        var caller = options.RawRepresentationFactory;
        result.RawRepresentationFactory = client => caller?.Invoke(client) ?? MessageCreateParams.FromRawUnchecked(
            new Dictionary<string, JsonElement>(), new Dictionary<string, JsonElement>(), body);
        return result;

        static JsonElement Number(float value) => Parse(((double)(decimal)value).ToString("R", CultureInfo.InvariantCulture));

        static JsonElement Parse(string json)
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.Clone();
        }
    }

    /// <summary>The provider's name as OpenTelemetry's <c>gen_ai.system</c> spells it.</summary>
    private static string ProviderSystem(CloudPlatform platform) => platform switch
    {
        CloudPlatform.Bedrock => "aws.bedrock",
        CloudPlatform.Vertex => "gcp.vertex_ai",
        _ => "anthropic",
    };

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _sdk.Dispose();
        }

        base.Dispose(disposing);
    }

    private (IEnumerable<ChatMessage> Messages, ChatOptions? Options) Prepare(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        // What the Messages API cannot take is left out (the host told the user, IModelParameterSupport).
        options = options is null ? null : SamplingFields(IgnoredModelParameter.Remove(options, _parameters.FindIgnored(options)));
        if (_settings.ReasoningEffort is { } effort && options?.Reasoning is null)
        {
            options = options?.Clone() ?? new ChatOptions();
            options.Reasoning = new ReasoningOptions { Effort = effort };
        }

        return _settings.PromptCaching ? PromptCache.Mark(messages, options) : (messages, options);
    }
}
