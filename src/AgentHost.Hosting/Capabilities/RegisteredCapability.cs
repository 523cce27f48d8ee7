using AgentHost.Sdk.Capabilities;

namespace AgentHost.Hosting.Capabilities;

/// <summary>A capability with its provenance.</summary>
/// <param name="Capability">The capability.</param>
/// <param name="PluginId">The plugin that contributed it.</param>
/// <param name="PluginVersion">That plugin's version.</param>
public sealed record RegisteredCapability(Capability Capability, string PluginId, string PluginVersion)
{
    /// <summary>The capability kind.</summary>
    public CapabilityKind Kind => Capability.Kind;

    /// <summary>The plain name.</summary>
    public string Name => Capability.Name;

    /// <summary>The qualified name <c>plugin-id/name</c>, always unique.</summary>
    public string QualifiedName => $"{PluginId}/{Capability.Name}";
}
