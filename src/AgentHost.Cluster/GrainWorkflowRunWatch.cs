using AgentHost.Server;

namespace AgentHost.Cluster;

/// <summary>Has each workflow run's grain watch it (<see cref="IWorkflowRunGrain"/>), placed first on a node that serves the run's root.</summary>
internal sealed class GrainWorkflowRunWatch(IGrainFactory grains) : IWorkflowRunWatch
{
    public async Task WatchAsync(string runId, string workspace, CancellationToken cancellationToken)
    {
        try
        {
            RequestContext.Set(WorkspacePlacementDirector.RootKey, workspace);
            await grains.GetGrain<IWorkflowRunGrain>(runId).WatchAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            RequestContext.Remove(WorkspacePlacementDirector.RootKey);
        }
    }
}
