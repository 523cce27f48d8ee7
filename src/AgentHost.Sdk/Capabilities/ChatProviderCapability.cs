using Microsoft.Extensions.AI;

namespace AgentHost.Sdk.Capabilities;

/// <summary>A model provider type (for example <c>openai</c>) that creates <see cref="IChatClient"/>s.</summary>
/// <remarks>The factory may be called concurrently and must be thread-safe.</remarks>
public sealed class ChatProviderCapability : Capability
{
    /// <summary>
    /// The <see cref="ChatOptions.AdditionalProperties"/> key under which the host passes a key that stays the same for
    /// every request of one conversation (the session id), for a provider whose prompt cache routes by such a key
    /// (OpenAI's <c>prompt_cache_key</c>). A provider without one ignores it; it is never a request field by itself.
    /// </summary>
    public const string CacheKeyProperty = "agenthost.cache_key";

    /// <summary>Creates a provider capability.</summary>
    /// <param name="name">The provider type name used in configuration (<c>providers.&lt;name&gt;.type</c>).</param>
    /// <param name="createClient">Creates a client for a configured provider and model.</param>
    public ChatProviderCapability(string name, Func<ChatProviderOptions, IServiceProvider, IChatClient> createClient)
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(createClient);
        CreateClient = createClient;
    }

    /// <inheritdoc />
    public override CapabilityKind Kind => CapabilityKind.ChatProvider;

    /// <summary>Creates a chat client. The service provider is the plugin's own.</summary>
    public Func<ChatProviderOptions, IServiceProvider, IChatClient> CreateClient { get; }

    /// <summary>Models this provider knows about without asking the endpoint.</summary>
    public IReadOnlyList<ModelDescriptor> Models { get; init; } = [];

    /// <summary>
    /// Whether the model id names a file the provider reads (the scripted provider's <c>scripted/&lt;path&gt;</c>). A shared
    /// server then resolves a relative id against the session's root and refuses a member's id outside that member's
    /// roots, so that a model id cannot make the server read any file it can (docs/server.md).
    /// </summary>
    public bool ModelIdIsPath { get; init; }

    /// <summary>
    /// The provider's setting that names a file it reads instead of the model id (the scripted provider's <c>script</c>),
    /// under <c>providers.NAME</c> or <c>providers.NAME.settings</c>, or <see langword="null"/>. A shared server checks
    /// that file as it checks a model id that is a path: a member's session may use it when the server's own
    /// configuration sets it, and a project's (a trusted root's) only when the file lies inside the member's roots
    /// (docs/server.md).
    /// </summary>
    public string? FileSetting { get; init; }

    /// <summary>
    /// Lists the models a configured endpoint offers (e.g. <c>GET /v1/models</c>, Ollama's <c>/api/tags</c>), when the
    /// provider can; unknown limits may be 0. Throws <see cref="Providers.ProviderException"/> when unreachable.
    /// </summary>
    public Func<ChatProviderOptions, IServiceProvider, CancellationToken, Task<IReadOnlyList<ModelDescriptor>>>? DiscoverModels { get; init; }
}

/// <summary>The resolved configuration of one provider instance, passed to <see cref="ChatProviderCapability.CreateClient"/>.</summary>
/// <param name="Name">The configured provider name (the key under <c>providers:</c>).</param>
/// <param name="ModelId">The model to talk to.</param>
public sealed record ChatProviderOptions(string Name, string ModelId)
{
    /// <summary>The endpoint, when configured.</summary>
    public Uri? BaseUrl { get; init; }

    /// <summary>The API key, when configured. A secret: never log it.</summary>
    public string? ApiKey { get; init; }

    /// <summary>Extra HTTP headers.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>What the host knows about the model (catalog or discovery), when anything.</summary>
    public ModelDescriptor? Model { get; init; }

    /// <summary>Other provider settings, flattened with <c>.</c>.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();
}
