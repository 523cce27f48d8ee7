using AgentHost.Sdk.Capabilities;

namespace AgentHost.Plugins.Anthropic;

/// <summary>
/// Claude models the provider knows without asking the endpoint: limits and list prices (US dollars per million
/// tokens; cached input is the cache-read price). Discovery fills in models missing here, with their limits when
/// the API reports them.
/// </summary>
internal static class KnownModels
{
    private const ModelFeatures Claude = ModelFeatures.Tools | ModelFeatures.Vision | ModelFeatures.Reasoning;

    public static IReadOnlyList<ModelDescriptor> All { get; } =
    [
        Model("claude-opus-4-1", "Claude Opus 4.1", 200_000, 32_000, 15m, 75m, 1.5m),
        Model("claude-opus-4-0", "Claude Opus 4", 200_000, 32_000, 15m, 75m, 1.5m),
        Model("claude-sonnet-4-5", "Claude Sonnet 4.5", 200_000, 64_000, 3m, 15m, 0.3m),
        Model("claude-sonnet-4-0", "Claude Sonnet 4", 200_000, 64_000, 3m, 15m, 0.3m),
        Model("claude-3-7-sonnet-latest", "Claude Sonnet 3.7", 200_000, 64_000, 3m, 15m, 0.3m),
        Model("claude-haiku-4-5", "Claude Haiku 4.5", 200_000, 64_000, 1m, 5m, 0.1m),
        Model("claude-3-5-haiku-latest", "Claude Haiku 3.5", 200_000, 8_192, 0.8m, 4m, 0.08m) with { Features = ModelFeatures.Tools | ModelFeatures.Vision },
    ];

    /// <summary>
    /// The known model with this id, or the one whose family the (dated) id belongs to: <c>claude-opus-4-20250514</c>
    /// is <c>claude-opus-4-0</c>, <c>claude-3-7-sonnet-20250219</c> is <c>claude-3-7-sonnet-latest</c>.
    /// </summary>
    /// <remarks>Bedrock and Vertex AI ids (<c>us.anthropic.claude-opus-4-1-20250805-v1:0</c>, <c>claude-opus-4-1@20250805</c>) are read as the Anthropic id they name.</remarks>
    public static ModelDescriptor? Find(string id) => FindAnthropic(PlatformModels.ToAnthropicId(id));

    private static ModelDescriptor? FindAnthropic(string id) =>
        All.FirstOrDefault(m => string.Equals(m.Id, id, StringComparison.Ordinal))
        ?? All.Select(m => (Model: m, Family: Family(m.Id)))
            .Where(c => id.StartsWith(c.Family + "-", StringComparison.Ordinal))
            .OrderByDescending(c => c.Family.Length)
            .Select(c => c.Model)
            .FirstOrDefault();

    private static string Family(string id)
    {
        var family = id.EndsWith("-latest", StringComparison.Ordinal) ? id[..^"-latest".Length] : id;
        return family.EndsWith("-0", StringComparison.Ordinal) ? family[..^2] : family;
    }

    private static ModelDescriptor Model(string id, string name, int window, int output, decimal input, decimal outputPrice, decimal cached) =>
        new(id, window, output)
        {
            DisplayName = name,
            Features = Claude,
            InputPricePerMillion = input,
            OutputPricePerMillion = outputPrice,
            CachedInputPricePerMillion = cached,
        };
}
