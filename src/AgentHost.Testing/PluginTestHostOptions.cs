using AgentHost.Sdk.Tools;

namespace AgentHost.Testing;

/// <summary>How <see cref="PluginTestHost"/> starts a plugin.</summary>
/// <remarks>Read once, when the host starts; changes afterwards have no effect. Not thread-safe.</remarks>
public sealed class PluginTestHostOptions
{
    /// <summary>
    /// The plugin's <c>plugin.yaml</c> (or its folder). By default the host looks next to the plugin's assembly, then
    /// walks up from the test's base directory; when it finds none, the error lists every place it looked.
    /// </summary>
    public string? ManifestPath { get; set; }

    /// <summary>
    /// The workspace root tool calls are confined to (<see cref="ToolContext.GetWorkspaceRoot"/>); created when
    /// missing and never deleted. By default a fresh temporary folder, deleted when the host is disposed.
    /// </summary>
    public string? WorkspaceRoot { get; set; }

    /// <summary>
    /// The plugin's configuration section (<c>plugins.settings.&lt;id&gt;</c> in config.yaml), flattened with <c>.</c>
    /// (<c>server.url</c>); the plugin reads it from <c>PluginContext.Settings</c>. Keys are case-insensitive.
    /// </summary>
    public IDictionary<string, string> Settings { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Decides every tool call, as the permission gate of <c>agent</c> would (after argument validation, before the
    /// tool runs); <see langword="false"/> denies the call, which then ends as <see cref="Sdk.Events.ToolCallStatus.Denied"/>
    /// and the model is told. Approves every call when <see langword="null"/>. A callback that throws denies the call.
    /// </summary>
    public Func<ToolPermissionCheck, bool>? Approve { get; set; }

    /// <summary>
    /// Receives the plugin's log lines (Information and above) and the kernel's warnings (such as a plugin event handler
    /// that threw), e.g. <c>ITestOutputHelper.WriteLine</c>. Called from any thread; not called after the host is disposed.
    /// </summary>
    public Action<string>? Log { get; set; }
}

/// <summary>One tool call awaiting a permission decision, as <see cref="PluginTestHostOptions.Approve"/> sees it.</summary>
/// <param name="Tool">The tool name.</param>
/// <param name="Effect">What the tool does to the world, from its <see cref="ToolMetadata"/>.</param>
/// <param name="Action">What the call does, from <see cref="ToolMetadata.DescribeCall"/> (the tool name by default).</param>
/// <param name="Subject">What the call acts on (a path, a URL, a command), when the tool describes it.</param>
public sealed record ToolPermissionCheck(string Tool, ToolEffect Effect, string Action, string? Subject);
