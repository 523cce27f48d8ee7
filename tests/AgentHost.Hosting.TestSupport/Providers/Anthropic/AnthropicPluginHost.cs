using AgentHost.Sdk.Capabilities;
using AgentHost.Tests.Support;
using Microsoft.Extensions.AI;

namespace AgentHost.Tests.Providers.Anthropic;

/// <summary>The anthropic plugin loaded from the bundled catalog exactly as the host loads it, plus a fake API server.</summary>
public abstract class AnthropicPluginHost() : ProviderPluginHost<FakeAnthropicServer>("anthropic")
{
    public const string ApiKey = "sk-ant-test-0123456789-secret";

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
        CreateClient(Options(settings, headers, model));

    protected static Task<List<ChatResponseUpdate>> StreamAsync(IChatClient client, IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        CollectAsync(client.GetStreamingResponseAsync(messages, options, cancellationToken));

    protected static List<ChatMessage> Prompt(string text = "hi") => [new(ChatRole.User, text)];
}
