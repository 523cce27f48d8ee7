using System.Text.Json;
using AgentHost.Server;

namespace AgentHost.Cluster;

/// <summary>Routes a session call to its session's grain, wherever in the cluster that grain lives (or is placed now).</summary>
internal sealed class GrainSessionRouter(IGrainFactory grains) : ISessionRouter
{
    public async Task<SessionCallResult> RouteAsync(SessionCall sessionCall, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sessionCall);
        var grain = grains.GetGrain<ISessionGrain>(sessionCall.SessionId);
        string answer;
        try
        {
            // A create's session is not stored yet: its root goes with the call, for the placement director.
            if (sessionCall.Operation == SessionOperations.Create && sessionCall.Body is { } body
                && JsonSerializer.Deserialize(body, ClusterJson.Default.CreateSessionRequest)?.Root is { } root)
            {
                RequestContext.Set(WorkspacePlacementDirector.RootKey, root);
            }

            answer = await grain.CallAsync(JsonSerializer.Serialize(sessionCall, ClusterJson.Default.SessionCall)).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (WorkspaceNotServedException ex)
        {
            return new SessionCallResult(null, ApiErrorKinds.NameOf(ex.Retry ? Hosting.ErrorKind.InUse : Hosting.ErrorKind.Denied), ex.Message);
        }
        catch (Exception ex) when (ex is OrleansException or TimeoutException)
        {
            // The node that holds the session stopped answering: until the cluster declares it dead (seconds), calls
            // for its grains fail; then the next call places the grain on a live node, which takes the session over.
            return new SessionCallResult(
                null,
                ApiErrorKinds.NameOf(Hosting.ErrorKind.InUse),
                $"the cluster node that holds session {sessionCall.SessionId} is not answering ({ex.GetType().Name}); the session moves to another node once the cluster has noticed (seconds): try again shortly.");
        }
        finally
        {
            RequestContext.Remove(WorkspacePlacementDirector.RootKey);
        }

        return JsonSerializer.Deserialize(answer, ClusterJson.Default.SessionCallResult)
            ?? throw new InvalidOperationException($"the node of session {sessionCall.SessionId} answered no result.");
    }
}
