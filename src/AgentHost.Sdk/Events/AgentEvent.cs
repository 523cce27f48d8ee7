namespace AgentHost.Sdk.Events;

/// <summary>The base of everything published on the host event bus.</summary>
/// <remarks>Events are immutable. <see cref="Type"/> is the stable name used in JSON output (<c>plugin.loaded</c>).</remarks>
public abstract record AgentEvent
{
    /// <summary>The stable event type name.</summary>
    public abstract string Type { get; }

    /// <summary>When the event happened.</summary>
    public DateTimeOffset Timestamp { get; init; } = DateTimeOffset.UtcNow;
}

/// <summary>A plugin was loaded and its capabilities registered.</summary>
/// <param name="PluginId">The plugin id.</param>
/// <param name="Version">The plugin version.</param>
/// <param name="CapabilityCount">How many capabilities it registered.</param>
public sealed record PluginLoadedEvent(string PluginId, string Version, int CapabilityCount) : AgentEvent
{
    /// <inheritdoc />
    public override string Type => "plugin.loaded";
}

/// <summary>A plugin could not be loaded; the host goes on without it.</summary>
/// <param name="PluginId">The plugin id (the folder name when the manifest could not be read).</param>
/// <param name="Error">What went wrong and how to fix it.</param>
public sealed record PluginFailedEvent(string PluginId, string Error) : AgentEvent
{
    /// <inheritdoc />
    public override string Type => "plugin.failed";
}

/// <summary>A plugin was unloaded.</summary>
/// <param name="PluginId">The plugin id.</param>
public sealed record PluginUnloadedEvent(string PluginId) : AgentEvent
{
    /// <inheritdoc />
    public override string Type => "plugin.unloaded";
}

/// <summary>A non-fatal problem a user should see, for example a capability name clash.</summary>
/// <param name="Source">Who reports it (plugin id or component).</param>
/// <param name="Message">The warning.</param>
public sealed record WarningEvent(string Source, string Message) : AgentEvent
{
    /// <inheritdoc />
    public override string Type => "warning";
}
