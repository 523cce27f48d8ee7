using AgentHost.Sdk;
using AgentHost.Sdk.Capabilities;

namespace AgentHost.Plugins.Scripted;

/// <summary>
/// Registers the <c>scripted</c> chat provider. The model id is the path of a script file
/// (<see cref="ChatProviderCapability.ModelIdIsPath"/>: on a shared server, inside the member's roots).
/// </summary>
public sealed class ScriptedPlugin : AgentPlugin
{
    protected override void RegisterCore(IPluginBuilder builder) =>
        builder.Add(new ChatProviderCapability(
            "scripted",
            (options, _) => new ScriptedChatClient(ConversationScript.Load(ResolveScript(options)), options.ModelId))
        {
            Models = [new ModelDescriptor("script", ContextWindow: 200_000, MaxOutputTokens: 8_192) { DisplayName = "A conversation script file" }],
            ModelIdIsPath = true,
            FileSetting = ScriptSetting,
        });

    /// <summary>The setting that names the script instead of the model id (<c>providers.NAME.settings.script</c>).</summary>
    private const string ScriptSetting = "script";

    private static string ResolveScript(ChatProviderOptions options) =>
        options.Settings.TryGetValue(ScriptSetting, out var configured) ? configured : options.ModelId;
}
