using System.Globalization;
using AgentHost.Sdk.Capabilities;

namespace AgentHost.Plugins.OpenAI;

/// <summary>
/// One configured OpenAI-compatible endpoint: where it is, how to authenticate, and the provider settings this plugin
/// reads (<c>timeout_seconds</c>, <c>organization</c>, <c>project</c>, <c>send_reasoning</c>, <c>max_tokens_field</c>,
/// <c>api</c>, <c>store</c>, <c>reasoning_summary</c>, <c>warm_up</c>, <c>prompt_cache_key</c>).
/// </summary>
internal sealed record OpenAIEndpoint
{
    /// <summary>OpenAI's own endpoint, used when no <c>base_url</c> is configured.</summary>
    public static readonly Uri DefaultBaseUrl = new("https://api.openai.com/v1");

    /// <summary>The default network time-out: long enough for a slow model's whole stream.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(10);

    /// <summary>The configured provider name, for error messages.</summary>
    public required string ProviderName { get; init; }

    /// <summary>The API base, e.g. <c>https://api.openai.com/v1</c>; requests go to <c>{BaseUrl}/chat/completions</c>.</summary>
    public required Uri BaseUrl { get; init; }

    /// <summary>The API key, or <see langword="null"/> to send no <c>Authorization</c> header (local servers). Secret.</summary>
    public string? ApiKey { get; init; }

    /// <summary>Headers added to every request.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>How long one request may wait for the network (each read, for streams).</summary>
    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    /// <summary>The <c>OpenAI-Organization</c> header, when set.</summary>
    public string? Organization { get; init; }

    /// <summary>The <c>OpenAI-Project</c> header, when set.</summary>
    public string? Project { get; init; }

    /// <summary>Whether reasoning kept in the history goes back to the endpoint as <c>reasoning_content</c>.</summary>
    public bool SendReasoning { get; init; } = true;

    /// <summary>
    /// The request field for <see cref="Microsoft.Extensions.AI.ChatOptions.MaxOutputTokens"/>: OpenAI wants
    /// <c>max_completion_tokens</c> (its reasoning models reject <c>max_tokens</c>); compatible servers know
    /// <c>max_tokens</c>. Setting <c>max_tokens_field</c> overrides the choice made from the host name.
    /// </summary>
    public string MaxTokensField { get; init; } = "max_completion_tokens";

    /// <summary>
    /// Whether each request carries the host's conversation key as <c>prompt_cache_key</c>, so OpenAI routes a
    /// session's requests to the same prompt cache (<c>prompt_cache_key</c>; default: on for OpenAI's own endpoint,
    /// off for other servers, some of which reject fields they do not know).
    /// </summary>
    public bool PromptCacheKey { get; init; }

    /// <summary>Which OpenAI API the provider speaks (<c>api</c>): Chat Completions, Responses, or chosen per model (auto).</summary>
    public OpenAIApi Api { get; init; } = OpenAIApi.Auto;

    /// <summary>Whether Responses API requests ask the server to keep the response (<c>store</c>); off: the host keeps the history.</summary>
    public bool Store { get; init; }

    /// <summary>The reasoning summary the Responses API is asked for on reasoning models (<c>reasoning_summary</c>), or <see langword="null"/> for none.</summary>
    public string? ReasoningSummary { get; init; } = "auto";

    /// <summary>Whether the client offers the host a warm-up (<see cref="EndpointWarmUp"/>): <c>warm_up</c>, default <see langword="true"/>.</summary>
    public bool WarmUp { get; init; } = true;

    /// <summary>Reads the host's provider options.</summary>
    /// <param name="options">The options.</param>
    /// <param name="environment">Reads an environment variable (for <c>OPENAI_API_KEY</c> on the default endpoint).</param>
    /// <returns>The endpoint.</returns>
    /// <exception cref="ArgumentException">A setting has a value this plugin cannot use.</exception>
    public static OpenAIEndpoint From(ChatProviderOptions options, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = options.Settings;
        var baseUrl = options.BaseUrl ?? DefaultBaseUrl;
        var apiKey = options.ApiKey is { Length: > 0 } key ? key
            : options.BaseUrl is null ? NonEmpty(environment("OPENAI_API_KEY"))
            : null;
        return new OpenAIEndpoint
        {
            ProviderName = options.Name,
            BaseUrl = baseUrl,
            ApiKey = apiKey,
            Headers = options.Headers,
            Timeout = ReadTimeout(options.Name, settings),
            Organization = NonEmpty(settings.GetValueOrDefault("organization")),
            Project = NonEmpty(settings.GetValueOrDefault("project")),
            SendReasoning = ReadBoolean(options.Name, settings, "send_reasoning", defaultValue: true),
            MaxTokensField = ReadMaxTokensField(options.Name, settings, baseUrl),
            Api = OpenAIApiSelector.Parse(options.Name, settings.GetValueOrDefault("api")),
            Store = ReadBoolean(options.Name, settings, "store", defaultValue: false),
            ReasoningSummary = ReadReasoningSummary(options.Name, settings),
            WarmUp = ReadBoolean(options.Name, settings, "warm_up", defaultValue: true),
            PromptCacheKey = ReadBoolean(options.Name, settings, "prompt_cache_key", defaultValue: IsOpenAI(baseUrl)),
        };
    }

    private static TimeSpan ReadTimeout(string provider, IReadOnlyDictionary<string, string> settings)
    {
        if (settings.GetValueOrDefault("timeout_seconds") is not { Length: > 0 } text)
        {
            return DefaultTimeout;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds)
            : throw new ArgumentException($"providers.{provider}.timeout_seconds is '{text}'; write a positive number of seconds, e.g. 600.");
    }

    private static string ReadMaxTokensField(string provider, IReadOnlyDictionary<string, string> settings, Uri baseUrl)
    {
        if (settings.GetValueOrDefault("max_tokens_field") is { Length: > 0 } text)
        {
            return text.Trim() is "max_tokens" or "max_completion_tokens"
                ? text.Trim()
                : throw new ArgumentException($"providers.{provider}.max_tokens_field is '{text}'; write max_tokens or max_completion_tokens.");
        }

        return IsOpenAI(baseUrl) ? "max_completion_tokens" : "max_tokens";
    }

    private static bool IsOpenAI(Uri baseUrl) => baseUrl.Host.Equals(DefaultBaseUrl.Host, StringComparison.OrdinalIgnoreCase);

    private static string? ReadReasoningSummary(string provider, IReadOnlyDictionary<string, string> settings)
    {
        if (settings.GetValueOrDefault("reasoning_summary") is not { Length: > 0 } text)
        {
            return "auto";
        }

        return text.Trim().ToLowerInvariant() switch
        {
            "none" or "off" => null,
            "auto" or "concise" or "detailed" => text.Trim().ToLowerInvariant(),
            _ => throw new ArgumentException($"providers.{provider}.reasoning_summary is '{text}'; write auto, concise, detailed or none."),
        };
    }

    private static bool ReadBoolean(string provider, IReadOnlyDictionary<string, string> settings, string key, bool defaultValue)
    {
        if (settings.GetValueOrDefault(key) is not { Length: > 0 } text)
        {
            return defaultValue;
        }

        return bool.TryParse(text.Trim(), out var value)
            ? value
            : throw new ArgumentException($"providers.{provider}.{key} is '{text}'; write true or false.");
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
