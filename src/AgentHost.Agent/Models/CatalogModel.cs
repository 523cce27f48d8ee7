using AgentHost.Sdk.Capabilities;

namespace AgentHost.Agent.Models;

/// <summary>Where a model's description came from.</summary>
public enum ModelSource
{
    /// <summary>The catalog embedded in agent.</summary>
    Catalog,

    /// <summary>The plugin that provides the provider type.</summary>
    Plugin,

    /// <summary>The provider's <c>models</c> list in configuration.</summary>
    Config,

    /// <summary>The endpoint's model list (<c>/v1/models</c>, <c>/api/tags</c>).</summary>
    Discovered,
}

/// <summary>How a model ranks when the selector is asked for speed, price or quality.</summary>
public enum ModelTier
{
    /// <summary>Small and quick.</summary>
    Fast,

    /// <summary>The everyday choice.</summary>
    Balanced,

    /// <summary>The most capable.</summary>
    Best,
}

/// <summary>One model a configured provider offers.</summary>
/// <remarks>Immutable.</remarks>
/// <param name="Provider">The configured provider name (the <c>provider</c> in <c>provider/model</c>).</param>
/// <param name="ProviderType">The provider implementation (<c>openai</c>, <c>anthropic</c>, <c>ollama</c>, …).</param>
/// <param name="Descriptor">Limits, prices and features.</param>
/// <param name="Source">Where the description came from.</param>
public sealed record CatalogModel(string Provider, string ProviderType, ModelDescriptor Descriptor, ModelSource Source)
{
    /// <summary>The tier.</summary>
    public ModelTier Tier { get; init; } = ModelTier.Balanced;

    /// <summary><c>provider/model</c>, as <c>--model</c> takes it.</summary>
    public string Reference => $"{Provider}/{Descriptor.Id}";
}
