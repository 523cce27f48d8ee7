using AgentHost.Permissions;
using AgentHost.Permissions.Gate;

namespace AgentHost.Sessions;

/// <summary>
/// The permission side of the sessions (<see cref="ISessionStore.Audit"/>): what the permission gate keeps
/// (<see cref="IPermissionStore"/>: grants, mode, the audit log) and what the session commands read and change.
/// </summary>
/// <remarks>Thread-safe. Audit subjects and reasons are scrubbed of secrets and capped before they are stored.</remarks>
public interface IPermissionAudit : IPermissionStore
{
    /// <summary>Removes a grant from a session.</summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="rule">The rule text as granted.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>Whether the session had that grant.</returns>
    /// <exception cref="Hosting.AgentHostException">Unknown session (<see cref="Hosting.ErrorKind.NotFound"/>).</exception>
    Task<bool> RemoveGrantAsync(string sessionId, string rule, CancellationToken cancellationToken = default);

    /// <summary>The session's permission decisions, oldest first.</summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="limit">The most recent this many; all when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The entries.</returns>
    /// <exception cref="Hosting.AgentHostException">Unknown session (<see cref="Hosting.ErrorKind.NotFound"/>).</exception>
    Task<IReadOnlyList<PermissionAuditEntry>> GetAuditAsync(string sessionId, int? limit = null, CancellationToken cancellationToken = default);
}
