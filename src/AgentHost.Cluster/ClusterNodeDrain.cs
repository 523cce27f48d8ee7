using Microsoft.Extensions.Logging;

namespace AgentHost.Cluster;

/// <summary>
/// A node's graceful stop (SIGTERM: the server has its node leave before it stops its host, <see cref="ClusterNode"/>): in the silo's stop, once the membership
/// says this node is shutting down (so no new grain is placed here) and before its grains are deactivated, the node
/// drains — its grains start no new turn or session (the call is sent again, to a node that stays), running turns may
/// finish for <see cref="ClusterNodeOptions.DrainTimeout"/>, and those still running then are recorded as interrupted;
/// then its workflow runs are handed over (they stop where they are, still stored as running, and their watch resumes them
/// on another node).
/// Then Orleans deactivates the grains, each letting its session go, and the node leaves. A stop that is not graceful
/// (a cancelled token: the host's shutdown time is up, or a test kills the silo) drains nothing.
/// </summary>
internal sealed partial class ClusterNodeDrain(ClusterNodeServer node, ISiloStatusOracle membership, ILogger<ClusterNodeDrain> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    /// <summary>How long the drain waits for the membership to mark this node shutting down before it drains anyway.</summary>
    private static readonly TimeSpan LeaveWait = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan LeaveCheck = TimeSpan.FromMilliseconds(20);

    public void Participate(ISiloLifecycle lifecycle) =>
        // The membership agent's stop (which marks the node shutting down) runs at this stage too, and the grains are
        // deactivated at the next one (GrainDeactivation), after this drain.
        lifecycle.Subscribe(nameof(ClusterNodeDrain), ServiceLifecycleStage.BecomeActive, _ => Task.CompletedTask, DrainAsync);

    private async Task DrainAsync(CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested || node.Server is not { } server)
        {
            return;
        }

        try
        {
            var waited = TimeSpan.Zero;
            while (membership.CurrentStatus == SiloStatus.Active && waited < LeaveWait)
            {
                await Task.Delay(LeaveCheck, cancellationToken).ConfigureAwait(false);
                waited += LeaveCheck;
            }

            node.BeginDrain();
            var running = server.RunningTurns;
            var interrupted = await server.DrainAsync(node.DrainTimeout, cancellationToken).ConfigureAwait(false);
            var finished = Math.Max(0, running - interrupted);
            var handedOver = await server.HandOverWorkflowRunsAsync(cancellationToken).ConfigureAwait(false);
            Drained(logger, running, finished, interrupted, handedOver);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            DrainCut(logger);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "cluster node drained: {Running} turns were running, {Finished} finished, {Interrupted} were recorded as interrupted; {HandedOver} workflow runs were handed over to the cluster")]
    private static partial void Drained(ILogger logger, int running, int finished, int interrupted, int handedOver);

    [LoggerMessage(Level = LogLevel.Warning, Message = "cluster node stop: the host's shutdown time ran out while running turns drained; they end as the server stops")]
    private static partial void DrainCut(ILogger logger);
}
