using System.Text.Json;
using AgentHost.Sdk.Capabilities;

namespace AgentHost.Agent.Models;

/// <summary>The model catalog shipped inside agent (<c>Models/catalog.json</c>): known models by provider type.</summary>
/// <remarks>
/// Read with <see cref="JsonDocument"/> rather than a serializer context: every run that names or selects a model
/// reads it, and a source-generated context for this shape costs hundreds of just-in-time compiled generic methods
/// (property metadata over <see cref="decimal"/>) on the way to the first model request.
/// </remarks>
internal static class EmbeddedCatalog
{
    private static readonly Lazy<IReadOnlyList<(string ProviderType, ModelDescriptor Descriptor, ModelTier Tier)>> Entries = new(() => Parse(Open()));
    private static readonly Lazy<IReadOnlyList<KnownProvider>> KnownProviders = new(() => ParseProviders(Open()));

    /// <summary>The known models; <c>ProviderType</c> is the known provider (service) that offers each.</summary>
    public static IReadOnlyList<(string ProviderType, ModelDescriptor Descriptor, ModelTier Tier)> All => Entries.Value;

    /// <summary>The known providers.</summary>
    public static IReadOnlyList<KnownProvider> Providers => KnownProviders.Value;

    private static Stream Open() =>
        typeof(EmbeddedCatalog).Assembly.GetManifestResourceStream("AgentHost.Agent.Models.catalog.json")
            ?? throw new InvalidOperationException("the embedded model catalog is missing from the build");

    /// <summary>Parses the <c>providers</c> of catalog JSON: <c>{"providers": [{"name", "type", "base_url", "key_env", "base_url_env", "local"}]}</c>.</summary>
    internal static List<KnownProvider> ParseProviders(Stream json)
    {
        using (json)
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
            var result = new List<KnownProvider>();
            if (!document.RootElement.TryGetProperty("providers", out var providers))
            {
                return result;
            }

            foreach (var entry in providers.EnumerateArray())
            {
                result.Add(new KnownProvider(
                    entry.GetProperty("name").GetString()!,
                    entry.GetProperty("type").GetString()!,
                    new Uri(entry.GetProperty("base_url").GetString()!),
                    entry.TryGetProperty("key_env", out var key) ? key.GetString() : null,
                    entry.TryGetProperty("base_url_env", out var url) ? url.GetString() : null,
                    entry.TryGetProperty("local", out var local) && local.ValueKind == JsonValueKind.True));
            }

            return result;
        }
    }

    /// <summary>Parses catalog JSON: <c>{"models": [{"provider", "id", "context", "output", "input_price", …}]}</c>.</summary>
    internal static List<(string, ModelDescriptor, ModelTier)> Parse(Stream json)
    {
        using var owned = json;
        using var document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        var result = new List<(string, ModelDescriptor, ModelTier)>();
        foreach (var entry in document.RootElement.GetProperty("models").EnumerateArray())
        {
            var descriptor = new ModelDescriptor(entry.GetProperty("id").GetString()!, entry.GetProperty("context").GetInt32(), entry.GetProperty("output").GetInt32())
            {
                InputPricePerMillion = Price(entry, "input_price"),
                OutputPricePerMillion = Price(entry, "output_price"),
                CachedInputPricePerMillion = Price(entry, "cached_price"),
                Features = entry.TryGetProperty("features", out var features)
                    ? ModelCatalog.ParseFeatures(features.EnumerateArray().Select(f => f.GetString() ?? string.Empty).ToList())
                    : ModelFeatures.None,
            };
            var tier = entry.TryGetProperty("tier", out var t) ? ModelCatalog.ParseTier(t.GetString()) : null;
            result.Add((entry.GetProperty("provider").GetString()!, descriptor, tier ?? ModelTier.Balanced));
        }

        return result;
    }

    private static decimal? Price(JsonElement entry, string name) =>
        entry.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDecimal() : null;
}
