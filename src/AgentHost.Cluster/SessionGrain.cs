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
        var result = call.SessionId != id
            ? new SessionCallResult(null, ApiErrorKinds.NameOf(Hosting.ErrorKind.Usage), $"a call on session {call.SessionId} reached the grain of session {id}; the nodes of one cluster must run the same version.")
            : await (await node.ServerAsync().ConfigureAwait(true)).ExecuteAsync(call, CancellationToken.None).ConfigureAwait(true);
        if (result.Error is null && call.Operation is SessionOperations.Close or SessionOperations.Delete)
        {
            DeactivateOnIdle();
        }

        return JsonSerializer.Serialize(result, ClusterJson.Default.SessionCallResult);
    }

    /// <summary>Lets the session go on this node (unless it runs) when the grain goes: drained, or idle.</summary>
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (node.Server is { } server)
        {
            await server.ExecuteAsync(new SessionCall(SessionOperations.Release, this.GetPrimaryKeyString(), "@cluster", Sessions.ServerRole.Admin), cancellationToken).ConfigureAwait(true);
        }
    }

    private Task GoWhenClosedAsync()
    {
        if (node.Server is { } server && !server.IsOpen(this.GetPrimaryKeyString()))
        {
            DeactivateOnIdle();
        }

        return Task.CompletedTask;
    }
}
