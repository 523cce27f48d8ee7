using System.Text.Json;
using AgentHost.Server;
using Orleans.Concurrency;

namespace AgentHost.Cluster;

/// <summary>
/// A session's grain: runs the session's calls on this node's server (<see cref="ApiServer.ExecuteAsync"/>), which opens
/// the session here and takes its lease. Reentrant: a cancel, a permission answer or a question's answer interleaves with
/// a call in flight (a turn is never a call held open: a send answers once the run is accepted). Placed by its workspace
/// (<see cref="WorkspacePlacementDirector"/>): on the node whose front end first calls it when that node serves the
/// session's root (a session is created where the request to create it arrived), else on a node that does; kept while
/// this node has the session open; when the node's idle close lets the session go, the grain goes too.
/// </summary>
/// <remarks>
/// The store, not Orleans, decides who writes a session: a duplicate activation elsewhere (Orleans' directory allows one
/// during instability) cannot open the session while this node's lease is live, and a stale writer's next write is
/// refused by the lease's epoch.
/// </remarks>
[Reentrant]
[WorkspacePlacement]
internal sealed class SessionGrain(ClusterNodeServer node) : Grain, ISessionGrain
{
    /// <summary>How often the grain checks whether its node still has the session open.</summary>
    private static readonly TimeSpan OpenCheck = TimeSpan.FromMinutes(1);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        this.RegisterGrainTimer(GoWhenClosedAsync, OpenCheck, OpenCheck);
        return Task.CompletedTask;
    }

    public async Task<string> CallAsync(string sessionCall)
    {
        var call = JsonSerializer.Deserialize(sessionCall, ClusterJson.Default.SessionCall)
            ?? throw new ArgumentException("not a session call", nameof(sessionCall));
        var id = this.GetPrimaryKeyString();
        if (call.SessionId != id)
        {
            return Answer(new SessionCallResult(null, ApiErrorKinds.NameOf(Hosting.ErrorKind.Usage), $"a call on session {call.SessionId} reached the grain of session {id}; the nodes of one cluster must run the same version."));
        }

        var server = await node.ServerAsync().ConfigureAwait(true);
        if (node.Draining && call.Operation is SessionOperations.Create or SessionOperations.Send or SessionOperations.Patch && !server.IsRunning(id))
        {
            // This node stops: no new turn or session here. The grain goes (letting the session go) and the caller's
            // router sends the call again, which places the grain on a node that stays.
            DeactivateOnIdle();
            return Answer(new SessionCallResult(null, ClusterNodeServer.Moved, $"the cluster node that holds session {id} is stopping."));
        }

        var result = await server.ExecuteAsync(call, CancellationToken.None).ConfigureAwait(true);
        if (result.Error is null && call.Operation is SessionOperations.Close or SessionOperations.Delete)
        {
            DeactivateOnIdle();
        }

        return Answer(result);
    }

    /// <summary>
    /// Lets the session go on this node (unless it runs) when the grain goes: drained, or idle. Not when the silo stops
    /// without grace (a cancelled token: killed, or out of shutdown time): then nothing is let go, as when the process dies.
    /// </summary>
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (!cancellationToken.IsCancellationRequested && node.Server is { } server)
        {
            await server.ExecuteAsync(new SessionCall(SessionOperations.Release, this.GetPrimaryKeyString(), "@cluster", Sessions.ServerRole.Admin), cancellationToken).ConfigureAwait(true);
        }
    }

    private static string Answer(SessionCallResult result) => JsonSerializer.Serialize(result, ClusterJson.Default.SessionCallResult);

    private Task GoWhenClosedAsync()
    {
        if (node.Server is { } server && !server.IsOpen(this.GetPrimaryKeyString()))
        {
            DeactivateOnIdle();
        }

        return Task.CompletedTask;
    }
}
