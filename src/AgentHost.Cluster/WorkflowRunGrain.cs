using AgentHost.Server;

namespace AgentHost.Cluster;

/// <summary>
/// A workflow run's watch (<see cref="IWorkflowRunGrain"/>). The run itself is not the grain's: it runs on the node that
/// started it, outside any grain call, holding the run's lock in the store (a PostgreSQL advisory lock, released when its
/// node's connection ends — with the process, or when it hands the run over). The grain holds the reminder, durable in the
/// reminder table: each tick activates it on a node that serves the run's workspace (placement by workspace), which asks
/// its server to take the run over (<see cref="ApiServer.TakeOverWorkflowRunAsync"/>): nothing while a process holds the
/// lock, a resume from the checkpoints when none does, and the reminder's end once the run no longer runs.
/// </summary>
[WorkspacePlacement]
[GrainType(TypeName)]
internal sealed class WorkflowRunGrain(ClusterNodeServer node, NodeWorkspaces workspaces) : Grain, IWorkflowRunGrain
{
    /// <summary>The grain type (placement reads the root of a run, not of a session, for it).</summary>
    public const string TypeName = "agenthost.workflowrun";

    /// <summary>The reminder's name.</summary>
    private const string Reminder = "takeover";

    public Task WatchAsync(CancellationToken cancellationToken) =>
        this.RegisterOrUpdateReminder(Reminder, node.WorkflowCheck, node.WorkflowCheck, cancellationToken);

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (node.Draining)
        {
            // This node stops and takes nothing over: the next tick activates the grain on a node that stays.
            DeactivateOnIdle();
            return;
        }

        var server = await node.ServerAsync().ConfigureAwait(true);
        var id = this.GetPrimaryKeyString();
        if (await server.FindWorkflowRunRootAsync(id).ConfigureAwait(true) is not { } root)
        {
            await StopWatchingAsync().ConfigureAwait(true);
            return;
        }

        if (!NodeWorkspaces.Serves(workspaces.Roots, root))
        {
            // Placed before this node knew better (the run's root came with no call): the next tick places it anew.
            DeactivateOnIdle();
            return;
        }

        if (await server.TakeOverWorkflowRunAsync(id).ConfigureAwait(true) == WorkflowTakeover.Ended)
        {
            await StopWatchingAsync().ConfigureAwait(true);
        }
    }

    private async Task StopWatchingAsync()
    {
        if (await this.GetReminder(Reminder).ConfigureAwait(true) is { } reminder)
        {
            await this.UnregisterReminder(reminder).ConfigureAwait(true);
        }

        DeactivateOnIdle();
    }
}
