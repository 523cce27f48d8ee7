using AgentHost.Hosting;
using AgentHost.Server;
using AgentHost.Server.Users;

namespace AgentHost.Cluster;

/// <summary>
/// The session calls of a cluster node (<see cref="ServerNodeParts.Router"/>): each goes to its session's grain
/// (<see cref="ISessionGrain"/>), wherever in the cluster that grain lives (or is placed now), with the caller's
/// cancellation token. A refusal there comes back as the same <see cref="AgentHostException"/>; a node that does not
/// answer, or stops, is answered as <see cref="ErrorKind.InUse"/> (409: try again).
/// </summary>
/// <param name="grains">Where the grains are reached.</param>
/// <param name="node">This node's server (its default root, and where a run's session is found).</param>
internal sealed class GrainSessionCalls(IGrainFactory grains, ClusterNodeServer node) : ISessionCalls
{
    /// <summary>How many times a call a stopping node did not run is sent again (each time its grain has gone meanwhile).</summary>
    private const int MovedAttempts = 20;

    /// <summary>The pause before a call is sent again, times the attempt.</summary>
    private static readonly TimeSpan MovedPause = TimeSpan.FromMilliseconds(25);

    /// <summary>
    /// Creates the session on a node that serves its root. The request names its root as a full path (this server's own
    /// when it names none, or relative to it), for the placement and for the node that runs the session.
    /// </summary>
    public async Task<SessionView> CreateAsync(ServerCaller caller, string sessionId, CreateSessionRequest request, string? client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var root = request.Root is { } given && Path.IsPathFullyQualified(given)
            ? Path.GetFullPath(given)
            : await FullRootAsync(request.Root, cancellationToken).ConfigureAwait(false);
        return await CallAsync(sessionId, grain => grain.CreateAsync(caller, request with { Root = root }, client, cancellationToken), root, cancellationToken).ConfigureAwait(false);
    }

    public Task<SessionView> ViewAsync(ServerCaller caller, string sessionId, CancellationToken cancellationToken) =>
        CallAsync(sessionId, grain => grain.ViewAsync(caller, cancellationToken), null, cancellationToken);

    public Task<RunView> SendAsync(ServerCaller caller, string sessionId, SendMessageRequest request, string? client, CancellationToken cancellationToken) =>
        CallAsync(sessionId, grain => grain.SendAsync(caller, request, client, cancellationToken), null, cancellationToken);

    /// <summary>Cancels a run on the node of its session (found in the store: a run any node may name).</summary>
    public async Task<RunView> CancelAsync(ServerCaller caller, string runId, CancellationToken cancellationToken)
    {
        var server = await node.ServerAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        var run = await server.GetRunAsync(caller, runId, cancellationToken).ConfigureAwait(false);
        return await CallAsync(run.SessionId, grain => grain.CancelAsync(caller, runId, cancellationToken), null, cancellationToken).ConfigureAwait(false);
    }

    public Task<List<PermissionRequestView>> PendingPermissionsAsync(ServerCaller caller, string sessionId, CancellationToken cancellationToken) =>
        CallAsync(sessionId, grain => grain.PendingPermissionsAsync(caller, cancellationToken), null, cancellationToken);

    public Task AnswerPermissionAsync(ServerCaller caller, string sessionId, string requestId, PermissionAnswerRequest request, CancellationToken cancellationToken) =>
        CallAsync(sessionId, grain => Answered(grain.AnswerPermissionAsync(caller, requestId, request, cancellationToken)), null, cancellationToken);

    public Task<List<QuestionView>> PendingQuestionsAsync(ServerCaller caller, string sessionId, CancellationToken cancellationToken) =>
        CallAsync(sessionId, grain => grain.PendingQuestionsAsync(caller, cancellationToken), null, cancellationToken);

    public Task AnswerQuestionAsync(ServerCaller caller, string sessionId, string questionId, QuestionAnswerRequest request, CancellationToken cancellationToken) =>
        CallAsync(sessionId, grain => Answered(grain.AnswerQuestionAsync(caller, questionId, request, cancellationToken)), null, cancellationToken);

    public Task<SessionView> PatchAsync(ServerCaller caller, string sessionId, PatchSessionRequest request, CancellationToken cancellationToken) =>
        CallAsync(sessionId, grain => grain.PatchAsync(caller, request, cancellationToken), null, cancellationToken);

    public Task<SessionView> CloseAsync(ServerCaller caller, string sessionId, CancellationToken cancellationToken) =>
        CallAsync(sessionId, grain => grain.CloseAsync(caller, cancellationToken), null, cancellationToken);

    public Task DeleteAsync(ServerCaller caller, string sessionId, CancellationToken cancellationToken) =>
        CallAsync(sessionId, grain => Answered(grain.DeleteAsync(caller, cancellationToken)), null, cancellationToken);

    private static async Task<bool> Answered(Task call)
    {
        await call.ConfigureAwait(false);
        return true;
    }

    /// <summary>A root as a full path: this server's default root when none is named, else relative to it.</summary>
    private async Task<string> FullRootAsync(string? root, CancellationToken cancellationToken)
    {
        var defaults = (await node.ServerAsync().WaitAsync(cancellationToken).ConfigureAwait(false)).Defaults.Root;
        return Path.GetFullPath(root ?? defaults, defaults);
    }

    /// <summary>
    /// Calls the session's grain; a node that stops (it drains) did not run the call and its grain has gone or is going:
    /// sent again, the call places the grain on a node that stays.
    /// </summary>
    /// <param name="sessionId">The session (the grain's key).</param>
    /// <param name="call">The call on the grain.</param>
    /// <param name="root">A create's root (its session is not stored yet): it goes with the call, for the placement director.</param>
    /// <param name="cancellationToken">Cancels the call, on whichever node it runs.</param>
    private async Task<T> CallAsync<T>(string sessionId, Func<ISessionGrain, Task<T>> call, string? root, CancellationToken cancellationToken)
    {
        var grain = grains.GetGrain<ISessionGrain>(sessionId);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (root is not null)
                {
                    RequestContext.Set(WorkspacePlacementDirector.RootKey, root);
                }

                return await call(grain).ConfigureAwait(false);
            }
            catch (SessionCallFailedException ex) when (ex.Kind == ClusterNodeServer.Moved)
            {
                if (attempt == MovedAttempts)
                {
                    throw InUse(sessionId, "is stopping and the session has not moved yet");
                }
            }
            catch (SessionCallFailedException ex)
            {
                throw ex.ToException();
            }
            catch (WorkspaceNotServedException ex)
            {
                throw new AgentHostException(ex.Retry ? ErrorKind.InUse : ErrorKind.Denied, ex.Message);
            }
            catch (TimeoutException ex)
            {
                // The call reached a node that did not answer in time (ClusterNode.CallTimeout): it may still take effect there.
                throw new AgentHostException(
                    ErrorKind.InUse,
                    $"the cluster node that holds session {sessionId} did not answer in time ({ex.Message.Split('\n')[0].Trim()}); the call may still take effect there: read the session (GET /v1/sessions/{sessionId}) before you try again.");
            }
            catch (OrleansException ex)
            {
                // The node that holds the session stopped answering: until the cluster declares it dead (seconds), calls
                // for its grains fail; then the next call places the grain on a live node, which takes the session over.
                throw InUse(sessionId, $"is not answering ({ex.GetType().Name}); the session moves to another node once the cluster has noticed (seconds)");
            }
            finally
            {
                RequestContext.Remove(WorkspacePlacementDirector.RootKey);
            }

            await Task.Delay(MovedPause * attempt, cancellationToken).ConfigureAwait(false);
        }
    }

    private static AgentHostException InUse(string sessionId, string why) =>
        new(ErrorKind.InUse, $"the cluster node that holds session {sessionId} {why}: try again shortly.");
}
