using System.Globalization;
using AgentHost.Server;
using Orleans.Runtime.MembershipService.SiloMetadata;

namespace AgentHost.Cluster;

/// <summary>The cluster as this node sees it: Orleans' membership, each active node's session grains and the roots it serves.</summary>
internal sealed class ClusterStatus(IGrainFactory grains, NodeWorkspaces workspaces, ISiloMetadataCache metadata, string clusterId, string node, string store) : IClusterStatus
{
    public async Task<ClusterView> DescribeAsync(CancellationToken cancellationToken)
    {
        var management = grains.GetGrain<IManagementGrain>(0);
        var hosts = await management.GetHosts(onlyActive: false, cancellationToken).ConfigureAwait(false);
        var statistics = await management.GetSimpleGrainStatistics(cancellationToken).ConfigureAwait(false);
        var sessions = statistics
            .Where(s => s.GrainType.Contains(nameof(SessionGrain), StringComparison.Ordinal))
            .GroupBy(s => s.SiloAddress)
            .ToDictionary(g => g.Key, g => g.Sum(s => s.ActivationCount));
        var nodes = hosts
            .OrderBy(h => h.Key.ToParsableString(), StringComparer.Ordinal)
            .Select(h => new ClusterNodeView(
                Address(h.Key),
                h.Value.ToString().ToLowerInvariant(),
                h.Value == SiloStatus.Active ? sessions.GetValueOrDefault(h.Key) : null)
            {
                Roots = h.Value != SiloStatus.Active ? null : Address(h.Key) == node ? workspaces.Roots : NodeWorkspaces.FromMetadata(metadata.GetSiloMetadata(h.Key).Metadata),
            })
            .ToList();
        return new ClusterView(clusterId, node, store, nodes);
    }

    /// <summary>A silo's node-to-node endpoint as host:port.</summary>
    public static string Address(SiloAddress silo) =>
        string.Create(CultureInfo.InvariantCulture, $"{silo.Endpoint.Address}:{silo.Endpoint.Port}");
}
