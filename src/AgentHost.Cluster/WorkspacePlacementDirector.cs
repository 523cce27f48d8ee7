using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Orleans.Runtime.Placement;

namespace AgentHost.Cluster;

/// <summary>
/// Places a session's grain, or a workflow run's (<see cref="WorkspacePlacement"/>), among the active nodes whose roots hold the session's root:
/// this node when it serves the root, else one that does; when none does, the call fails with the root and what each node
/// serves. Runs where the call was sent, only when the grain is not active anywhere. The root comes with a create's call
/// (<see cref="RootKey"/> in the request context), as with a workflow run's first watch; for a stored session or run it is
/// read from the store (one read per placement).
/// </summary>
internal sealed class WorkspacePlacementDirector(ISiloMetadataCache metadata, NodeWorkspaces workspaces, ClusterNodeServer node, IOptions<ClusterOptions> cluster)
    : IPlacementDirector
{
    /// <summary>The request context key of the session's root, set for a create (whose session is not stored yet).</summary>
    public const string RootKey = "agenthost.root";

    private static readonly GrainType WorkflowRunType = GrainType.Create(WorkflowRunGrain.TypeName);

    public async Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var compatible = context.GetCompatibleSilos(target);
        if (IPlacementDirector.GetPlacementHint(target.RequestContextData, compatible) is { } hint)
        {
            return hint;
        }

        var local = context.LocalSiloStatus == SiloStatus.Active && compatible.Contains(context.LocalSilo) ? context.LocalSilo : null;
        var root = target.RequestContextData is { } data && data.TryGetValue(RootKey, out var value) && value is string given
            ? given
            : await FindRootAsync(target.GrainIdentity).ConfigureAwait(false);
        if (root is null)
        {
            // No such session: the node that took the call answers (404), as before placement by workspace.
            return local ?? compatible[Random.Shared.Next(compatible.Length)];
        }

        var nodes = compatible
            .Select(silo => new WorkspaceNode<SiloAddress>(
                silo,
                ClusterStatus.Address(silo),
                silo.Equals(context.LocalSilo) ? workspaces.Roots : NodeWorkspaces.FromMetadata(metadata.GetSiloMetadata(silo).Metadata)))
            .ToList();
        return NodeWorkspaces.Choose(root, nodes, local, cluster.Value.ClusterId, Random.Shared);
    }

    /// <summary>The stored root of the grain's session, or of its workflow run (<see cref="WorkflowRunGrain"/>).</summary>
    private async Task<string?> FindRootAsync(GrainId grain)
    {
        var server = await node.ServerAsync().ConfigureAwait(false);
        var key = grain.Key.ToString()!;
        return grain.Type.Equals(WorkflowRunType)
            ? await server.FindWorkflowRunRootAsync(key).ConfigureAwait(false)
            : await server.FindSessionRootAsync(key).ConfigureAwait(false);
    }
}
