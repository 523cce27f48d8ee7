using AgentHost.Kernel.Plugins;
using AgentHost.Sdk.Capabilities;
using AgentHost.Tests.Support;
using Microsoft.Extensions.AI;

namespace AgentHost.Tests.Providers.Anthropic;

/// <summary>The anthropic plugin loaded from the bundled catalog exactly as the host loads it, plus a fake API server.</summary>
public abstract class AnthropicPluginHost : IAsyncLifetime
{
    public const string ApiKey = "sk-ant-test-0123456789-secret";

    private readonly PluginHarness _harness = new();

    protected FakeAnthropicServer Server { get; } = new();

    protected ChatProviderCapability Provider =>
        (ChatProviderCapability)_harness.Registry.Find(CapabilityKind.ChatProvider, "anthropic")!.Capability;

    protected IServiceProvider Services => _harness.Host.Loaded["anthropic"].ServiceProvider;

    public async Task InitializeAsync()
    {
        var result = await _harness.LoadAsync(Catalog.PathOf("anthropic"));
        Assert.True(result.Status == PluginLoadStatus.Loaded, result.Error);
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await _harness.DisposeAsync();
    }

    protected ChatProviderOptions Options(IReadOnlyDictionary<string, string>? settings = null, IReadOnlyDictionary<string, string>? headers = null, ModelDescriptor? model = null) =>
        new("claude", "claude-test")
        {
            BaseUrl = new Uri(Server.BaseUrl),
            ApiKey = ApiKey,
            Headers = headers ?? new Dictionary<string, string>(),
            Settings = settings ?? new Dictionary<string, string>(),
            Model = model,
        };

    protected IChatClient Client(IReadOnlyDictionary<string, string>? settings = null, IReadOnlyDictionary<string, string>? headers = null, ModelDescriptor? model = null) =>
        Provider.CreateClient(Options(settings, headers, model), Services);

    protected static async Task<List<ChatResponseUpdate>> StreamAsync(IChatClient client, IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync(messages, options, cancellationToken))
        {
            updates.Add(update);
        }

        return updates;
    }

    protected static List<ChatMessage> Prompt(string text = "hi") => [new(ChatRole.User, text)];
}
