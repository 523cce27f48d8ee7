using System.Globalization;
using AgentHost.Sdk.Capabilities;
using Microsoft.Extensions.AI;

namespace AgentHost.Plugins.Anthropic;

/// <summary>One configured Anthropic provider, read from <see cref="ChatProviderOptions"/> and checked.</summary>
/// <remarks>Immutable. Invalid settings throw <see cref="ArgumentException"/> naming the key and how to fix it.</remarks>
internal sealed record AnthropicSettings
{
    /// <summary>The Anthropic API endpoint used when <c>base_url</c> is not configured.</summary>
    public const string DefaultBaseUrl = "https://api.anthropic.com";

    /// <summary>The <c>max_tokens</c> sent when neither the request, the settings nor the model descriptor give one.</summary>
    public const int FallbackMaxTokens = 8_192;

    public required string ProviderName { get; init; }

    public required string ModelId { get; init; }

    /// <summary>The endpoint without a trailing slash (the SDK appends <c>/v1/...</c>).</summary>
    public required string BaseUrl { get; init; }

    public string? ApiKey { get; init; }

    /// <summary>Whether <see cref="BaseUrl"/> is Anthropic's own API, the only endpoint the SDK's environment key may go to.</summary>
    public bool IsDefaultEndpoint => Cloud.Platform == CloudPlatform.Anthropic && string.Equals(BaseUrl, DefaultBaseUrl, StringComparison.OrdinalIgnoreCase);

    /// <summary>The cloud platform (<c>platform</c>: Amazon Bedrock, Vertex AI), or <see cref="PlatformSettings.None"/> for Anthropic's API.</summary>
    /// <remarks>On a platform, <see cref="ApiKey"/> is the platform's token (a Bedrock API key, a Google access token), when one is configured.</remarks>
    public PlatformSettings Cloud { get; init; } = PlatformSettings.None;

    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>The default <c>max_tokens</c>; <see cref="ChatOptions.MaxOutputTokens"/> overrides it per request.</summary>
    public int MaxTokens { get; init; } = FallbackMaxTokens;

    public TimeSpan? Timeout { get; init; }

    /// <summary>The <c>anthropic-version</c> header, when it overrides the SDK's.</summary>
    public string? ApiVersion { get; init; }

    public bool PromptCaching { get; init; } = true;

    /// <summary>Whether the client offers the host a warm-up (a <c>HEAD</c> to the base URL): <c>warm_up</c>, default on.</summary>
    public bool WarmUp { get; init; } = true;

    /// <summary>Whether <see cref="ChatOptions.Reasoning"/> is sent as adaptive thinking (current models) or a budget (older ones).</summary>
    public AnthropicThinkingMode ThinkingMode { get; init; } = AnthropicThinkingMode.Adaptive;

    /// <summary>Reasoning applied when the request sets none.</summary>
    public ReasoningEffort? ReasoningEffort { get; init; }

    /// <param name="options">The provider's options.</param>
    /// <param name="environment">Reads an environment variable (the process's by default): the platforms' region and project variables.</param>
    public static AnthropicSettings From(ChatProviderOptions options, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = options.Settings;
        var name = options.Name;
        var cloud = PlatformSettings.From(name, settings, options.BaseUrl, environment ?? Environment.GetEnvironmentVariable);
        var baseUrl = cloud.Platform == CloudPlatform.Anthropic ? options.BaseUrl?.ToString() ?? DefaultBaseUrl : cloud.Endpoint?.ToString() ?? cloud.DefaultBaseUrl;
        return new AnthropicSettings
        {
            ProviderName = name,
            Cloud = cloud,
            ModelId = options.ModelId,
            BaseUrl = baseUrl.TrimEnd('/'),
            ApiKey = string.IsNullOrEmpty(options.ApiKey) ? null : options.ApiKey,
            Headers = options.Headers,
            MaxTokens = PositiveInt(settings, name, "max_tokens")
                ?? (options.Model is { MaxOutputTokens: > 0 } model ? model.MaxOutputTokens : FallbackMaxTokens),
            Timeout = PositiveInt(settings, name, "timeout_seconds") is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
            ApiVersion = settings.TryGetValue("anthropic_version", out var version) && version.Trim().Length > 0 ? version.Trim() : null,
            PromptCaching = Bool(settings, name, "prompt_caching") ?? true,
            WarmUp = Bool(settings, name, "warm_up") ?? true,
            ThinkingMode = Choice(settings, name, "thinking_mode", ThinkingModes) ?? AnthropicThinkingMode.Adaptive,
            ReasoningEffort = Choice(settings, name, "reasoning_effort", Efforts),
        };
    }

    private static readonly Dictionary<string, AnthropicThinkingMode> ThinkingModes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["adaptive"] = AnthropicThinkingMode.Adaptive,
        ["extended"] = AnthropicThinkingMode.Extended,
    };

    private static readonly Dictionary<string, ReasoningEffort> Efforts = new(StringComparer.OrdinalIgnoreCase)
    {
        ["none"] = Microsoft.Extensions.AI.ReasoningEffort.None,
        ["low"] = Microsoft.Extensions.AI.ReasoningEffort.Low,
        ["medium"] = Microsoft.Extensions.AI.ReasoningEffort.Medium,
        ["high"] = Microsoft.Extensions.AI.ReasoningEffort.High,
        ["xhigh"] = Microsoft.Extensions.AI.ReasoningEffort.ExtraHigh,
    };

    private static int? PositiveInt(IReadOnlyDictionary<string, string> settings, string provider, string key)
    {
        if (!settings.TryGetValue(key, out var text) || text.Trim().Length == 0)
        {
            return null;
        }

        return int.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new ArgumentException($"providers.{provider}.settings.{key}: '{text}' is not a positive whole number. Write digits only, e.g. {(key == "max_tokens" ? "8192" : "120")}.");
    }

    private static bool? Bool(IReadOnlyDictionary<string, string> settings, string provider, string key)
    {
        if (!settings.TryGetValue(key, out var text) || text.Trim().Length == 0)
        {
            return null;
        }

        return bool.TryParse(text.Trim(), out var value)
            ? value
            : throw new ArgumentException($"providers.{provider}.settings.{key}: '{text}' is not a boolean. Use true or false.");
    }

    private static T? Choice<T>(IReadOnlyDictionary<string, string> settings, string provider, string key, Dictionary<string, T> choices)
        where T : struct
    {
        if (!settings.TryGetValue(key, out var text) || text.Trim().Length == 0)
        {
            return null;
        }

        return choices.TryGetValue(text.Trim(), out var value)
            ? value
            : throw new ArgumentException($"providers.{provider}.settings.{key}: '{text}' is not allowed. Use one of: {string.Join(", ", choices.Keys)}.");
    }
}
