using AgentHost.Hosting;
using AgentHost.Server;
using AgentHost.Server.Users;
using Orleans.Concurrency;

namespace AgentHost.Cluster;

/// <summary>
/// A session's grain: runs the session's calls on this node's server (<see cref="ApiServer.LocalSessions"/>), which opens
/// the session here and takes its lease. Reentrant: a cancel, a permission answer or a question's answer interleaves with
/// a call in flight (a turn is never a call held open: a send answers once the run is accepted). Placed by its workspace
/// (<see cref="WorkspacePlacementDirector"/>): on the node whose front end first calls it when that node serves the
/// session's root (a session is created where the request to create it arrived), else on a node that does; kept while
/// this node has the session open; when the node's idle close lets the session go, the grain goes too.
/// </summary>
/// <remarks>
/// The store, not Orleans, decides who writes a session: a duplicate activation elsewhere (Orleans' directory allows one
/// during instability) cannot open the session while this node's lease is live, and a stale writer's next write is
/// refused by the lease's epoch. Each call's cancellation token is the caller's (Orleans carries its cancellation here).
/// </remarks>
[Reentrant]
[WorkspacePlacement]
internal sealed class SessionGrain(ClusterNodeServer node) : Grain, ISessionGrain
{
    /// <summary>How often the grain checks whether its node still has the session open.</summary>
    private static readonly TimeSpan OpenCheck = TimeSpan.FromMinutes(1);

    private string Id => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        this.RegisterGrainTimer(GoWhenClosedAsync, OpenCheck, OpenCheck);
        return Task.CompletedTask;
    }

    public Task<SessionView> CreateAsync(ServerCaller caller, CreateSessionRequest request, string? client, CancellationToken cancellationToken) =>
        RunAsync((calls, id) => calls.CreateAsync(caller, id, request, client, cancellationToken), CallEffect.StartsWork, cancellationToken);

    public Task<SessionView> ViewAsync(ServerCaller caller, CancellationToken cancellationToken) =>
        RunAsync((calls, id) => calls.ViewAsync(caller, id, cancellationToken), CallEffect.None, cancellationToken);

    public Task<RunView> SendAsync(ServerCaller caller, SendMessageRequest request, string? client, CancellationToken cancellationToken) =>
        RunAsync((calls, id) => calls.SendAsync(caller, id, request, client, cancellationToken), CallEffect.StartsWork, cancellationToken);

    public Task<RunView> CancelAsync(ServerCaller caller, string runId, CancellationToken cancellationToken) =>
        RunAsync((calls, _) => calls.CancelAsync(caller, runId, cancellationToken), CallEffect.None, cancellationToken);

    public Task<List<PermissionRequestView>> PendingPermissionsAsync(ServerCaller caller, CancellationToken cancellationToken) =>
        RunAsync((calls, id) => calls.PendingPermissionsAsync(caller, id, cancellationToken), CallEffect.None, cancellationToken);

    public Task AnswerPermissionAsync(ServerCaller caller, string requestId, PermissionAnswerRequest request, CancellationToken cancellationToken) =>
        RunAsync((calls, id) => calls.AnswerPermissionAsync(caller, id, requestId, request, cancellationToken), CallEffect.None, cancellationToken);

    public Task<List<QuestionView>> PendingQuestionsAsync(ServerCaller caller, CancellationToken cancellationToken) =>
        RunAsync((calls, id) => calls.PendingQuestionsAsync(caller, id, cancellationToken), CallEffect.None, cancellationToken);

    public Task AnswerQuestionAsync(ServerCaller caller, string questionId, QuestionAnswerRequest request, CancellationToken cancellationToken) =>
        RunAsync((calls, id) => calls.AnswerQuestionAsync(caller, id, questionId, request, cancellationToken), CallEffect.None, cancellationToken);

    public Task<SessionView> PatchAsync(ServerCaller caller, PatchSessionRequest request, CancellationToken cancellationToken) =>
        RunAsync((calls, id) => calls.PatchAsync(caller, id, request, cancellationToken), CallEffect.StartsWork, cancellationToken);

    public Task<SessionView> CloseAsync(ServerCaller caller, CancellationToken cancellationToken) =>
        RunAsync((calls, id) => calls.CloseAsync(caller, id, cancellationToken), CallEffect.EndsSession, cancellationToken);

    public Task DeleteAsync(ServerCaller caller, CancellationToken cancellationToken) =>
        RunAsync((calls, id) => calls.DeleteAsync(caller, id, cancellationToken), CallEffect.EndsSession, cancellationToken);

    /// <summary>
    /// Lets the session go on this node (unless it runs) when the grain goes: drained, or idle. Not when the silo stops
    /// without grace (a cancelled token: killed, or out of shutdown time): then nothing is let go, as when the process dies.
    /// </summary>
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (!cancellationToken.IsCancellationRequested && node.Server is { } server)
        {
            await server.ReleaseUnlessRunningAsync(Id).ConfigureAwait(true);
        }
    }

    private async Task RunAsync(Func<ISessionCalls, string, Task> call, CallEffect effect, CancellationToken cancellationToken) =>
        await RunAsync(
            async (calls, id) =>
            {
                await call(calls, id).ConfigureAwait(true);
                return true;
            },
            effect,
            cancellationToken).ConfigureAwait(true);

    /// <summary>
    /// Runs a call on this node's server (waiting for it while the node starts): a refusal goes back as the one
    /// <see cref="SessionCallFailedException"/>. On a draining node a call that would start work here (a create, a prompt,
    /// a change of settings) is not run unless a turn of the session runs here: the grain goes and the caller sends the
    /// call again (<see cref="ClusterNodeServer.Moved"/>), which places the grain on a node that stays.
    /// </summary>
    private async Task<T> RunAsync<T>(Func<ISessionCalls, string, Task<T>> call, CallEffect effect, CancellationToken cancellationToken)
    {
        var id = Id;
        var server = await node.ServerAsync().WaitAsync(cancellationToken).ConfigureAwait(true);
        if (effect == CallEffect.StartsWork && node.Draining && !server.IsRunning(id))
        {
            DeactivateOnIdle();
            throw new SessionCallFailedException(ClusterNodeServer.Moved, $"the cluster node that holds session {id} is stopping.");
        }

        T answer;
        try
        {
            answer = await call(server.LocalSessions, id).ConfigureAwait(true);
        }
        catch (AgentHostException ex)
        {
            throw SessionCallFailedException.From(ex);
        }

        if (effect == CallEffect.EndsSession)
        {
            DeactivateOnIdle();
        }

        return answer;
    }

    private Task GoWhenClosedAsync()
    {
        if (node.Server is { } server && !server.IsOpen(Id))
        {
            DeactivateOnIdle();
        }

        return Task.CompletedTask;
    }

    /// <summary>What a call does to the node and the grain, beside its own work.</summary>
    private enum CallEffect
    {
        /// <summary>Reads or answers: runs on a draining node too.</summary>
        None,

        /// <summary>Starts work here (a create, a prompt, a change of settings): not on a draining node.</summary>
        StartsWork,

        /// <summary>Ends the session here (close, delete): the grain goes after it.</summary>
        EndsSession,
    }
}
