namespace AgentHost.Sdk.Capabilities;

/// <summary>A capability as another plugin contributed it.</summary>
/// <param name="Capability">The capability (immutable).</param>
/// <param name="PluginId">The plugin that contributed it.</param>
public sealed record CapabilityEntry(Capability Capability, string PluginId);

/// <summary>
/// A read-only view of every loaded plugin's capabilities, for plugins that build on others' declarations (the LSP
/// bridge reads every <see cref="LspServerCapability"/>). Reach it through <see cref="PluginContext.Capabilities"/>
/// or resolve it from the plugin's service provider.
/// </summary>
/// <remarks>
/// Thread-safe. <see cref="Changed"/> is raised after plugins are loaded or unloaded, on the thread that changed
/// them; handlers end when the viewing plugin unloads.
/// </remarks>
public interface ICapabilityView
{
    /// <summary>Raised after capabilities were added or removed.</summary>
    event EventHandler? Changed;

    /// <summary>The loaded capabilities of one kind, ordered by name, then plugin id.</summary>
    /// <param name="kind">The kind.</param>
    /// <returns>A snapshot.</returns>
    IReadOnlyList<CapabilityEntry> OfKind(CapabilityKind kind);
}

/// <summary>The view of a context created outside a host: nothing is loaded.</summary>
internal sealed class EmptyCapabilityView : ICapabilityView
{
    public static EmptyCapabilityView Instance { get; } = new();

    public event EventHandler? Changed
    {
        add { }
        remove { }
    }

    public IReadOnlyList<CapabilityEntry> OfKind(CapabilityKind kind) => [];
}
