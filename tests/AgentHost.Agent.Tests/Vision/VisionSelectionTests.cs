using AgentHost.Agent.Models;
using AgentHost.Sdk.Capabilities;

namespace AgentHost.Agent.Tests.Vision;

/// <summary>The selector's vision hint, and the stop for a named model the catalog knows without vision.</summary>
public sealed class VisionSelectionTests
{
    private const ModelFeatures ToolsAndVision = ModelFeatures.Tools | ModelFeatures.Vision;

    private static CatalogModel Model(string provider, string id, ModelTier tier, decimal price, ModelFeatures features, ModelSource source = ModelSource.Catalog) =>
        new(provider, provider, new ModelDescriptor(id, 200_000, 4096) { InputPricePerMillion = price, OutputPricePerMillion = price, Features = features }, source) { Tier = tier };

    private static readonly CatalogModel[] Candidates =
    [
        Model("a", "text-fast", ModelTier.Fast, 0.1m, ModelFeatures.Tools),
        Model("a", "text-mid", ModelTier.Balanced, 0.5m, ModelFeatures.Tools),
        Model("a", "eyes-mid", ModelTier.Balanced, 2m, ToolsAndVision),
        Model("b", "eyes-best", ModelTier.Best, 5m, ToolsAndVision),
        Model("b", "eyes-chat", ModelTier.Fast, 0.2m, ModelFeatures.Vision),
        Model("c", "served", ModelTier.Best, 0m, ModelFeatures.None, ModelSource.Discovered),
    ];

    [Theory]
    [InlineData(false, true, ModelPreference.Balanced, "a/text-mid")]
    [InlineData(true, true, ModelPreference.Balanced, "a/eyes-mid")]
    [InlineData(false, true, ModelPreference.Fast, "a/text-fast")]
    [InlineData(true, true, ModelPreference.Fast, "a/eyes-mid")]
    [InlineData(true, false, ModelPreference.Fast, "b/eyes-chat")]
    [InlineData(true, true, ModelPreference.Cheap, "a/eyes-mid")]
    [InlineData(true, true, ModelPreference.Best, "b/eyes-best")]
    [InlineData(false, false, ModelPreference.Cheap, "c/served")]
    [InlineData(true, false, ModelPreference.Cheap, "b/eyes-chat")]
    public void WithImages_TheSelectorPicksOnlyModelsWithVision(bool needsVision, bool needsTools, ModelPreference prefer, string expected)
    {
        var choice = ModelSelector.Choose(Candidates, new SelectionHints(1_000, needsTools, needsVision, prefer), _ => true, out _);

        Assert.Equal(expected, choice?.Model.Reference);
        Assert.Equal(needsVision, choice!.Reason.Contains("vision", StringComparison.Ordinal));
    }

    [Fact]
    public void TheReason_SaysWhatIsNeeded()
    {
        var choice = ModelSelector.Choose(Candidates, new SelectionHints(1_000, true, true, ModelPreference.Balanced), _ => true, out _);

        Assert.Contains("; needs tools and vision;", choice!.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void WithImages_AndNoModelWithVision_TheSelectorSaysSo()
    {
        Assert.Null(ModelSelector.Choose(Candidates, new SelectionHints(1_000, true, true, ModelPreference.Balanced), m => m.Provider is "a" && !m.Descriptor.Features.HasFlag(ModelFeatures.Vision) || m.Provider is "c", out var why));
        Assert.Equal("none of the 3 usable models supports tools and vision", why);
    }

    [Fact]
    public void ANamedModelWithoutVision_IsRefused_NamingIt_ASuggestion_AndTheOverride()
    {
        var problem = ModelSelector.LacksVision("a/text-mid", Candidates[1], ["shot.png"], Candidates);

        Assert.Equal(
            "model a/text-mid does not take images (the model catalog lists its features as: tools), and this prompt attaches an image (shot.png). " +
            "Use a model with vision, e.g. --model a/eyes-mid; or, if the catalog is wrong, declare its vision in config: providers.a.models: [{ id: text-mid, features: [tools, vision] }] " +
            "(a provider with a models list offers exactly the models it lists).",
            problem);
    }

    [Fact]
    public void TheSuggestion_FallsBackToTheEmbeddedCatalogOfTheProvidersType()
    {
        var deepseek = new CatalogModel("work", "openai", new ModelDescriptor("deepseek-chat", 128_000, 8192) { Features = ModelFeatures.Tools }, ModelSource.Catalog);

        var problem = ModelSelector.LacksVision("work/deepseek-chat", deepseek, ["a.png", "b.png"], []);

        Assert.Contains("this prompt attaches 2 images (a.png, b.png)", problem, StringComparison.Ordinal);
        Assert.Contains("e.g. --model work/gpt-4.1-mini;", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void ModelsWithVision_UnknownModels_AndDiscoveredOnes_AreNotRefused()
    {
        Assert.Null(ModelSelector.LacksVision("a/eyes-mid", Candidates[2], ["shot.png"], Candidates));
        Assert.Null(ModelSelector.LacksVision("x/unknown", null, ["shot.png"], Candidates));
        Assert.Null(ModelSelector.LacksVision("c/served", Candidates[5], ["shot.png"], Candidates));
        Assert.Null(ModelSelector.LacksVision("a/text-mid", Candidates[1], [], Candidates));
    }
}
