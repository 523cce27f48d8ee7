using AgentHost.Permissions.Rules;
using AgentHost.Sdk.Tools;

namespace AgentHost.Permissions.Gate;

/// <summary>Decides whether one tool call may run. The tool pipeline asks before any middleware or the tool runs.</summary>
/// <remarks>
/// Implementations must be thread-safe: read-only calls are decided concurrently. A gate that throws denies the call
/// (the pipeline fails closed). A gate that prompts a person waits inside <see cref="DecideAsync"/> and honours
/// cancellation.
/// </remarks>
public interface IToolPermissionGate
{
    /// <summary>Decides a call.</summary>
    /// <param name="request">The call.</param>
    /// <param name="cancellationToken">Cancelled when the run is cancelled.</param>
    /// <returns>The verdict.</returns>
    ValueTask<PermissionVerdict> DecideAsync(ToolPermissionRequest request, CancellationToken cancellationToken = default);
}

/// <summary>One tool call awaiting a permission decision.</summary>
/// <param name="SessionId">The session.</param>
/// <param name="CallId">The model's call id.</param>
/// <param name="Tool">The tool name (plain).</param>
/// <param name="Plugin">The plugin that contributes the tool.</param>
/// <param name="Effect">What the tool does to the world.</param>
/// <param name="Description">What this call does, from <see cref="ToolMetadata.DescribeCall"/> or the default (tool name and JSON arguments).</param>
public sealed record ToolPermissionRequest(string SessionId, string CallId, string Tool, string Plugin, ToolEffect Effect, ToolCallDescription Description)
{
    /// <summary>The validated arguments as JSON (not redacted: rules may need them; never log them).</summary>
    public string ArgumentsJson { get; init; } = "{}";

    /// <summary>The project root the call is confined to, when known.</summary>
    public string? WorkspaceRoot { get; init; }

    /// <summary>
    /// Whether the tool runs what the call names in the run's sandbox (<see cref="ToolMetadata.Sandboxed"/> under a
    /// sandbox policy), and <see cref="Sandbox"/> the sandbox it gets (<see langword="null"/> when <c>sandbox.mode</c> is off).
    /// </summary>
    public bool Sandboxed { get; init; }

    /// <summary>The sandbox the call's processes run in, when <see cref="Sandboxed"/> and the mode is not off.</summary>
    public ProcessSandbox? Sandbox { get; init; }

    /// <summary>What the call's PreToolUse hooks decided, when one decided (see <see cref="HookPermissionAnswer"/>).</summary>
    public HookPermissionAnswer? Hook { get; init; }
}

/// <summary>A permission decision.</summary>
/// <param name="Allowed">Whether the call may run.</param>
/// <param name="Reason">Why: the rule or mode that decided. Shown to the user and, on a deny, to the model.</param>
public sealed record PermissionVerdict(bool Allowed, string Reason)
{
    /// <summary>The decision name used in events: <c>allow</c> or <c>deny</c>.</summary>
    public string Decision => Allowed ? "allow" : "deny";

    /// <summary>How far the decision reaches (see <see cref="Sdk.Events.PermissionDecidedEvent.Scope"/>), when the gate says.</summary>
    public string? Scope { get; init; }

    /// <summary>Who decided (<c>config</c>, <c>grant</c>, <c>headless</c>, or the front end that answered), when the gate says.</summary>
    public string? AnsweredBy { get; init; }

    /// <summary>The rule that decided, with its location, when one did.</summary>
    public string? Rule { get; init; }

    /// <summary>The permission mode the call was decided in, when the gate has modes.</summary>
    public string? Mode { get; init; }

    /// <summary>The permission request a person answered, when one was raised.</summary>
    public string? RequestId { get; init; }

    /// <summary>On a deny: the narrowest allow rules that would let the call run, when rules can (see <see cref="DenialAdvice"/>).</summary>
    public IReadOnlyList<string> SuggestedRules { get; init; } = [];

    /// <summary>On a deny: how a person can let the call run (the flag, the rule, or why nothing can), when the gate knows.</summary>
    public string? Fix { get; init; }

    /// <summary>On an allow by a PermissionRequest hook: the arguments it replaced the call's with, as JSON.</summary>
    public string? UpdatedArgumentsJson { get; init; }

    /// <summary>Allows a call.</summary>
    /// <param name="reason">Why.</param>
    /// <returns>The verdict.</returns>
    public static PermissionVerdict Allow(string reason) => new(true, reason);

    /// <summary>Denies a call.</summary>
    /// <param name="reason">Why.</param>
    /// <returns>The verdict.</returns>
    public static PermissionVerdict Deny(string reason) => new(false, reason);
}

/// <summary>The gate used until permission rules exist: allows every call and says why.</summary>
/// <remarks>Stateless and thread-safe.</remarks>
public sealed class AllowAllPermissionGate : IToolPermissionGate
{
    /// <summary>The reason given for every decision.</summary>
    public const string Reason = "no permission rules configured (permissions arrive with the permissions issue)";

    private static readonly PermissionVerdict Verdict = PermissionVerdict.Allow(Reason);

    /// <summary>The instance.</summary>
    public static AllowAllPermissionGate Instance { get; } = new();

    /// <inheritdoc />
    public ValueTask<PermissionVerdict> DecideAsync(ToolPermissionRequest request, CancellationToken cancellationToken = default) => new(Verdict);
}
