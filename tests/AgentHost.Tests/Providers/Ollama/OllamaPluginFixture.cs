using AgentHost.Kernel.Plugins;
using AgentHost.Sdk.Capabilities;
using AgentHost.Tests.Support;
using Microsoft.Extensions.AI;

namespace AgentHost.Tests.Providers.Ollama;

/// <summary>The ollama plugin loaded from the bundled catalog, as the host loads it, plus a fake Ollama for each test.</summary>
public abstract class OllamaPluginFixture : IAsyncLifetime
{
    protected const string Model = "qwen3:8b";

    private readonly PluginHarness _harness = new();

    protected FakeOllamaServer Server { get; } = new();

    protected ChatProviderCapability Provider =>
        (ChatProviderCapability)_harness.Registry.Find(CapabilityKind.ChatProvider, "ollama")!.Capability;

    protected IServiceProvider PluginServices => _harness.Host.Loaded["ollama"].ServiceProvider;

    public async Task InitializeAsync()
    {
        var result = await _harness.LoadAsync(Catalog.PathOf("ollama"));
        Assert.True(result.Status == PluginLoadStatus.Loaded, result.Error);
        Server.Models[Model] = new FakeModel("qwen3", 40960, "completion", "tools", "thinking");
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await _harness.DisposeAsync();
    }

    protected ChatProviderOptions Options(string? baseUrl = null, Dictionary<string, string>? settings = null, string model = Model) =>
        new("local", model)
        {
            BaseUrl = new Uri(baseUrl ?? Server.BaseUrl),
            Settings = settings ?? new Dictionary<string, string>(),
        };

    protected IChatClient Client(Dictionary<string, string>? settings = null, string model = Model, string? baseUrl = null) =>
        Provider.CreateClient(Options(baseUrl, settings, model), PluginServices);

    protected static async Task<List<ChatResponseUpdate>> CollectAsync(IAsyncEnumerable<ChatResponseUpdate> stream)
    {
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in stream)
        {
            updates.Add(update);
        }

        return updates;
    }
}
