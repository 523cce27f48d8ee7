namespace AgentHost.Permissions.Gate;

/// <summary>
/// What the permission gate asks before it asks a person: does an active skill pre-approve this call? Implemented by
/// the agent's active skills (their <c>allowed-tools</c> and folders); the permissions component knows skills only
/// through this interface.
/// </summary>
/// <remarks>
/// A pre-approval only turns a call that would <em>ask</em> into an allow: implementations never pass a deny rule, an ask
/// rule, the safety floor or an unparsable command. Implementations must be thread-safe.
/// </remarks>
public interface ISkillApprovals
{
    /// <summary>Whether an active skill pre-approves a call the configured rules would ask about.</summary>
    /// <param name="request">The call.</param>
    /// <param name="asking">The configured rules' decision in ask mode.</param>
    /// <param name="mode">The session's mode.</param>
    /// <returns>The allowing verdict, or <see langword="null"/> when no active skill approves the call.</returns>
    PermissionVerdict? Approve(ToolPermissionRequest request, PermissionDecision asking, PermissionMode mode);
}
