using AgentHost.Kernel.Capabilities;
using AgentHost.Kernel.Configuration;
using AgentHost.Kernel.Hosting;
using AgentHost.Kernel.Plugins;
using AgentHost.Sdk.Capabilities;
using Microsoft.Extensions.AI;

namespace AgentHost.Kernel.Runs;

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
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == text.Length - 1)
        {
            throw new AgentHostException(ErrorKind.Usage, $"model '{text}' must be written provider/model, e.g. openai/gpt-4.1-mini or scripted/script.yaml.");
        }

        var providerName = text[..slash];
        var modelId = text[(slash + 1)..];
        configuration.Providers.TryGetValue(providerName, out var settings);
        var type = settings?.Type ?? providerName;
        if (runtime.Registry.Find(CapabilityKind.ChatProvider, type) is not { Capability: ChatProviderCapability provider } entry)
        {
            var available = runtime.Registry.OfKind(CapabilityKind.ChatProvider).Select(p => p.Name).ToList();
            throw new AgentHostException(
                ErrorKind.Configuration,
                $"no loaded plugin provides the '{type}' model provider{(available.Count > 0 ? $" (loaded: {string.Join(", ", available)})" : string.Empty)}. " +
                $"Install or name its plugin, e.g. 'agent plugin install {type}' or '--plugin {type}'.");
        }

        var options = new ChatProviderOptions(providerName, modelId)
        {
            BaseUrl = settings?.BaseUrl is { } url ? new Uri(url) : null,
            ApiKey = settings is null ? null : ApiKey(settings, environment),
            Headers = settings?.Headers ?? new Dictionary<string, string>(),
            Settings = configuration.GetSection($"providers.{providerName}"),
        };
        IChatClient client;
        try
        {
            client = provider.CreateClient(options, runtime.Host.Loaded.TryGetValue(entry.PluginId, out var plugin) ? plugin.ServiceProvider : EmptyServices.Instance);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new AgentHostException(ErrorKind.Provider, $"provider '{providerName}' could not create a client for model '{modelId}': {ex.Message}", ex);
        }

        var descriptor = provider.Models.FirstOrDefault(m => m.Id == modelId) ?? (provider.Models.Count == 1 ? provider.Models[0] : null);
        return new SelectedModel(providerName, modelId, client, descriptor);
    }

    private static string? ApiKey(ProviderSettings settings, HostEnvironment environment)
    {
        if (settings.ApiKey is { Length: > 0 } key)
        {
            return key;
        }

        if (settings.ApiKeyEnv is { } variable)
        {
            return environment.Get(variable)
                ?? throw new AgentHostException(ErrorKind.Configuration, $"provider '{settings.Name}' reads its API key from ${variable}, which is not set. Export {variable}=<your key>.");
        }

        if (settings.ApiKeyFile is { } file)
        {
            return File.Exists(file)
                ? File.ReadAllText(file).Trim()
                : throw new AgentHostException(ErrorKind.Configuration, $"provider '{settings.Name}' reads its API key from {file}, which does not exist. Write the key into that file.");
        }

        return null;
    }

    private sealed class EmptyServices : IServiceProvider
    {
        public static readonly EmptyServices Instance = new();

        public object? GetService(Type serviceType) => null;
    }
}
