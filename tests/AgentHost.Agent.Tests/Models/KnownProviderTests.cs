using AgentHost.Agent.Models;
using AgentHost.Agent.Runs;
using AgentHost.Hosting;
using AgentHost.Hosting.Configuration;
using AgentHost.Tests.Support;

namespace AgentHost.Agent.Tests.Models;

/// <summary>The known services of the catalog: which key a provider gets, where it points, and which models it offers.</summary>
public sealed class KnownProviderTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private (ConfigurationSnapshot Configuration, HostEnvironment Environment) Configure(string yaml, IDictionary<string, string>? variables = null)
    {
        var repo = _temp.Combine("repo");
        Directory.CreateDirectory(Path.Combine(repo, ".git"));
        _temp.WriteFile("repo/.agent/config.yaml", yaml);
        var environment = TestEnvironment.Create(_temp.Path, repo, variables);
        return (ConfigurationResolver.Resolve(environment, AgentPaths.Resolve(environment), ["permissions.trusted_projects.0=" + repo]), environment);
    }

    [Fact]
    public void TheCatalog_KnowsTheCommonServices_WithTheirKeyVariables()
    {
        var names = KnownProvider.All.Select(p => p.Name).ToList();

        Assert.Equal(["openai", "anthropic", "ollama", "openrouter", "groq", "deepseek", "gemini", "mistral", "xai", "together", "fireworks", "lmstudio", "vllm", "llamacpp"], names);
        Assert.All(KnownProvider.All.Where(p => !p.IsLocal), p => Assert.Equal(p.Name.ToUpperInvariant() + "_API_KEY", p.KeyVariable));
        Assert.All(KnownProvider.All.Where(p => p.IsLocal), p => Assert.Equal("localhost", p.BaseUrl.Host));
        Assert.All(KnownProvider.All.Where(p => !p.IsLocal), p => Assert.Equal(Uri.UriSchemeHttps, p.BaseUrl.Scheme));
    }

    [Fact]
    public void AServiceEntry_KeepsItsKeyVariable_ACustomEndpointGetsNone()
    {
        var (configuration, environment) = Configure(
            "providers:\n  openrouter:\n    headers: { X-Title: t }\n  local:\n    type: openai\n    base_url: http://127.0.0.1:8000/v1\n",
            new Dictionary<string, string> { ["OPENROUTER_API_KEY"] = "sk-or", ["OPENAI_API_KEY"] = "sk-oa" });

        var openrouter = ModelSelection.Options("openrouter", "m", configuration, environment);
        var local = ModelSelection.Options("local", "m", configuration, environment);
        var groq = ProviderDirectory.All(configuration).Single(e => e.Name == "groq");

        Assert.Equal(("sk-or", new Uri("https://openrouter.ai/api/v1")), (openrouter.ApiKey, openrouter.BaseUrl));
        Assert.Null(local.ApiKey);
        Assert.Equal("no key: export GROQ_API_KEY=<your key>, or store one with 'agent auth login groq'", ProviderDirectory.WhyUnusable(groq, environment));
    }

    [Fact]
    public void ACloudPlatformEntry_GetsNoAnthropicKey_AndTalksToNoKnownService()
    {
        var (configuration, environment) = Configure(
            "providers:\n  aws:\n    type: anthropic\n    settings: { platform: bedrock, aws_region: us-east-1 }\n  gcp:\n    type: anthropic\n    api_key_env: VERTEX_TOKEN\n    settings: { platform: vertex }\n  claude:\n    type: anthropic\n    settings: { platform: anthropic }\n",
            new Dictionary<string, string> { ["ANTHROPIC_API_KEY"] = "sk-ant-must-not-go-to-aws", ["VERTEX_TOKEN"] = "ya29.token" });

        var aws = ModelSelection.Options("aws", "anthropic.claude-sonnet-4-5-20250929-v1:0", configuration, environment);
        var gcp = ModelSelection.Options("gcp", "claude-sonnet-4-5@20250929", configuration, environment);
        var claude = ModelSelection.Options("claude", "claude-sonnet-4-5", configuration, environment);
        var entries = ProviderDirectory.All(configuration);

        Assert.Null(aws.ApiKey);
        Assert.Equal("ya29.token", gcp.ApiKey);
        Assert.Equal("sk-ant-must-not-go-to-aws", claude.ApiKey);
        Assert.Equal(("bedrock", "vertex", null), (configuration.Providers["aws"].Platform, configuration.Providers["gcp"].Platform, configuration.Providers["claude"].Platform));
        Assert.Null(entries.Single(e => e.Name == "aws").Service);
        Assert.Null(ProviderDirectory.WhyUnusable(entries.Single(e => e.Name == "aws"), TestEnvironment.Create(_temp.Path, _temp.Path)));
    }

    [Fact]
    public void OllamaHost_WithoutAScheme_MovesTheOllamaService()
    {
        var (configuration, environment) = Configure("{}\n", new Dictionary<string, string> { ["OLLAMA_HOST"] = "127.0.0.1:9" });

        var options = ModelSelection.Options("ollama", "qwen3:8b", configuration, environment);

        Assert.Equal(new Uri("http://127.0.0.1:9"), options.BaseUrl);
        Assert.Null(options.ApiKey);
    }

    [Fact]
    public void ACustomEndpoint_OffersNoCatalogModels_AServiceOffersItsOwn()
    {
        var (configuration, _) = Configure("providers:\n  local:\n    type: openai\n    base_url: http://127.0.0.1:8000/v1\n  work:\n    type: openai\n");

        var catalog = ModelCatalog.Build(configuration);

        Assert.DoesNotContain(catalog.Models, m => m.Provider == "local");
        Assert.Contains(catalog.Models, m => m.Reference == "work/gpt-4.1");
        Assert.DoesNotContain(catalog.Models, m => m.Reference == "work/deepseek-chat"); // DeepSeek's models are the deepseek service's
    }

    [Fact]
    public void BareIds_AreQualified_OrRejectedWithTheChoices()
    {
        var (configuration, environment) = Configure("providers:\n  work:\n    type: openai\n    api_key_env: WORK_KEY\n", new Dictionary<string, string> { ["OPENAI_API_KEY"] = "sk-oa" });
        var (both, bothEnvironment) = Configure("providers:\n  work:\n    type: openai\n    api_key_env: WORK_KEY\n", new Dictionary<string, string> { ["OPENAI_API_KEY"] = "sk-oa", ["WORK_KEY"] = "sk-w" });

        Assert.Equal("openai/gpt-4.1", ModelLookup.Qualify("gpt-4.1", configuration, null, environment));
        Assert.Equal("anthropic/claude-sonnet-4-5", ModelLookup.Qualify("claude-sonnet-4-5", configuration, null, environment));
        Assert.Equal("deepseek/deepseek-chat", ModelLookup.Qualify("deepseek-chat", configuration, null, environment));
        Assert.Equal("x/y", ModelLookup.Qualify("x/y", configuration, null, environment));
        var ambiguous = Assert.Throws<AgentHostException>(() => ModelLookup.Qualify("gpt-4.1", both, null, bothEnvironment));
        Assert.Equal(ErrorKind.Usage, ambiguous.Kind);
        Assert.Contains("openai/gpt-4.1, work/gpt-4.1", ambiguous.Message, StringComparison.Ordinal);
        var unknown = Assert.Throws<AgentHostException>(() => ModelLookup.Qualify("claude-sonet-4-5", configuration, null, environment));
        Assert.Contains("Did you mean: claude-sonnet-4-5", unknown.Message, StringComparison.Ordinal);
        Assert.Equal("anthropic", ModelSelection.ProviderTypeOf("claude-haiku-4-5", configuration));
        Assert.Equal("openai", ModelSelection.ProviderTypeOf("openrouter/meta-llama/llama-3", configuration));
    }
}
