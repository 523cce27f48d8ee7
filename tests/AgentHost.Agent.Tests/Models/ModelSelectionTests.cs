using AgentHost.Agent.Models;
using AgentHost.Agent.Runs;
using AgentHost.Hosting;
using AgentHost.Hosting.Configuration;
using AgentHost.Sdk.Capabilities;
using AgentHost.Tests.Support;

namespace AgentHost.Agent.Tests.Models;

public sealed class ModelSelectionTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private ConfigurationSnapshot Configure(string yaml, IDictionary<string, string>? variables = null)
    {
        var repo = _temp.Combine("repo");
        Directory.CreateDirectory(Path.Combine(repo, ".git"));
        _temp.WriteFile("repo/.agent/config.yaml", yaml);
        var environment = TestEnvironment.Create(_temp.Path, repo, variables);

        // The configuration is the test's own: trusted, so its provider settings apply.
        return ConfigurationResolver.Resolve(environment, AgentPaths.Resolve(environment), ["permissions.trusted_projects.0=" + repo]);
    }

    private static CatalogModel Model(string provider, string id, int window, ModelTier tier, decimal input, decimal output, ModelFeatures features = ModelFeatures.Tools) =>
        new(provider, provider, new ModelDescriptor(id, window, 4096) { InputPricePerMillion = input, OutputPricePerMillion = output, Features = features }, ModelSource.Catalog) { Tier = tier };

    private static readonly CatalogModel[] Candidates =
    [
        Model("a", "fast-1", 128_000, ModelTier.Fast, 0.1m, 0.4m),
        Model("a", "mid-1", 200_000, ModelTier.Balanced, 1m, 4m, ModelFeatures.Tools | ModelFeatures.Vision),
        Model("b", "best-1", 200_000, ModelTier.Best, 3m, 15m, ModelFeatures.Tools | ModelFeatures.Vision),
        Model("b", "huge-1", 1_000_000, ModelTier.Balanced, 2m, 8m),
        Model("c", "chat-only", 32_000, ModelTier.Fast, 0m, 0m, ModelFeatures.None),
    ];

    [Theory]
    [InlineData(1_000, true, false, ModelPreference.Balanced, "a/mid-1")]
    [InlineData(1_000, true, false, ModelPreference.Fast, "a/fast-1")]
    [InlineData(1_000, true, false, ModelPreference.Best, "b/best-1")]
    [InlineData(1_000, false, false, ModelPreference.Cheap, "c/chat-only")]
    [InlineData(1_000, true, false, ModelPreference.Cheap, "a/fast-1")]
    [InlineData(150_000, true, false, ModelPreference.Fast, "a/mid-1")]
    [InlineData(500_000, true, false, ModelPreference.Best, "b/huge-1")]
    [InlineData(1_000, true, true, ModelPreference.Fast, "a/mid-1")]
    public void TheSelector_FollowsItsRules(long promptTokens, bool tools, bool vision, ModelPreference prefer, string expected)
    {
        var choice = ModelSelector.Choose(Candidates, new SelectionHints(promptTokens, tools, vision, prefer), _ => true, out _);

        Assert.Equal(expected, choice?.Model.Reference);
        Assert.Contains(expected, choice!.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void TheSelector_SaysWhyNothingFits()
    {
        Assert.Null(ModelSelector.Choose(Candidates, new SelectionHints(2_000_000, true, false, ModelPreference.Best), _ => true, out var tooLong));
        Assert.Contains("does not fit", tooLong, StringComparison.Ordinal);
        Assert.Null(ModelSelector.Choose(Candidates, new SelectionHints(10, true, false, ModelPreference.Best), m => m.Provider == "c", out var noTools));
        Assert.Contains("supports tools", noTools, StringComparison.Ordinal);
        Assert.Null(ModelSelector.Choose(Candidates, new SelectionHints(10, true, false, ModelPreference.Best), _ => false, out var none));
        Assert.Contains("no configured provider is usable", none, StringComparison.Ordinal);
    }

    [Fact]
    public void TheCatalog_OffersTheEmbeddedModelsOfAProvidersType_AndConfigOverridesThem()
    {
        var configuration = Configure("""
            providers:
              openai: { api_key_env: OPENAI_API_KEY }
              local:
                type: openai
                base_url: http://127.0.0.1:1/v1
                models:
                  - { id: gpt-4.1-mini, input_price: 0 , output_price: 0, tier: fast }
                  - { id: qwen3-coder, context_window: 65536, features: [tools], tier: best }
            """);

        var catalog = ModelCatalog.Build(configuration);

        var hosted = catalog.Models.Where(m => m.Provider == "openai").ToList();
        Assert.Contains(hosted, m => m.Descriptor.Id == "gpt-4.1" && m.Descriptor.ContextWindow == 1_047_576 && m.Descriptor.InputPricePerMillion == 2m);
        var gpt5 = hosted.Single(m => m.Descriptor.Id == "gpt-5");
        Assert.Equal((128_000, 10m, 0.125m, ModelFeatures.Tools | ModelFeatures.Vision | ModelFeatures.Reasoning, ModelTier.Best), (gpt5.Descriptor.MaxOutputTokens, gpt5.Descriptor.OutputPricePerMillion!.Value, gpt5.Descriptor.CachedInputPricePerMillion!.Value, gpt5.Descriptor.Features, gpt5.Tier));
        var local = catalog.Models.Where(m => m.Provider == "local").ToList();
        Assert.Equal(["gpt-4.1-mini", "qwen3-coder"], local.Select(m => m.Descriptor.Id));
        Assert.Equal((1_047_576, 0m, ModelTier.Fast, ModelSource.Config), (local[0].Descriptor.ContextWindow, local[0].Descriptor.InputPricePerMillion!.Value, local[0].Tier, local[0].Source));
        Assert.Equal((65_536, ModelFeatures.Tools, ModelTier.Best), (local[1].Descriptor.ContextWindow, local[1].Descriptor.Features, local[1].Tier));
        Assert.Equal(200_000, catalog.Find("mine", "anthropic", "claude-sonnet-4-5")!.Descriptor.ContextWindow);

        catalog.AddDiscovered("local", "openai", [new ModelDescriptor("qwen3-coder", 131_072, 0), new ModelDescriptor("llama-new", 8_192, 0)]);
        Assert.Equal(65_536, catalog.Find("local", "openai", "qwen3-coder")!.Descriptor.ContextWindow);
        Assert.Equal(ModelSource.Discovered, catalog.Find("local", "openai", "llama-new")!.Source);
    }

    [Fact]
    public void ApiKeys_ComeFromTheConfiguredSource_OrTheConventionalVariable_WithOneClearMessageWhenMissing()
    {
        var environment = TestEnvironment.Create(_temp.Path, _temp.Path, new Dictionary<string, string> { ["OPENAI_API_KEY"] = "sk-env", ["MY_KEY"] = "sk-mine" });
        var keyFile = _temp.WriteFile("key.txt", "sk-file\n");
        static ProviderSettings Settings(string? env = null, string? file = null, string? command = null, string? baseUrl = null) =>
            new("p", "openai", baseUrl, null, env, file, command, new Dictionary<string, string>(), []);

        Assert.Equal("sk-mine", ProviderKeys.Resolve("p", "openai", Settings(env: "MY_KEY"), environment));
        Assert.Equal("sk-file", ProviderKeys.Resolve("p", "openai", Settings(file: keyFile), environment));
        Assert.Equal("sk-env", ProviderKeys.Resolve("p", "openai", null, environment));
        Assert.Null(ProviderKeys.Resolve("local", "ollama", null, environment));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal("sk-cmd", ProviderKeys.Resolve("p", "openai", Settings(command: "printf 'sk-cmd\\n'"), environment));
            var failing = Assert.Throws<AgentHost.Hosting.AgentHostException>(() => ProviderKeys.Resolve("p", "openai", Settings(command: "echo nope >&2; exit 3"), environment));
            Assert.Contains("exited with 3", failing.Message, StringComparison.Ordinal);
        }

        var bare = TestEnvironment.Create(_temp.Path, _temp.Path);
        var missing = Assert.Throws<AgentHost.Hosting.AgentHostException>(() => ProviderKeys.Resolve("claude", "anthropic", null, bare));
        Assert.Contains("export ANTHROPIC_API_KEY=", missing.Message, StringComparison.Ordinal);
        Assert.Null(ProviderKeys.Resolve("local", "openai", Settings(baseUrl: "http://127.0.0.1:1/v1"), bare));
        var unset = Assert.Throws<AgentHost.Hosting.AgentHostException>(() => ProviderKeys.Resolve("p", "openai", Settings(env: "NOT_SET_ANYWHERE"), bare));
        Assert.Contains("Export NOT_SET_ANYWHERE=", unset.Message, StringComparison.Ordinal);
    }
}
