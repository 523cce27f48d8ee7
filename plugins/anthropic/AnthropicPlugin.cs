using AgentHost.Sdk;

namespace AgentHost.Plugins.Anthropic;

/// <summary>
/// Registers the <c>anthropic</c> chat provider (Claude through the official Anthropic SDK), with the well-known Claude
/// models and discovery of the endpoint's models.
/// </summary>
public sealed class AnthropicPlugin : AgentPlugin
{
    /// <inheritdoc />
    protected override void RegisterCore(IPluginBuilder builder) =>
        builder.AddChatProvider("anthropic", AnthropicProvider.CreateClient, AnthropicProvider.DiscoverModelsAsync, KnownModels.All);
}
