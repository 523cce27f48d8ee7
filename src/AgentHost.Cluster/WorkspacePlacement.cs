using Orleans.Placement;

namespace AgentHost.Cluster;

/// <summary>
/// Placement by workspace (docs/cluster.md "Workspaces"): a session's grain is placed only on a node whose roots hold the
/// session's root, preferring the node that took the call (<see cref="WorkspacePlacementDirector"/>).
/// </summary>
[GenerateSerializer]
[Immutable]
internal sealed class WorkspacePlacement : PlacementStrategy;

/// <summary>Places a grain class by its session's workspace (<see cref="WorkspacePlacement"/>).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
internal sealed class WorkspacePlacementAttribute() : PlacementAttribute(new WorkspacePlacement());
