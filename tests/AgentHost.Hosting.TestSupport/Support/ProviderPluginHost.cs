using AgentHost.Hosting.Capabilities;
using AgentHost.Hosting.Plugins;
using AgentHost.Sdk.Capabilities;
using Microsoft.Extensions.AI;

namespace AgentHost.Tests.Support;

/// <summary>
/// A provider plugin loaded from the bundled catalog exactly as the host loads it, plus a fake server of its API.
/// Clients made through <see cref="CreateClient"/> are disposed with the host.
/// </summary>
public abstract class ProviderPluginHost<TServer>(string plugin) : IAsyncLifetime
    where TServer : FakeHttpServer, new()
{
    private readonly PluginHarness _harness = new();
    private readonly List<IChatClient> _clients = [];

    public TServer Server { get; } = new();

    public ChatProviderCapability Provider => (ChatProviderCapability)Entry.Capability;

    public IServiceProvider Services => _harness.Host.Loaded[Entry.PluginId].ServiceProvider;

    private RegisteredCapability Entry => _harness.Registry.Find(CapabilityKind.ChatProvider, plugin) ?? throw new InvalidOperationException($"{plugin} provider not registered");

    public virtual async Task InitializeAsync()
    {
        var result = await _harness.LoadAsync(Catalog.PathOf(plugin));
        Assert.True(result.Status == PluginLoadStatus.Loaded, result.Error);
    }

    public async Task DisposeAsync()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        await Server.DisposeAsync();
        await _harness.DisposeAsync();
    }

    public IChatClient CreateClient(ChatProviderOptions options)
    {
        var client = Provider.CreateClient(options, Services);
        _clients.Add(client);
        return client;
    }

    public Task<IReadOnlyList<ModelDescriptor>> DiscoverAsync(ChatProviderOptions options) => Provider.DiscoverModels!(options, Services, CancellationToken.None);

    protected static Task<List<ChatResponseUpdate>> CollectAsync(IAsyncEnumerable<ChatResponseUpdate> stream) => stream.CollectAsync();
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
