using System.Globalization;
using AgentHost.Hosting.Capabilities;
using AgentHost.Hosting.Configuration;
using AgentHost.Sdk.Capabilities;

namespace AgentHost.Agent.Models;

/// <summary>
/// The models the configured providers offer, with limits, prices and features: the embedded catalog, what provider
/// plugins declare, the <c>providers.&lt;name&gt;.models</c> lists of configuration (which override both), and what
/// endpoints report (<see cref="AddDiscovered"/>).
/// </summary>
/// <remarks>
/// A provider with a <c>models</c> list offers exactly those; without one, every catalog model of its type. Per-model
/// settings use the list form (model ids contain dots): <c>models: [{id: qwen3:8b, context_window: 32768}]</c>.
/// Not thread-safe while <see cref="AddDiscovered"/> runs; build one per command.
/// </remarks>
public sealed class ModelCatalog
{
    private readonly List<CatalogModel> _models;

    private ModelCatalog(List<CatalogModel> models) => _models = models;

    /// <summary>The models, configured providers in name order, each provider's models in catalog or list order.</summary>
    public IReadOnlyList<CatalogModel> Models => _models;

    /// <summary>Builds the catalog for a configuration.</summary>
    /// <param name="configuration">The configuration (its providers).</param>
    /// <param name="registry">The loaded plugins' capabilities, for models the provider plugins declare; optional.</param>
    /// <returns>The catalog.</returns>
    public static ModelCatalog Build(ConfigurationSnapshot configuration, CapabilityRegistry? registry = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return Build(configuration, configuration.Providers.Values.Select(KnownProvider.Normalize), registry);
    }

    /// <summary>Builds the catalog for some providers (configured ones, and known services used without configuration).</summary>
    /// <param name="configuration">The configuration (the providers' <c>models</c> lists).</param>
    /// <param name="providers">The providers.</param>
    /// <param name="registry">The loaded plugins' capabilities, for models the provider plugins declare; optional.</param>
    /// <returns>The catalog.</returns>
    /// <remarks>
    /// A provider without a <c>models</c> list offers the catalog models of the service it talks to
    /// (<see cref="KnownProvider.ServiceOf"/>) and those its plugin declares; a custom endpoint (a <c>base_url</c> that is
    /// no known service's) offers none: only what it reports (<see cref="AddDiscovered"/>).
    /// </remarks>
    public static ModelCatalog Build(ConfigurationSnapshot configuration, IEnumerable<ProviderSettings> providers, CapabilityRegistry? registry = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(providers);
        var models = new List<CatalogModel>();
        foreach (var provider in providers.OrderBy(p => p.Name, StringComparer.OrdinalIgnoreCase))
        {
            var service = KnownProvider.ServiceOf(provider.Name, provider.Type, provider.BaseUrl);
            var known = provider.BaseUrl is not null && service is null ? [] : Known(service?.Name, provider.Type, registry);
            var configured = ReadConfigured(configuration, provider.Name);
            if (configured.Count == 0)
            {
                models.AddRange(known.Select(k => k with { Provider = provider.Name }));
                continue;
            }

            foreach (var (id, values) in configured)
            {
                var basis = known.FirstOrDefault(k => k.Descriptor.Id == id)
                    ?? AnyEmbedded(id)
                    ?? new CatalogModel(provider.Name, provider.Type, new ModelDescriptor(id, 0, 0), ModelSource.Config);
                models.Add(Override(basis with { Provider = provider.Name, ProviderType = provider.Type, Source = ModelSource.Config }, values));
            }
        }

        return new ModelCatalog(models);
    }

    /// <summary>What is known about a model: the configured provider's entry, else the catalog of its type, else any catalog entry with that id.</summary>
    /// <param name="provider">The provider name.</param>
    /// <param name="providerType">The provider type.</param>
    /// <param name="modelId">The model id.</param>
    /// <param name="registry">The loaded plugins, for declared models; optional.</param>
    /// <returns>The model, or <see langword="null"/>.</returns>
    public CatalogModel? Find(string provider, string providerType, string modelId, CapabilityRegistry? registry = null)
    {
        if (_models.FirstOrDefault(m => string.Equals(m.Provider, provider, StringComparison.OrdinalIgnoreCase) && m.Descriptor.Id == modelId) is { } listed)
        {
            return listed;
        }

        var service = KnownProvider.ServiceOf(provider, providerType, null);
        if (Known(service?.Name, providerType, registry).FirstOrDefault(k => k.Descriptor.Id == modelId) is { } known)
        {
            return known with { Provider = provider };
        }

        return AnyEmbedded(modelId) is { } any ? any with { Provider = provider, ProviderType = providerType } : null;
    }

    /// <summary>Adds what an endpoint reports: fills unknown limits of listed models, adds models not listed yet.</summary>
    /// <param name="provider">The provider name.</param>
    /// <param name="providerType">The provider type.</param>
    /// <param name="discovered">The endpoint's models.</param>
    public void AddDiscovered(string provider, string providerType, IEnumerable<ModelDescriptor> discovered)
    {
        ArgumentNullException.ThrowIfNull(discovered);
        foreach (var model in discovered)
        {
            var index = _models.FindIndex(m => string.Equals(m.Provider, provider, StringComparison.OrdinalIgnoreCase) && m.Descriptor.Id == model.Id);
            if (index < 0)
            {
                var basis = AnyEmbedded(model.Id);
                _models.Add(basis is null
                    ? new CatalogModel(provider, providerType, model, ModelSource.Discovered)
                    : basis with { Provider = provider, ProviderType = providerType, Source = ModelSource.Discovered });
            }
            else if (_models[index].Descriptor.ContextWindow == 0 && model.ContextWindow > 0)
            {
                _models[index] = _models[index] with { Descriptor = _models[index].Descriptor with { ContextWindow = model.ContextWindow } };
            }
        }
    }

    /// <summary>Parses <c>tools</c>, <c>vision</c>, <c>reasoning</c> (any case); unknown names are ignored.</summary>
    /// <param name="names">The names.</param>
    /// <returns>The flags.</returns>
    public static ModelFeatures ParseFeatures(IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var features = ModelFeatures.None;
        foreach (var name in names)
        {
            features |= name.Trim().ToLowerInvariant() switch
            {
                "tools" => ModelFeatures.Tools,
                "vision" => ModelFeatures.Vision,
                "reasoning" or "thinking" => ModelFeatures.Reasoning,
                _ => ModelFeatures.None,
            };
        }

        return features;
    }

    /// <summary>Parses a tier name (<c>fast</c>, <c>balanced</c>, <c>best</c>).</summary>
    /// <param name="text">The name.</param>
    /// <returns>The tier, or <see langword="null"/>.</returns>
    public static ModelTier? ParseTier(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        "fast" or "small" or "cheap" => ModelTier.Fast,
        "balanced" or "default" => ModelTier.Balanced,
        "best" or "large" => ModelTier.Best,
        _ => null,
    };

    /// <summary>The embedded catalog's models of a service, and the models the plugin of the provider type declares.</summary>
    private static List<CatalogModel> Known(string? service, string providerType, CapabilityRegistry? registry)
    {
        var known = EmbeddedCatalog.All
            .Where(e => string.Equals(e.ProviderType, service, StringComparison.OrdinalIgnoreCase))
            .Select(e => new CatalogModel(providerType, providerType, e.Descriptor, ModelSource.Catalog) { Tier = e.Tier })
            .ToList();
        if (registry?.Find(CapabilityKind.ChatProvider, providerType)?.Capability is ChatProviderCapability plugin)
        {
            foreach (var model in plugin.Models.Where(m => known.All(k => k.Descriptor.Id != m.Id)))
            {
                known.Add(new CatalogModel(providerType, providerType, model, ModelSource.Plugin));
            }
        }

        return known;
    }

    private static CatalogModel? AnyEmbedded(string modelId) =>
        EmbeddedCatalog.All.Where(e => e.Descriptor.Id == modelId)
            .Select(e => new CatalogModel(e.ProviderType, e.ProviderType, e.Descriptor, ModelSource.Catalog) { Tier = e.Tier })
            .FirstOrDefault();

    /// <summary>The <c>models</c> list of a provider: ids, each with its settings (list form <c>[{id: …, context_window: …}]</c> or plain ids).</summary>
    private static List<(string Id, IReadOnlyDictionary<string, string> Values)> ReadConfigured(ConfigurationSnapshot configuration, string provider)
    {
        var section = configuration.GetSection($"providers.{provider}.models");
        var result = new List<(string, IReadOnlyDictionary<string, string>)>();
        foreach (var group in section.GroupBy(e => e.Key.Split('.')[0], StringComparer.OrdinalIgnoreCase))
        {
            var values = group.Where(e => e.Key.Contains('.', StringComparison.Ordinal))
                .ToDictionary(e => e.Key[(e.Key.IndexOf('.', StringComparison.Ordinal) + 1)..], e => e.Value, StringComparer.OrdinalIgnoreCase);
            var id = group.FirstOrDefault(e => !e.Key.Contains('.', StringComparison.Ordinal)).Value
                ?? values.GetValueOrDefault("id") ?? values.GetValueOrDefault("name");
            if (!ConfigKeys.IsIndex(group.Key))
            {
                id = group.Key; // map form: the key is the id (ids without dots only)
            }

            if (!string.IsNullOrWhiteSpace(id) && result.All(r => r.Item1 != id))
            {
                result.Add((id, values));
            }
        }

        return result;
    }

    private static CatalogModel Override(CatalogModel model, IReadOnlyDictionary<string, string> values)
    {
        var d = model.Descriptor;
        d = d with
        {
            ContextWindow = Int(values, "context_window") ?? d.ContextWindow,
            MaxOutputTokens = Int(values, "max_output_tokens") ?? d.MaxOutputTokens,
            InputPricePerMillion = Price(values, "input_price") ?? d.InputPricePerMillion,
            OutputPricePerMillion = Price(values, "output_price") ?? d.OutputPricePerMillion,
            CachedInputPricePerMillion = Price(values, "cached_input_price") ?? d.CachedInputPricePerMillion,
        };
        var features = values.Where(v => v.Key.StartsWith("features.", StringComparison.OrdinalIgnoreCase)).Select(v => v.Value).ToList();
        if (features.Count > 0)
        {
            d = d with { Features = ParseFeatures(features) };
        }

        return model with { Descriptor = d, Tier = ParseTier(values.GetValueOrDefault("tier")) ?? model.Tier };
    }

    private static int? Int(IReadOnlyDictionary<string, string> values, string key) =>
        values.TryGetValue(key, out var text) && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= 0 ? value : null;

    private static decimal? Price(IReadOnlyDictionary<string, string> values, string key) =>
        values.TryGetValue(key, out var text) && decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var value) && value >= 0 ? value : null;
}
