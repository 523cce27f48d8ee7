using AgentHost.Agent.Credentials;
using AgentHost.Agent.Models;
using AgentHost.Hosting;
using AgentHost.Hosting.Configuration;

namespace AgentHost.Agent.Runs;

/// <summary>One provider a run may use: configured under <c>providers:</c>, or a known service used without configuration.</summary>
/// <param name="Settings">Its settings (for a known service without configuration: its name and type only).</param>
/// <param name="Service">The known service it talks to, or <see langword="null"/> for a custom endpoint.</param>
/// <param name="Configured">Whether it is configured under <c>providers:</c>.</param>
internal sealed record ProviderEntry(ProviderSettings Settings, KnownProvider? Service, bool Configured)
{
    /// <summary>The provider name.</summary>
    public string Name => Settings.Name;

    /// <summary>The provider type.</summary>
    public string Type => Settings.Type;

    /// <summary>Whether it counts as usable only once it answers: a known local server (Ollama, LM Studio, …) used without configuration.</summary>
    public bool NeedsProbe => !Configured && Service is { IsLocal: true };
}

/// <summary>
/// The providers a run can name: the configured ones (<c>providers.&lt;name&gt;</c>) and the known services of the
/// catalog (<see cref="KnownProvider"/>), which need no configuration — only their key variable, or for a local server,
/// that it answers. A configured provider of a known name keeps its settings and gets the service's defaults.
/// </summary>
internal static class ProviderDirectory
{
    /// <summary>Every provider: the configured ones by name, then the known services not configured, in catalog order.</summary>
    /// <param name="configuration">The configuration.</param>
    /// <returns>The providers.</returns>
    public static IReadOnlyList<ProviderEntry> All(ConfigurationSnapshot configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var entries = configuration.Providers.Values
            .Select(KnownProvider.Normalize)
            .OrderBy(p => p.Name, StringComparer.OrdinalIgnoreCase)
            .Select(p => new ProviderEntry(p, p.Platform is null ? KnownProvider.ServiceOf(p.Name, p.Type, p.BaseUrl) : null, Configured: true))
            .ToList();
        foreach (var known in KnownProvider.All.Where(k => !configuration.Providers.ContainsKey(k.Name)))
        {
            entries.Add(new ProviderEntry(Unconfigured(known), known, Configured: false));
        }

        return entries;
    }

    /// <summary>The settings of a provider name: its configuration, else the known service's, else <see langword="null"/>.</summary>
    /// <param name="name">The provider name.</param>
    /// <param name="configuration">The configuration.</param>
    /// <returns>The settings.</returns>
    public static ProviderSettings? Settings(string name, ConfigurationSnapshot configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return configuration.Providers.TryGetValue(name, out var configured) ? KnownProvider.Normalize(configured)
            : KnownProvider.Find(name) is { } known ? Unconfigured(known)
            : null;
    }

    /// <summary>
    /// The endpoint a provider's plugin is given: the configured <c>base_url</c>; else, for a known service, its base-URL
    /// variable (<c>OPENAI_BASE_URL</c>, <c>OLLAMA_HOST</c>, …) or its default; <see langword="null"/> lets the plugin use
    /// its own default (OpenAI's, Anthropic's, Ollama's, which are the catalog's too).
    /// </summary>
    /// <param name="settings">The provider's settings.</param>
    /// <param name="environment">The environment.</param>
    /// <returns>The endpoint, or <see langword="null"/>.</returns>
    /// <exception cref="AgentHostException">The configured URL or the variable is not a URL.</exception>
    public static Uri? BaseUrl(ProviderSettings settings, HostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(environment);
        if (settings.BaseUrl is { } configured)
        {
            return Uri.TryCreate(configured, UriKind.Absolute, out var url)
                ? url
                : throw new AgentHostException(ErrorKind.Configuration, $"providers.{settings.Name}.base_url is '{configured}', which is not an absolute URL. Write the endpoint, e.g. http://127.0.0.1:8000/v1.");
        }

        if (KnownProvider.ServiceOf(settings.Name, settings.Type, null) is not { } service)
        {
            return null;
        }

        var (effective, fromVariable) = service.EffectiveBaseUrl(environment);
        return fromVariable || !string.Equals(service.Name, service.Type, StringComparison.OrdinalIgnoreCase) ? effective : null;
    }

    /// <summary>The endpoint to name in messages: <see cref="BaseUrl"/>, else the service's default.</summary>
    /// <param name="settings">The provider's settings.</param>
    /// <param name="environment">The environment.</param>
    /// <returns>The endpoint, or <see langword="null"/> when unknown.</returns>
    public static Uri? DisplayedBaseUrl(ProviderSettings settings, HostEnvironment environment) =>
        BaseUrl(settings, environment) ?? KnownProvider.ServiceOf(settings.Name, settings.Type, null)?.BaseUrl;

    /// <summary>Why a provider cannot be used, as far as can be told without contacting it (a missing key, a bad URL).</summary>
    /// <param name="entry">The provider.</param>
    /// <param name="environment">The environment.</param>
    /// <returns>The reason, or <see langword="null"/> when it looks usable.</returns>
    public static string? WhyUnusable(ProviderEntry entry, HostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(environment);
        try
        {
            _ = BaseUrl(entry.Settings, environment);
            // A known service is usable with its key variable, or a key stored with 'agent auth login'.
            if (!entry.Configured && entry.Service?.KeyVariable is { } variable && environment.Get(variable) is null && StoredKeys.Find(entry.Name, environment) is null)
            {
                return $"no key: export {variable}=<your key>, or store one with 'agent auth login {entry.Name}'";
            }

            _ = ProviderKeys.Resolve(entry.Name, entry.Type, entry.Settings, environment);
            return null;
        }
        catch (AgentHostException ex)
        {
            return ex.Message;
        }
    }

    /// <summary>The names of every provider, for suggestions.</summary>
    /// <param name="configuration">The configuration.</param>
    /// <returns>The names.</returns>
    public static IEnumerable<string> Names(ConfigurationSnapshot configuration) => All(configuration).Select(e => e.Name);

    private static ProviderSettings Unconfigured(KnownProvider known) =>
        new(known.Name, known.Type, null, null, null, null, null, new Dictionary<string, string>(), []);
}
