using System.Text.Json;
using AgentHost.Server;

namespace AgentHost.Cluster;

/// <summary>Routes a session call to its session's grain, wherever in the cluster that grain lives (or is placed now).</summary>
internal sealed class GrainSessionRouter(IGrainFactory grains) : ISessionRouter
{
    /// <summary>How many times a call a stopping node did not run is sent again (each time its grain has gone meanwhile).</summary>
    private const int MovedAttempts = 20;

    /// <summary>The pause before a call is sent again, times the attempt.</summary>
    private static readonly TimeSpan MovedPause = TimeSpan.FromMilliseconds(25);

    public async Task<SessionCallResult> RouteAsync(SessionCall sessionCall, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sessionCall);
        var grain = grains.GetGrain<ISessionGrain>(sessionCall.SessionId);
        var json = JsonSerializer.Serialize(sessionCall, ClusterJson.Default.SessionCall);
        for (var attempt = 1; ; attempt++)
        {
            string answer;
            try
            {
                // A create's session is not stored yet: its root goes with the call, for the placement director.
                if (sessionCall.Operation == SessionOperations.Create && sessionCall.Body is { } body
                    && JsonSerializer.Deserialize(body, ClusterJson.Default.CreateSessionRequest)?.Root is { } root)
                {
                    RequestContext.Set(WorkspacePlacementDirector.RootKey, root);
                }

                answer = await grain.CallAsync(json).WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (WorkspaceNotServedException ex)
            {
                return new SessionCallResult(null, ApiErrorKinds.NameOf(ex.Retry ? Hosting.ErrorKind.InUse : Hosting.ErrorKind.Denied), ex.Message);
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
                return InUse(sessionCall, $"is not answering ({ex.GetType().Name}); the session moves to another node once the cluster has noticed (seconds)");
            }
            finally
            {
                RequestContext.Remove(WorkspacePlacementDirector.RootKey);
            }

            var result = JsonSerializer.Deserialize(answer, ClusterJson.Default.SessionCallResult)
                ?? throw new InvalidOperationException($"the node of session {sessionCall.SessionId} answered no result.");
            if (result.ErrorKind != ClusterNodeServer.Moved)
            {
                return result;
            }

            // The node that held the session stops (it drains): its grain has gone or is going; sent again, the call
            // places the grain on a node that stays.
            if (attempt == MovedAttempts)
            {
                return InUse(sessionCall, "is stopping and the session has not moved yet");
            }

            await Task.Delay(MovedPause * attempt, cancellationToken).ConfigureAwait(false);
        }
    }

    private static SessionCallResult InUse(SessionCall sessionCall, string why) => new(
        null,
        ApiErrorKinds.NameOf(Hosting.ErrorKind.InUse),
        $"the cluster node that holds session {sessionCall.SessionId} {why}: try again shortly.");
}
