using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime.MembershipService.SiloMetadata;

namespace AgentHost.Cluster;

/// <summary>Placement by workspace on a silo: the node's roots published as silo metadata, and the director.</summary>
internal static class WorkspacePlacementSetup
{
    public static ISiloBuilder UseWorkspacePlacement(this ISiloBuilder silo, NodeWorkspaces workspaces)
    {
        silo.UseSiloMetadata(new Dictionary<string, string>(StringComparer.Ordinal) { [NodeWorkspaces.MetadataKey] = workspaces.ToMetadata() });
        silo.Services.AddSingleton(workspaces);
        return silo.AddPlacementDirector<WorkspacePlacement, WorkspacePlacementDirector>();
    }
}
