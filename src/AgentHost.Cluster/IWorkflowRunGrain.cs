namespace AgentHost.Cluster;

/// <summary>
/// A workflow run's watch (key: the run id; docs/cluster.md "Workflow runs"): a reminder in the cluster's reminder table
/// that, while the run is stored as running, has some node check every <c>server.cluster.workflow_check</c> that a process
/// still holds the run — and when none does (its node died, or stopped and handed it over), resume it there.
/// </summary>
internal interface IWorkflowRunGrain : IGrainWithStringKey, IRemindable
{
    /// <summary>Starts (or keeps) watching the run.</summary>
    /// <param name="cancellationToken">Cancels the call, on the node that runs it.</param>
    /// <returns>A task that completes once the reminder is stored.</returns>
    Task WatchAsync(CancellationToken cancellationToken);
}
