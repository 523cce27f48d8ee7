using AgentHost.Hosting;
using AgentHost.Sessions;

namespace AgentHost.Server.Users;

/// <summary>
/// Who may see and change a session (docs/server.md "Users and roles"): an admin every session; a viewer reads every
/// session and changes none; a member sees, steers and answers only their own. A session the caller may not see is
/// answered exactly as one that does not exist (404, same body), so that its existence does not leak; a viewer who
/// tries to change a session they can see gets 403.
/// </summary>
internal static class SessionAccess
{
    /// <summary>Whether <paramref name="caller"/> may read a session owned by <paramref name="owner"/>.</summary>
    public static bool CanRead(ServerCaller caller, string? owner) =>
        caller.Role != ServerRole.Member || (owner is not null && string.Equals(owner, caller.Name, StringComparison.Ordinal));

    /// <summary>The answer for a session that does not exist or that the caller may not see (the same for both).</summary>
    public static AgentHostException Hidden(string id) =>
        new(ErrorKind.NotFound, $"session '{id}' was not found; GET /v1/sessions lists the sessions you can see.");

    /// <summary>Refuses a change by a viewer.</summary>
    /// <param name="caller">The caller.</param>
    /// <param name="what">What they tried, for the message (e.g. <c>send a prompt</c>).</param>
    public static void CheckCanChange(ServerCaller caller, string what)
    {
        if (caller.Role == ServerRole.Viewer)
        {
            throw new AgentHostException(
                ErrorKind.Denied,
                $"user '{caller.Name}' is a viewer and may not {what}: viewers read sessions and change nothing. An admin can give them the member role ('agent server user remove {caller.Name}', then 'agent server user add {caller.Name} --role member').");
        }
    }
}
