using AgentHost.Agent.Models;
using AgentHost.Hosting;
using AgentHost.Hosting.Capabilities;
using AgentHost.Hosting.Configuration;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Installed;
using AgentHost.Sdk.Capabilities;
using Microsoft.Extensions.AI;

namespace AgentHost.Agent.Runs;

/// <summary>The chat client and model chosen for a run.</summary>
/// <param name="ProviderName">The configured provider name, or the provider type when none is configured.</param>
/// <param name="ModelId">The model id.</param>
/// <param name="Client">The client.</param>
/// <param name="Descriptor">What the model can do (context window), when known.</param>
public sealed record SelectedModel(string ProviderName, string ModelId, IChatClient Client, ModelDescriptor? Descriptor);

/// <summary>
/// Turns <c>provider/model</c> (from <c>--model</c> or the <c>model</c> setting) into a chat client: the provider
/// part names a configured provider (<c>providers.&lt;name&gt;</c>, whose <c>type</c> selects the plugin) or a
/// provider type contributed by a loaded plugin directly.
/// </summary>
public static class ModelSelection
{
    /// <summary>Selects the model for a run.</summary>
    /// <param name="model">The <c>provider/model</c> text; the configured <c>model</c> when <see langword="null"/>.</param>
    /// <param name="configuration">The effective configuration.</param>
    /// <param name="runtime">The loaded plugins.</param>
    /// <param name="environment">The environment (API key variables).</param>
    /// <returns>The selection.</returns>
    /// <exception cref="AgentHostException">No model is configured, or its provider is not available (the message says what to do).</exception>
    public static SelectedModel Select(string? model, ConfigurationSnapshot configuration, PluginRuntime runtime, HostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(runtime);
        ArgumentNullException.ThrowIfNull(environment);
        var text = model ?? configuration.Model
            ?? throw new AgentHostException(ErrorKind.Configuration, "no model chosen: pass --model provider/model (for an offline demo: --plugin scripted --model scripted/<script.yaml>), or set 'model: provider/model' in config.yaml.");
        var (providerName, modelId, type, entry, known) = Resolve(text, configuration, runtime, environment);
        if (entry is not { Capability: ChatProviderCapability provider })
        {
            var available = runtime.Registry.OfKind(CapabilityKind.ChatProvider).Select(p => p.Name).ToList();
            throw new AgentHostException(
                ErrorKind.Configuration,
                $"no loaded plugin provides the '{type}' model provider{(available.Count > 0 ? $" (loaded: {string.Join(", ", available)})" : string.Empty)}. " +
                $"Install or name its plugin, e.g. 'agent plugin install {type}' or '--plugin {type}'.");
        }

        var options = Options(providerName, modelId, configuration, environment) with { Model = known?.Descriptor };
        IChatClient client;
        try
        {
            client = provider.CreateClient(options, runtime.Host.Loaded.TryGetValue(entry.PluginId, out var plugin) ? plugin.ServiceProvider : EmptyServices.Instance);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new AgentHostException(ErrorKind.Provider, $"provider '{providerName}' could not create a client for model '{modelId}': {ex.Message}", ex);
        }

        return new SelectedModel(providerName, modelId, client, DescriptorOf(known, provider));
    }

    /// <summary>
    /// What <see cref="Select"/> would know of a model (its prices, window), without making a client: for pricing a
    /// run before it starts (a shared server's cost budget reserves a run's estimated cost while it is in flight).
    /// </summary>
    /// <param name="model">The <c>provider/model</c> text or a bare id; the configured <c>model</c> when <see langword="null"/>.</param>
    /// <param name="configuration">The effective configuration.</param>
    /// <param name="runtime">The loaded plugins.</param>
    /// <param name="environment">The environment.</param>
    /// <returns>The descriptor, or <see langword="null"/> when no model is chosen or nothing is known of it.</returns>
    public static ModelDescriptor? Describe(string? model, ConfigurationSnapshot configuration, PluginRuntime runtime, HostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(runtime);
        ArgumentNullException.ThrowIfNull(environment);
        if ((model ?? configuration.Model) is not { } text)
        {
            return null;
        }

        try
        {
            var (_, _, _, entry, known) = Resolve(text, configuration, runtime, environment);
            return DescriptorOf(known, entry?.Capability as ChatProviderCapability);
        }
        catch (AgentHostException)
        {
            // A model text that cannot be qualified: the run's own selection fails with the message that says why.
            return null;
        }
    }

    private static (string Provider, string ModelId, string Type, RegisteredCapability? Entry, CatalogModel? Known) Resolve(
        string text, ConfigurationSnapshot configuration, PluginRuntime runtime, HostEnvironment environment)
    {
        text = ModelLookup.Qualify(text, configuration, runtime.Registry, environment);
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var providerName = text[..slash];
        var modelId = text[(slash + 1)..];
        var type = ProviderDirectory.Settings(providerName, configuration)?.Type ?? providerName;
        var known = ModelCatalog.Build(configuration, runtime.Registry).Find(providerName, type, modelId, runtime.Registry);
        return (providerName, modelId, type, runtime.Registry.Find(CapabilityKind.ChatProvider, type), known);
    }

    private static ModelDescriptor? DescriptorOf(CatalogModel? known, ChatProviderCapability? provider) =>
        known?.Descriptor ?? (provider?.Models.Count == 1 ? provider.Models[0] : null);

    /// <summary>
    /// The options a provider plugin gets for a configured provider: endpoint, key, headers and settings (every key
    /// below <c>providers.&lt;name&gt;</c>, with the keys of its <c>settings</c> map also given without the prefix). An
    /// untrusted project's provider settings are not in the configuration (see <see cref="ConfigurationSnapshot.IgnoredProjectEntries"/>).
    /// </summary>
    /// <param name="providerName">The provider name.</param>
    /// <param name="modelId">The model id (empty for model discovery).</param>
    /// <param name="configuration">The configuration.</param>
    /// <param name="environment">The environment (API keys).</param>
    /// <returns>The options.</returns>
    /// <exception cref="AgentHostException">The API key cannot be found (the message says what to set).</exception>
    public static ChatProviderOptions Options(string providerName, string modelId, ConfigurationSnapshot configuration, HostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(environment);
        var settings = ProviderDirectory.Settings(providerName, configuration);
        var type = settings?.Type ?? providerName;
        return new ChatProviderOptions(providerName, modelId)
        {
            BaseUrl = settings is null ? null : ProviderDirectory.BaseUrl(settings, environment),
            ApiKey = ProviderKeys.Resolve(providerName, type, settings, environment),
            Headers = settings?.Headers ?? new Dictionary<string, string>(),
            Settings = ProviderSettingsFor(configuration, providerName),
        };
    }

    /// <summary>
    /// The provider type a model text names: for <c>provider/model</c>, the configured or known provider's type, else the
    /// provider part; for a bare model id, the type of the providers whose catalog lists it, when they agree.
    /// </summary>
    /// <param name="model">The text.</param>
    /// <param name="configuration">The configuration.</param>
    /// <returns>The type, or <see langword="null"/> when it cannot be told.</returns>
    public static string? ProviderTypeOf(string model, ConfigurationSnapshot configuration)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(configuration);
        var slash = model.IndexOf('/', StringComparison.Ordinal);
        if (slash > 0)
        {
            return ProviderDirectory.Settings(model[..slash], configuration)?.Type ?? model[..slash];
        }

        var types = ModelLookup.Offering(model, configuration, registry: null).Select(m => m.ProviderType).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        return types.Count == 1 ? types[0] : null;
    }

    private static Dictionary<string, string> ProviderSettingsFor(ConfigurationSnapshot configuration, string providerName)
    {
        var section = new Dictionary<string, string>(configuration.GetSection($"providers.{providerName}"), StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in configuration.GetSection($"providers.{providerName}.settings"))
        {
            section[key] = value;
        }

        return section;
    }

    /// <summary>A service provider with no services (for plugins not loaded through the host).</summary>
    public sealed class EmptyServices : IServiceProvider
    {
        /// <summary>The instance.</summary>
        public static readonly EmptyServices Instance = new();

        private EmptyServices()
        {
        }

        /// <inheritdoc />
        public object? GetService(Type serviceType) => null;
    }
}
