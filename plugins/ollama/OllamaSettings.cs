using System.Globalization;
using System.Text.Json;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Providers;

namespace AgentHost.Plugins.Ollama;

/// <summary>
/// A provider's resolved Ollama settings. Each setting is read from <c>providers.&lt;name&gt;.models.&lt;model&gt;.&lt;key&gt;</c>
/// first, then <c>providers.&lt;name&gt;.settings.&lt;key&gt;</c>, then <c>providers.&lt;name&gt;.&lt;key&gt;</c>. Invalid values
/// fail when the client is created, naming the key.
/// </summary>
internal sealed record OllamaSettings
{
    /// <summary>Ollama's default endpoint.</summary>
    public static readonly Uri DefaultBaseUrl = new("http://localhost:11434/");

    /// <summary>The default for <see cref="Timeout"/>: long enough to load a large model and read a long prompt on a CPU.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(10);

    /// <summary>The configured provider name, for messages.</summary>
    public required string ProviderName { get; init; }

    /// <summary>The endpoint root, ending with <c>/</c> (the <c>api/…</c> paths are relative to it).</summary>
    public required Uri BaseUrl { get; init; }

    /// <summary><c>num_ctx</c>: <see langword="null"/> means the model's own context length; 0 leaves it to the server.</summary>
    public int? NumCtx { get; init; }

    /// <summary><c>keep_alive</c>, when set.</summary>
    public JsonElement? KeepAlive { get; init; }

    /// <summary><c>think</c>, when set.</summary>
    public JsonElement? Think { get; init; }

    /// <summary>How long to wait for the response to start, and then for each next line of the stream.</summary>
    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    /// <summary>Reads the settings of one provider and model.</summary>
    /// <param name="options">The provider options.</param>
    /// <returns>The settings.</returns>
    /// <exception cref="ProviderException">A value is invalid (kind <see cref="ProviderErrorKind.BadRequest"/>).</exception>
    public static OllamaSettings From(ChatProviderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var reader = new Reader(options);
        return new OllamaSettings
        {
            ProviderName = options.Name,
            BaseUrl = NormalizeBaseUrl(options.BaseUrl, options.Name),
            NumCtx = reader.Integer("num_ctx", minimum: 0),
            KeepAlive = reader.KeepAlive(),
            Think = reader.Think(),
            Timeout = reader.Integer("timeout_seconds", minimum: 1) is { } seconds ? TimeSpan.FromSeconds(seconds) : DefaultTimeout,
        };
    }

    /// <summary>
    /// The endpoint root: Ollama's default when absent; a trailing <c>/</c> optional; a trailing <c>/api</c> dropped.
    /// A <c>/v1</c> endpoint is Ollama's OpenAI-compatible API, which this provider does not speak: refused with a pointer.
    /// </summary>
    /// <param name="configured">The configured URL.</param>
    /// <param name="providerName">The provider name, for the message.</param>
    /// <returns>The root URL, ending with <c>/</c>.</returns>
    public static Uri NormalizeBaseUrl(Uri? configured, string providerName)
    {
        if (configured is null)
        {
            return DefaultBaseUrl;
        }

        if (!configured.IsAbsoluteUri || (configured.Scheme != Uri.UriSchemeHttp && configured.Scheme != Uri.UriSchemeHttps))
        {
            throw Invalid($"providers.{providerName}.base_url '{configured}' is not an http(s) URL. Use Ollama's address, e.g. http://localhost:11434");
        }

        var path = configured.AbsolutePath.TrimEnd('/');
        var root = new UriBuilder(configured) { Query = string.Empty, Fragment = string.Empty };
        if (path.EndsWith("/v1", StringComparison.OrdinalIgnoreCase))
        {
            root.Path = path[..^3] + "/";
            throw Invalid(
                $"providers.{providerName}.base_url '{configured}' is Ollama's OpenAI-compatible endpoint (/v1), but type 'ollama' speaks Ollama's native API. " +
                $"Write base_url: {root.Uri.ToString().TrimEnd('/')} — or keep the /v1 URL and set type: openai.");
        }

        if (path.EndsWith("/api", StringComparison.OrdinalIgnoreCase))
        {
            path = path[..^4];
        }

        root.Path = path + "/";
        return root.Uri;
    }

    private static ProviderException Invalid(string message) => new(ProviderErrorKind.BadRequest, message);

    private sealed class Reader(ChatProviderOptions options)
    {
        public int? Integer(string key, int minimum)
        {
            if (Find(key) is not { } found)
            {
                return null;
            }

            return int.TryParse(found.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= minimum
                ? value
                : throw Invalid($"providers.{options.Name}.{found.Key} is '{found.Value}'; expected a whole number ≥ {minimum}");
        }

        public JsonElement? KeepAlive()
        {
            if (Find("keep_alive") is not { } found)
            {
                return null;
            }

            // Seconds as a number (-1: keep loaded, 0: unload now), anything else as a Go duration ("10m", "1h").
            return long.TryParse(found.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds)
                ? JsonSerializer.SerializeToElement(seconds, OllamaJsonContext.Default.Int64)
                : JsonSerializer.SerializeToElement(found.Value, OllamaJsonContext.Default.String);
        }

        public JsonElement? Think()
        {
            if (Find("think") is not { } found)
            {
                return null;
            }

            var value = found.Value.ToLowerInvariant();
            return value switch
            {
                "true" or "false" => JsonSerializer.SerializeToElement(value == "true", OllamaJsonContext.Default.Boolean),
                "low" or "medium" or "high" => JsonSerializer.SerializeToElement(value, OllamaJsonContext.Default.String),
                _ => throw Invalid($"providers.{options.Name}.{found.Key} is '{found.Value}'; expected true, false, low, medium or high"),
            };
        }

        private (string Key, string Value)? Find(string key)
        {
            foreach (var candidate in (string[])[$"models.{options.ModelId}.{key}", $"settings.{key}", key])
            {
                if (options.Settings.TryGetValue(candidate, out var value) && !string.IsNullOrWhiteSpace(value))
                {
                    return (candidate, value.Trim());
                }
            }

            return null;
        }
    }
}
