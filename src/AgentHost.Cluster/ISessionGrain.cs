namespace AgentHost.Cluster;

/// <summary>
/// A session's grain (key: the session id): it lives on the node that holds the session, and the calls that need the
/// session's live state are routed to it. Calls and answers cross nodes as the API's JSON (<see cref="Server.SessionCall"/>,
/// <see cref="Server.SessionCallResult"/>), so no type of the SDK or of a plugin ever meets Orleans' serializer.
/// </summary>
public interface ISessionGrain : IGrainWithStringKey
{
    /// <summary>Runs a session call on this grain's node.</summary>
    /// <param name="sessionCall">The <see cref="Server.SessionCall"/> as JSON.</param>
    /// <returns>The <see cref="Server.SessionCallResult"/> as JSON.</returns>
    Task<string> CallAsync(string sessionCall);
}
