using AgentHost.Hosting.Plugins.Caches;
using AgentHost.Hosting.Plugins.Settings;
using AgentHost.Sdk.Capabilities;
using NuGet.Versioning;

namespace AgentHost.Hosting.Plugins.Manifests;

/// <summary>A parsed <c>plugin.yaml</c>.</summary>
/// <remarks>Immutable. Produced by <see cref="ManifestReader"/>, which has already validated every field.</remarks>
public sealed record PluginManifest
{
    /// <summary>The manifest file name at a plugin's root.</summary>
    public const string FileName = "plugin.yaml";

    /// <summary>The plugin id: lowercase letters, digits and single <c>.</c>, <c>-</c> or <c>_</c> separators.</summary>
    public required string Id { get; init; }

    /// <summary>The plugin version (semantic version).</summary>
    public required NuGetVersion Version { get; init; }

    /// <summary>What the plugin does.</summary>
    public required string Description { get; init; }

    /// <summary>Authors.</summary>
    public IReadOnlyList<string> Authors { get; init; } = [];

    /// <summary>License expression, for example <c>MIT</c>.</summary>
    public string? License { get; init; }

    /// <summary>The SDK versions the plugin works with.</summary>
    public required SdkRange Sdk { get; init; }

    /// <summary>The entry assembly path relative to the plugin root, when the plugin has code.</summary>
    public string? EntryAssembly { get; init; }

    /// <summary>The entry type's full name, when the assembly has more than one <see cref="AgentHost.Sdk.AgentPlugin"/>.</summary>
    public string? EntryType { get; init; }

    /// <summary>What the plugin does on the host: spawns processes, uses the network, writes files.</summary>
    public IReadOnlyList<HostCapability> Uses { get; init; } = [];

    /// <summary>
    /// Whether the manifest asks for lazy activation (<c>activation: lazy</c>): the plugin only registers tools, and its
    /// <c>Register</c> depends on nothing but its settings, so the host may describe its tools from the plugin snapshot
    /// (<see cref="PluginSnapshots"/>) and load its code at the first tool call. Plugins that register anything else load
    /// eagerly whatever this says.
    /// </summary>
    public bool LazyActivation { get; init; }

    /// <summary>Skill folders relative to the plugin root.</summary>
    public IReadOnlyList<string> SkillDirectories { get; init; } = [];

    /// <summary>Declared language servers.</summary>
    public IReadOnlyList<LspServerCapability> LspServers { get; init; } = [];

    /// <summary>Declared MCP servers.</summary>
    public IReadOnlyList<McpServerCapability> McpServers { get; init; } = [];

    /// <summary>
    /// Hook files relative to the plugin root, each in Claude Code's hooks format (<c>{"hooks": {"PreToolUse": [...]}}</c>;
    /// see docs/hooks.md). A command may use <c>${CLAUDE_PLUGIN_ROOT}</c> (or <c>${AGENT_PLUGIN_ROOT}</c>) for the plugin folder.
    /// </summary>
    public IReadOnlyList<string> HookFiles { get; init; } = [];

    /// <summary>
    /// The settings the plugin declares (<c>settings:</c>, name → type and limits), checked against
    /// <c>plugins.settings.&lt;id&gt;</c> by <see cref="PluginSettingsCheck"/> when the configuration is written and before
    /// the plugin loads; <see langword="null"/> when the manifest declares none (its settings are then not checked by the host).
    /// </summary>
    public IReadOnlyDictionary<string, PluginSettingDeclaration>? Settings { get; init; }

    /// <summary>Folders of prompt commands (<c>*.md</c>, optional front matter) relative to the plugin root.</summary>
    public IReadOnlyList<string> CommandDirectories { get; init; } = [];

    /// <summary>Folders of workflow files (<c>*.yaml</c>, <c>*.yml</c>; docs/workflows.md) relative to the plugin root.</summary>
    public IReadOnlyList<string> WorkflowDirectories { get; init; } = [];

    /// <summary>The format the plugin was written in: our <c>plugin.yaml</c>, or a Claude Code plugin read as one.</summary>
    public PluginFormat Format { get; init; } = PluginFormat.AgentHost;

    /// <summary>
    /// Parts of a plugin in a foreign format that the host does not map, each one line naming the part and why
    /// (for example <c>agents/reviewer.md: sub-agent profiles are not supported</c>); shown at install, never dropped silently.
    /// </summary>
    public IReadOnlyList<string> NotMapped { get; init; } = [];

    /// <summary>
    /// The file the manifest was read from: <c>plugin.yaml</c>, a Claude Code plugin's <c>.claude-plugin/plugin.json</c>,
    /// or, for a Claude Code plugin in the default layout without a manifest, the plugin folder itself.
    /// </summary>
    public required string FilePath { get; init; }

    /// <summary>The plugin root folder (by default the folder of <see cref="FilePath"/>).</summary>
    public string Directory
    {
        get => _directory ?? Path.GetDirectoryName(FilePath)!;
        init => _directory = value;
    }

    private readonly string? _directory;

    /// <summary>The plugin's home page, when the manifest gives one.</summary>
    public string? Homepage { get; init; }

    /// <summary>Whether the plugin has code (an entry assembly).</summary>
    public bool HasCode => EntryAssembly is not null;
}

/// <summary>The format a plugin's manifest was written in.</summary>
public enum PluginFormat
{
    /// <summary>Our own <c>plugin.yaml</c>.</summary>
    AgentHost,

    /// <summary>A Claude Code plugin (<c>.claude-plugin/plugin.json</c> or its default layout), read as a manifest.</summary>
    ClaudeCode,
}

/// <summary>Host capabilities a plugin declares it uses; shown to the user at install.</summary>
public enum HostCapability
{
    /// <summary>Starts child processes.</summary>
    Processes,

    /// <summary>Talks to the network.</summary>
    Network,

    /// <summary>Writes files outside its own folder.</summary>
    Files,
}
