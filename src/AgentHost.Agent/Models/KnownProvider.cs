using AgentHost.Hosting;
using AgentHost.Hosting.Configuration;

namespace AgentHost.Agent.Models;

/// <summary>
/// A service agent knows without configuration (the <c>providers</c> of <c>Models/catalog.json</c>): OpenAI, Anthropic,
/// Ollama and the common OpenAI-compatible services, each with its default endpoint, the variable holding its key and
/// the variable that moves its endpoint. <c>--model openrouter/…</c> needs only <c>OPENROUTER_API_KEY</c>.
/// </summary>
/// <remarks>Immutable.</remarks>
/// <param name="Name">The provider name (the <c>provider</c> of <c>provider/model</c>).</param>
/// <param name="Type">The plugin's provider type (<c>openai</c>, <c>anthropic</c>, <c>ollama</c>).</param>
/// <param name="BaseUrl">The service's endpoint.</param>
/// <param name="KeyVariable">The environment variable holding the key, or <see langword="null"/> for a local server that needs none.</param>
/// <param name="BaseUrlVariable">The environment variable that overrides <paramref name="BaseUrl"/> (e.g. <c>OPENAI_BASE_URL</c>, <c>OLLAMA_HOST</c>).</param>
/// <param name="IsLocal">Whether the server runs on the user's machine (no key; usable when it answers).</param>
public sealed record KnownProvider(string Name, string Type, Uri BaseUrl, string? KeyVariable, string? BaseUrlVariable, bool IsLocal)
{
    /// <summary>Every known provider, in catalog order.</summary>
    public static IReadOnlyList<KnownProvider> All => EmbeddedCatalog.Providers;

    /// <summary>The known provider of this name (any case), if there is one.</summary>
    /// <param name="name">The name.</param>
    /// <returns>The provider.</returns>
    public static KnownProvider? Find(string? name) =>
        name is null ? null : All.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// A configured provider of a known name with no <c>type</c> (which defaults to the name) gets the service's type:
    /// <c>providers: { openrouter: { headers: … } }</c> is of type <c>openai</c>.
    /// </summary>
    /// <param name="settings">The configured provider.</param>
    /// <returns>The settings, with the service's type when the configuration named none.</returns>
    public static ProviderSettings Normalize(ProviderSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return Find(settings.Name) is { } known && Same(settings.Type, settings.Name) && !Same(known.Type, settings.Type)
            ? settings with { Type = known.Type }
            : settings;
    }

    /// <summary>
    /// The service a provider talks to: without a configured <c>base_url</c>, the known provider of its name (or of its
    /// type: a provider of type <c>openai</c> without <c>base_url</c> is OpenAI's); with one, the hosted service at that
    /// host. <see langword="null"/> for a custom endpoint.
    /// </summary>
    /// <param name="name">The provider name.</param>
    /// <param name="type">The provider type.</param>
    /// <param name="configuredBaseUrl">The configured <c>base_url</c>, if any.</param>
    /// <returns>The service, or <see langword="null"/>.</returns>
    public static KnownProvider? ServiceOf(string name, string type, string? configuredBaseUrl)
    {
        if (configuredBaseUrl is null)
        {
            return Find(name) is { } named && Same(named.Type, type) ? named
                : Find(type) is { } typed && Same(typed.Type, type) ? typed
                : null;
        }

        return Uri.TryCreate(configuredBaseUrl, UriKind.Absolute, out var url)
            ? All.FirstOrDefault(p => !p.IsLocal && Same(p.Type, type) && Same(p.BaseUrl.Host, url.Host))
            : null;
    }

    /// <summary>The endpoint in effect: <see cref="BaseUrlVariable"/> when set (a bare <c>host:port</c> gets <c>http://</c>), else <see cref="BaseUrl"/>.</summary>
    /// <param name="environment">The environment.</param>
    /// <returns>The endpoint, and whether it came from the variable.</returns>
    /// <exception cref="AgentHostException">The variable is not an http(s) URL.</exception>
    public (Uri Url, bool FromVariable) EffectiveBaseUrl(HostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (BaseUrlVariable is null || environment.Get(BaseUrlVariable) is not { } text)
        {
            return (BaseUrl, false);
        }

        text = text.Trim();
        var withScheme = text.Contains("://", StringComparison.Ordinal) ? text : "http://" + text;
        return Uri.TryCreate(withScheme, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps)
            ? (url, true)
            : throw new AgentHostException(ErrorKind.Configuration, $"${BaseUrlVariable} is '{text}', which is not an http(s) URL. Set it to the endpoint, e.g. {BaseUrl}, or unset it.");
    }

    private static bool Same(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
}
