using System.Globalization;
using AgentHost.Sdk.Capabilities;

namespace AgentHost.Agent.Models;

/// <summary>What the user asked the selector to favour (<c>agent run --prefer</c>).</summary>
public enum ModelPreference
{
    /// <summary>The everyday choice: a balanced model, else the best, else a fast one.</summary>
    Balanced,

    /// <summary>Quick answers: fast-tier models first.</summary>
    Fast,

    /// <summary>The lowest price per token.</summary>
    Cheap,

    /// <summary>The most capable.</summary>
    Best,
}

/// <summary>What the task needs, as far as the host can tell before the first request.</summary>
/// <param name="EstimatedPromptTokens">The prompt (system prompt, history, message) in tokens, estimated.</param>
/// <param name="NeedsTools">Whether tools are offered.</param>
/// <param name="NeedsVision">Whether the prompt carries images.</param>
/// <param name="Prefer">The preference.</param>
internal sealed record SelectionHints(long EstimatedPromptTokens, bool NeedsTools, bool NeedsVision, ModelPreference Prefer);

/// <summary>The selector's choice and why.</summary>
/// <param name="Model">The model.</param>
/// <param name="Reason">Why, in one line (recorded with the session).</param>
internal sealed record ModelChoice(CatalogModel Model, string Reason);

/// <summary>
/// Picks a model when none is named: among the usable models of configured providers, keep those with the needed
/// features whose context window fits the prompt (with room for the answer), then rank by the preference. Rules are
/// documented in docs/providers.md; the same inputs always give the same choice.
/// </summary>
public static class ModelSelector
{
    /// <summary>Room kept for the answer beyond the prompt, in tokens.</summary>
    public const int AnswerRoom = 8_192;

    /// <summary>Chooses a model.</summary>
    /// <param name="candidates">The catalog's models.</param>
    /// <param name="hints">What the task needs.</param>
    /// <param name="usable">Whether a model's provider can be used (configured, key present).</param>
    /// <returns>The choice, or <see langword="null"/> with <paramref name="why"/> when nothing fits.</returns>
    /// <param name="why">Why nothing fits, when nothing does.</param>
    internal static ModelChoice? Choose(IReadOnlyList<CatalogModel> candidates, SelectionHints hints, Func<CatalogModel, bool> usable, out string why)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(hints);
        ArgumentNullException.ThrowIfNull(usable);
        var pool = candidates.Where(usable).ToList();
        if (pool.Count == 0)
        {
            why = "no configured provider is usable, and no known service has its key or answers on this machine (export OPENAI_API_KEY, ANTHROPIC_API_KEY or another service's key, start Ollama, or add a provider under 'providers:'; 'agent models' shows what is usable and why)";
            return null;
        }

        var needed = (hints.NeedsTools ? ModelFeatures.Tools : ModelFeatures.None) | (hints.NeedsVision ? ModelFeatures.Vision : ModelFeatures.None);
        var capable = pool.Where(m => (m.Descriptor.Features & needed) == needed || m.Source == ModelSource.Discovered && !hints.NeedsVision).ToList();
        if (capable.Count == 0)
        {
            why = $"none of the {pool.Count} usable models supports {Describe(needed)}";
            return null;
        }

        var required = hints.EstimatedPromptTokens + AnswerRoom;
        var fitting = capable.Where(m => m.Descriptor.ContextWindow >= required).ToList();
        var unknownWindow = capable.Where(m => m.Descriptor.ContextWindow == 0).ToList();
        var ranked = Rank(fitting.Count > 0 ? fitting : unknownWindow, hints.Prefer).ToList();
        if (ranked.Count == 0)
        {
            why = $"the prompt (~{hints.EstimatedPromptTokens:N0} tokens) does not fit the context window of any capable model (largest: {capable.Max(m => m.Descriptor.ContextWindow):N0})";
            return null;
        }

        var chosen = ranked[0];
        why = string.Empty;
        var window = chosen.Descriptor.ContextWindow > 0 ? $"{chosen.Descriptor.ContextWindow / 1000:N0}k context fits ~{hints.EstimatedPromptTokens:N0} prompt tokens" : "context window unknown";
        var reason = string.Create(
            CultureInfo.InvariantCulture,
            $"auto-selected {chosen.Reference} (prefer {hints.Prefer.ToString().ToLowerInvariant()}; tier {chosen.Tier.ToString().ToLowerInvariant()}; {window}{(needed == ModelFeatures.None ? string.Empty : "; needs " + Describe(needed))}; {Price(chosen)}; {ranked.Count} of {pool.Count} usable models qualified)");
        return new ModelChoice(chosen, reason);
    }

    /// <summary>
    /// Why a model named by the user (<c>--model</c>, the session's or the configured <c>model</c>) cannot take a prompt
    /// with images: the catalog (embedded, a plugin's, or the configured <c>models</c> list) knows it and lists no vision.
    /// A model the catalog does not know is given the benefit of the doubt.
    /// </summary>
    /// <param name="reference">The model as named (<c>provider/model</c>).</param>
    /// <param name="known">What the catalog knows about it, or <see langword="null"/>.</param>
    /// <param name="images">Names of the attached images (for the message).</param>
    /// <param name="catalog">The configured providers' models, for a suggestion.</param>
    /// <returns>The message, or <see langword="null"/> when the model may take images.</returns>
    public static string? LacksVision(string reference, CatalogModel? known, IReadOnlyList<string> images, IReadOnlyList<CatalogModel> catalog)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(catalog);
        if (images.Count == 0 || known is null || known.Source == ModelSource.Discovered || known.Descriptor.Features.HasFlag(ModelFeatures.Vision))
        {
            return null;
        }

        var slash = reference.IndexOf('/', StringComparison.Ordinal);
        var (provider, id) = slash > 0 ? (reference[..slash], reference[(slash + 1)..]) : (known.Provider, known.Descriptor.Id);
        var features = known.Descriptor.Features == ModelFeatures.None ? "none" : known.Descriptor.Features.ToString().ToLowerInvariant();
        var suggestion = SuggestVision(catalog, provider, known.ProviderType) is { } other ? $"Use a model with vision, e.g. --model {other}; or, if" : "Use a model with vision; or, if";
        var plural = images.Count == 1 ? "an image" : $"{images.Count} images";
        return $"model {reference} does not take images (the model catalog lists its features as: {features}), and this prompt attaches {plural} ({string.Join(", ", images)}). " +
            $"{suggestion} the catalog is wrong, declare its vision in config: providers.{provider}.models: [{{ id: {id}, features: [tools, vision] }}] " +
            "(a provider with a models list offers exactly the models it lists).";
    }

    /// <summary>A model with vision to suggest: the same provider's first, then any configured provider's (balanced ranking); else the embedded catalog's for the provider type.</summary>
    private static string? SuggestVision(IReadOnlyList<CatalogModel> catalog, string provider, string providerType)
    {
        var vision = catalog.Where(m => m.Descriptor.Features.HasFlag(ModelFeatures.Vision)).ToList();
        var same = vision.Where(m => string.Equals(m.Provider, provider, StringComparison.OrdinalIgnoreCase)).ToList();
        if (Rank(same.Count > 0 ? same : vision, ModelPreference.Balanced).FirstOrDefault() is { } configured)
        {
            return configured.Reference;
        }

        var embedded = EmbeddedCatalog.All
            .Where(e => string.Equals(e.ProviderType, providerType, StringComparison.OrdinalIgnoreCase) && e.Descriptor.Features.HasFlag(ModelFeatures.Vision))
            .Select(e => new CatalogModel(provider, providerType, e.Descriptor, ModelSource.Catalog) { Tier = e.Tier })
            .ToList();
        return Rank(embedded, ModelPreference.Balanced).FirstOrDefault()?.Reference;
    }

    /// <summary>Parses <c>fast</c>, <c>cheap</c>, <c>best</c>, <c>balanced</c>.</summary>
    /// <param name="text">The text.</param>
    /// <param name="preference">The preference.</param>
    /// <returns>Whether it is known.</returns>
    public static bool TryParse(string? text, out ModelPreference preference)
    {
        preference = ModelPreference.Balanced;
        switch (text?.Trim().ToLowerInvariant())
        {
            case "fast": preference = ModelPreference.Fast; return true;
            case "cheap": preference = ModelPreference.Cheap; return true;
            case "best": preference = ModelPreference.Best; return true;
            case "balanced" or "default": return true;
            default: return false;
        }
    }

    private static IEnumerable<CatalogModel> Rank(List<CatalogModel> models, ModelPreference prefer)
    {
        static decimal Cost(CatalogModel m) => (m.Descriptor.InputPricePerMillion ?? 0) + (m.Descriptor.OutputPricePerMillion ?? 0);
        static int TierOrder(ModelTier tier, params ModelTier[] order) => Array.IndexOf(order, tier) is var i and >= 0 ? i : order.Length;
        return prefer switch
        {
            ModelPreference.Fast => models.OrderBy(m => TierOrder(m.Tier, ModelTier.Fast, ModelTier.Balanced, ModelTier.Best)).ThenBy(Cost).ThenBy(m => m.Reference, StringComparer.Ordinal),
            ModelPreference.Cheap => models.OrderBy(Cost).ThenBy(m => TierOrder(m.Tier, ModelTier.Balanced, ModelTier.Best, ModelTier.Fast)).ThenBy(m => m.Reference, StringComparer.Ordinal),
            ModelPreference.Best => models.OrderBy(m => TierOrder(m.Tier, ModelTier.Best, ModelTier.Balanced, ModelTier.Fast)).ThenByDescending(Cost).ThenBy(m => m.Reference, StringComparer.Ordinal),
            _ => models.OrderBy(m => TierOrder(m.Tier, ModelTier.Balanced, ModelTier.Best, ModelTier.Fast)).ThenBy(Cost).ThenBy(m => m.Reference, StringComparer.Ordinal),
        };
    }

    private static string Describe(ModelFeatures features) =>
        string.Join(" and ", new[] { (ModelFeatures.Tools, "tools"), (ModelFeatures.Vision, "vision") }.Where(f => features.HasFlag(f.Item1)).Select(f => f.Item2));

    private static string Price(CatalogModel model) =>
        model.Descriptor.InputPricePerMillion is { } input && model.Descriptor.OutputPricePerMillion is { } output
            ? string.Create(CultureInfo.InvariantCulture, $"${input}/${output} per 1M tokens")
            : "price unknown";
}
