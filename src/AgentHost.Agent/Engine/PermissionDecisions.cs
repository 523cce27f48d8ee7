using AgentHost.Permissions;
using AgentHost.Permissions.Gate;
using AgentHost.Sdk.Events;

namespace AgentHost.Agent.Engine;

/// <summary>The <c>permission.decided</c> event of a verdict: one place for every caller of the gate (the tool pipeline, the memory write).</summary>
internal static class PermissionDecisions
{
    /// <summary>The event for <paramref name="verdict"/>, with the verdict's scope, answerer, rule, mode and, when denied, its fix and suggested rules.</summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="callId">The call the decision is for.</param>
    /// <param name="tool">The tool's name.</param>
    /// <param name="action">The action the gate decided on.</param>
    /// <param name="subject">What the action is on (already scrubbed and shortened), or <see langword="null"/>.</param>
    /// <param name="verdict">The gate's verdict.</param>
    /// <returns>The event, to publish.</returns>
    public static PermissionDecidedEvent Event(string sessionId, string callId, string tool, string action, string? subject, PermissionVerdict verdict) =>
        new(sessionId, callId, tool, action, subject, verdict.Decision, verdict.Reason)
        {
            Scope = verdict.Scope,
            AnsweredBy = verdict.AnsweredBy,
            Rule = verdict.Rule,
            Mode = verdict.Mode,
            RequestId = verdict.RequestId,
            SuggestedRules = verdict.Allowed || verdict.SuggestedRules.Count == 0 ? null : verdict.SuggestedRules,
            Fix = verdict.Allowed ? null : verdict.Fix,
        };
}
