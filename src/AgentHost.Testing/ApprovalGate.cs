using AgentHost.Permissions;
using AgentHost.Permissions.Gate;
namespace AgentHost.Testing;

/// <summary>The permission gate of a test host: <see cref="PluginTestHostOptions.Approve"/> decides, or every call is allowed.</summary>
internal sealed class ApprovalGate(Func<ToolPermissionCheck, bool>? approve) : IToolPermissionGate
{
    public const string DeniedReason = "denied by PluginTestHostOptions.Approve";

    public ValueTask<PermissionVerdict> DecideAsync(ToolPermissionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (approve is null)
        {
            return new(PermissionVerdict.Allow("approved: PluginTestHostOptions.Approve is not set") with { AnsweredBy = "test" });
        }

        var check = new ToolPermissionCheck(request.Tool, request.Effect, request.Description.Action, request.Description.Subject);
        var verdict = approve(check)
            ? PermissionVerdict.Allow("approved by PluginTestHostOptions.Approve")
            : PermissionVerdict.Deny(DeniedReason);
        return new(verdict with { AnsweredBy = "test" });
    }
}
