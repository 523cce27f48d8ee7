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
            answer = await grain.CallAsync(JsonSerializer.Serialize(sessionCall, ClusterJson.Default.SessionCall)).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException ex)
        {
            // The call reached a node that did not answer in time (ClusterNode.CallTimeout): it may still take effect there.
            return new SessionCallResult(
                null,
                ApiErrorKinds.NameOf(Hosting.ErrorKind.InUse),
                $"the cluster node that holds session {sessionCall.SessionId} did not answer in time ({ex.Message.Split('\n')[0].Trim()}); the call may still take effect there: read the session (GET /v1/sessions/{sessionCall.SessionId}) before you try again.");
        }
        catch (OrleansException ex)
        {
            // The node that holds the session stopped answering: until the cluster declares it dead (seconds), calls
            // for its grains fail; then the next call places the grain on a live node, which takes the session over.
            return new SessionCallResult(
                null,
                ApiErrorKinds.NameOf(Hosting.ErrorKind.InUse),
                $"the cluster node that holds session {sessionCall.SessionId} is not answering ({ex.GetType().Name}); the session moves to another node once the cluster has noticed (seconds): try again shortly.");
        }

        return JsonSerializer.Deserialize(answer, ClusterJson.Default.SessionCallResult)
            ?? throw new InvalidOperationException($"the node of session {sessionCall.SessionId} answered no result.");
    }
}
