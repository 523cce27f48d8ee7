namespace AgentHost.Server;

/// <summary>
/// The cluster's watch over workflow runs (docs/cluster.md "Workflow runs"; <see cref="ServerNodeParts.WorkflowWatch"/>):
/// a run a node starts or resumes is watched until it ends, so that when its node dies or stops another node resumes it
/// from its checkpoints (<see cref="ApiServer.TakeOverWorkflowRunAsync"/>).
/// </summary>
public interface IWorkflowRunWatch
{
    /// <summary>Watches a run this node runs now (idempotent: a run already watched stays watched).</summary>
    /// <param name="runId">The run's full id.</param>
    /// <param name="workspace">Its project root: only a node that serves it may take the run over.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>A task that completes once the watch is stored.</returns>
    Task WatchAsync(string runId, string workspace, CancellationToken cancellationToken);
}

/// <summary>What a node found and did when the cluster asked it to take a workflow run over.</summary>
public enum WorkflowTakeover
{
    /// <summary>The run no longer needs a node: it ended, was cancelled or stopped, waits for an answer, or is gone.</summary>
    Ended,

    /// <summary>This node runs it.</summary>
    RunningHere,

    /// <summary>Another process holds it (or this node stops and takes nothing over).</summary>
    RunningElsewhere,

    /// <summary>Nobody held it: this node resumed it from its checkpoints.</summary>
    Resumed,
}
