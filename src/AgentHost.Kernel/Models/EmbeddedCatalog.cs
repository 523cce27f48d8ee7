using System.Text.Json;
using System.Text.Json.Serialization;
using AgentHost.Sdk.Capabilities;

namespace AgentHost.Kernel.Models;

/// <summary>The model catalog shipped inside agent (<c>Models/catalog.json</c>): known models by provider type.</summary>
internal static class EmbeddedCatalog
{
    private static readonly Lazy<IReadOnlyList<(string ProviderType, ModelDescriptor Descriptor, ModelTier Tier)>> Entries = new(Load);

    public static IReadOnlyList<(string ProviderType, ModelDescriptor Descriptor, ModelTier Tier)> All => Entries.Value;

    private static List<(string, ModelDescriptor, ModelTier)> Load()
    {
        using var stream = typeof(EmbeddedCatalog).Assembly.GetManifestResourceStream("AgentHost.Kernel.Models.catalog.json")
            ?? throw new InvalidOperationException("the embedded model catalog is missing from the build");
        var file = JsonSerializer.Deserialize(stream, CatalogJsonContext.Default.CatalogFile)
            ?? throw new InvalidOperationException("the embedded model catalog is empty");
        return [.. file.Models.Select(m => (m.Provider, m.ToDescriptor(), ModelCatalog.ParseTier(m.Tier) ?? ModelTier.Balanced))];
    }
}

internal sealed record CatalogFile(List<CatalogFileEntry> Models);

internal sealed record CatalogFileEntry(string Provider, string Id, int Context, int Output)
{
    [JsonPropertyName("input_price")]
    public decimal? InputPrice { get; init; }

    [JsonPropertyName("output_price")]
    public decimal? OutputPrice { get; init; }

    [JsonPropertyName("cached_price")]
    public decimal? CachedPrice { get; init; }

    public List<string> Features { get; init; } = [];

    public string? Tier { get; init; }

    public ModelDescriptor ToDescriptor() => new(Id, Context, Output)
    {
        InputPricePerMillion = InputPrice,
        OutputPricePerMillion = OutputPrice,
        CachedInputPricePerMillion = CachedPrice,
        Features = ModelCatalog.ParseFeatures(Features),
    };
}

[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true, ReadCommentHandling = JsonCommentHandling.Skip)]
[JsonSerializable(typeof(CatalogFile))]
internal sealed partial class CatalogJsonContext : JsonSerializerContext;
