using AgentHost.Hosting.Capabilities;
namespace AgentHost.Hosting.Plugins;

/// <summary>The outcome of loading one plugin.</summary>
public enum PluginLoadStatus
{
    /// <summary>Loaded; its capabilities are registered.</summary>
    Loaded,

    /// <summary>Failed while reading, loading or registering; the message says why.</summary>
    Failed,

    /// <summary>Refused before any of its code ran: unsupported SDK, tampered content, duplicate id.</summary>
    Refused,

    /// <summary>Not loaded because it is disabled.</summary>
    Disabled,
}

/// <summary>The result of loading one plugin.</summary>
/// <param name="PluginId">The plugin id (the folder name when the manifest could not be read).</param>
/// <param name="Version">The version, when known.</param>
/// <param name="Status">The status.</param>
/// <param name="Error">What went wrong and how to fix it, when not loaded.</param>
public sealed record PluginLoadResult(string PluginId, string? Version, PluginLoadStatus Status, string? Error)
{
    /// <summary>The registered capabilities, when loaded.</summary>
    public IReadOnlyList<RegisteredCapability> Capabilities { get; init; } = [];
}

/// <summary>What to load.</summary>
/// <param name="Directory">The plugin folder (with <c>plugin.yaml</c>).</param>
public sealed record PluginLoadRequest(string Directory)
{
    /// <summary>
    /// The id the plugin is registered under when it is not its manifest's: an installed plugin's lockfile id, which for
    /// a marketplace plugin is <c>name@marketplace</c> (<see cref="PluginIds"/>). The manifest's id when <see langword="null"/>.
    /// </summary>
    public string? Id { get; init; }

    /// <summary>The expected content hash; when set, a mismatch refuses the plugin.</summary>
    public string? ExpectedHash { get; init; }

    /// <summary>The plugin's configuration section.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();
}
