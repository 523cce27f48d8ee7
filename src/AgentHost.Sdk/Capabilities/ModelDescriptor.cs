namespace AgentHost.Sdk.Capabilities;

/// <summary>What a model can do and what it costs.</summary>
/// <param name="Id">The provider's model id, for example <c>gpt-4.1-mini</c>.</param>
/// <param name="ContextWindow">Maximum prompt plus completion tokens.</param>
/// <param name="MaxOutputTokens">Maximum completion tokens.</param>
public sealed record ModelDescriptor(string Id, int ContextWindow, int MaxOutputTokens)
{
    /// <summary>A display name; the id when absent.</summary>
    public string? DisplayName { get; init; }

    /// <summary>Feature flags.</summary>
    public ModelFeatures Features { get; init; } = ModelFeatures.Tools;

    /// <summary>Price in US dollars per one million input tokens.</summary>
    public decimal? InputPricePerMillion { get; init; }

    /// <summary>Price in US dollars per one million output tokens.</summary>
    public decimal? OutputPricePerMillion { get; init; }

    /// <summary>Price in US dollars per one million cached input tokens.</summary>
    public decimal? CachedInputPricePerMillion { get; init; }
}

/// <summary>Model feature flags.</summary>
[Flags]
public enum ModelFeatures
{
    /// <summary>Plain text chat only.</summary>
    None = 0,

    /// <summary>Supports tool calling.</summary>
    Tools = 1,

    /// <summary>Accepts images.</summary>
    Vision = 2,

    /// <summary>Produces reasoning content.</summary>
    Reasoning = 4,
}
