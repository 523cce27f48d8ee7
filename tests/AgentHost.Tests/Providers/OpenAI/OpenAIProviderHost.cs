using AgentHost.Kernel.Capabilities;
using AgentHost.Kernel.Plugins;
using AgentHost.Sdk.Capabilities;
using AgentHost.Tests.Support;
using Microsoft.Extensions.AI;

namespace AgentHost.Tests.Providers.OpenAI;

/// <summary>The openai plugin loaded from the bundled catalog exactly as the host loads it, plus a fake server.</summary>
public sealed class OpenAIProviderHost : IAsyncLifetime
{
    public const string Key = "sk-test-0123456789abcdef";

    private readonly PluginHarness _harness = new();
    private readonly List<IChatClient> _clients = [];
    private ChatProviderCapability? _provider;
    private IServiceProvider? _services;

    public FakeOpenAIServer Server { get; } = new();

    public ChatProviderCapability Provider => _provider ?? throw new InvalidOperationException("not initialized");

    public async Task InitializeAsync()
    {
        var result = await _harness.LoadAsync(Catalog.PathOf("openai"));
        Assert.True(result.Status == PluginLoadStatus.Loaded, result.Error);
        var entry = _harness.Registry.Find(CapabilityKind.ChatProvider, "openai") ?? throw new InvalidOperationException("openai provider not registered");
        _provider = (ChatProviderCapability)entry.Capability;
        _services = _harness.Host.Loaded[entry.PluginId].ServiceProvider;
    }

    public ChatProviderOptions Options(string? apiKey = Key, IReadOnlyDictionary<string, string>? headers = null, IReadOnlyDictionary<string, string>? settings = null, Uri? baseUrl = null) =>
        new("local", "test-model")
        {
            BaseUrl = baseUrl ?? Server.BaseUrl,
            ApiKey = apiKey,
            Headers = headers ?? new Dictionary<string, string>(),
            Settings = settings ?? new Dictionary<string, string>(),
        };

    public IChatClient Client(string? apiKey = Key, IReadOnlyDictionary<string, string>? headers = null, IReadOnlyDictionary<string, string>? settings = null, Uri? baseUrl = null)
    {
        var client = Provider.CreateClient(Options(apiKey, headers, settings, baseUrl), _services!);
        _clients.Add(client);
        return client;
    }

    public Task<IReadOnlyList<ModelDescriptor>> DiscoverAsync(ChatProviderOptions options) => Provider.DiscoverModels!(options, _services!, CancellationToken.None);

    public async Task DisposeAsync()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        await Server.DisposeAsync();
        await _harness.DisposeAsync();
    }
}

/// <summary>Helpers for streamed responses.</summary>
public static class StreamExtensions
{
    public static async Task<List<ChatResponseUpdate>> CollectAsync(this IAsyncEnumerable<ChatResponseUpdate> stream)
    {
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in stream)
        {
            updates.Add(update);
        }

        return updates;
    }
}
