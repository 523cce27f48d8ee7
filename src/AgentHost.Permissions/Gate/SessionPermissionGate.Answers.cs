using AgentHost.Hosting;
using AgentHost.Hosting.Security;
using AgentHost.Permissions.Rules;
using AgentHost.Permissions.Sandbox;
using AgentHost.Sdk.Events;

namespace AgentHost.Permissions.Gate;

/// <summary>Applying a person's answer, and the audit log.</summary>
public sealed partial class SessionPermissionGate
{
    private async Task<PermissionVerdict> ApplyAsync(PermissionAnswer answer, PermissionDecision decision, string requestId, CancellationToken cancellationToken)
    {
        var mode = Mode.ToDisplayName();
        if (!answer.Allows)
        {
            var reason = string.IsNullOrWhiteSpace(answer.Reason)
                ? $"denied by the user ({answer.AnsweredBy})"
                : $"denied by the user ({answer.AnsweredBy}): {answer.Reason.Trim()}";
            return PermissionVerdict.Deny(reason) with { Scope = answer.AnsweredBy == "headless" ? "headless" : "once", AnsweredBy = answer.AnsweredBy, Mode = mode };
        }

        if (answer.SwitchToMode is { } switchTo)
        {
            await SwitchModeAsync(switchTo, answer.AnsweredBy, cancellationToken).ConfigureAwait(false);
        }

        var rules = decision.SuggestedRules;
        var scope = answer.ScopeName;
        if (answer.Kind != PermissionAnswerKind.AllowOnce && rules.Count == 0)
        {
            Warn($"request {requestId}: no rule can describe this call, so it was allowed once only");
            scope = "once";
        }
        else if (answer.Kind is PermissionAnswerKind.AllowSession or PermissionAnswerKind.AlwaysProject or PermissionAnswerKind.AlwaysGlobal)
        {
            await GrantAsync(rules, answer.AnsweredBy, cancellationToken).ConfigureAwait(false);
            if (answer.Kind != PermissionAnswerKind.AllowSession)
            {
                WriteAlways(answer.Kind == PermissionAnswerKind.AlwaysProject ? _options.ProjectConfigFile : _options.GlobalConfigFile, rules);
            }

            if (answer.Kind == PermissionAnswerKind.AlwaysProject)
            {
                TrustProject();
            }
        }

        var what = scope switch
        {
            "session" => $"allowed by the user for this session ({string.Join(", ", rules)})",
            "always-project" or "always-global" => $"allowed by the user, always ({string.Join(", ", rules)})",
            _ => "allowed once by the user",
        };
        return PermissionVerdict.Allow($"{what} via {answer.AnsweredBy}") with
        {
            Scope = scope,
            AnsweredBy = answer.AnsweredBy,
            Rule = scope == "once" ? null : string.Join(", ", rules),
            Mode = Mode.ToDisplayName(),
        };
    }

    private async Task GrantAsync(IReadOnlyList<string> rules, string grantedBy, CancellationToken cancellationToken)
    {
        var added = Grants.Add(rules);
        if (added.Count > 0 && _options.Store is { } store)
        {
            await store.AddGrantsAsync(_options.SessionId, added, grantedBy, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Writes "always" rules into a config file; a failure is a warning (the call is still allowed, the session grant holds).</summary>
    private void WriteAlways(string? configFile, IReadOnlyList<string> rules)
    {
        if (configFile is null)
        {
            Warn($"no config file to write {string.Join(", ", rules)} to; the rules hold for this session only");
            return;
        }

        foreach (var rule in rules)
        {
            try
            {
                ConfigRuleWriter.AddRule(configFile, RuleList.Allow, rule);
            }
            catch (Exception ex) when (ex is AgentHostException or IOException or UnauthorizedAccessException)
            {
                Warn($"could not save the rule {rule}: {ex.Message} It holds for this session only.");
            }
        }
    }

    /// <summary>The rule written into the project config is the user's own choice, so the project becomes trusted.</summary>
    private void TrustProject()
    {
        try
        {
            _options.TrustProject?.Invoke();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Warn($"could not add the project to the trusted projects: {ex.Message} Run 'agent trust' in it, or its rules will not apply.");
        }
    }

    private void Warn(string message) =>
        _options.Events.Publish(new WarningEvent("permissions", message) { Timestamp = _options.Time.GetUtcNow() });

    private async Task AuditAsync(ToolPermissionRequest request, PermissionVerdict verdict, CancellationToken cancellationToken)
    {
        if (_options.Store is not { } store)
        {
            return;
        }

        var entry = new PermissionAuditEntry(request.SessionId, request.CallId, request.Tool, verdict.Decision, verdict.Scope ?? "config", verdict.AnsweredBy ?? "config")
        {
            At = _options.Time.GetUtcNow(),
            Plugin = request.Plugin,
            Action = request.Description.Action,
            Subject = PermissionSubject.OneLine(request.Description.Subject),
            Rule = verdict.Rule,
            Mode = verdict.Mode ?? Mode.ToDisplayName(),
            Risk = PermissionRisk.Of(request),
            // How a sandboxed tool's call runs, in the row's reason (no column of its own yet: docs/sandbox.md).
            Reason = request.Sandboxed && verdict.Allowed ? $"{verdict.Reason} [sandbox: {SandboxPolicy.Describe(request.Sandbox)}]" : verdict.Reason,
        };
        try
        {
            await store.RecordDecisionAsync(entry, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The decision stands; a lost audit row is reported, never fatal to the run.
            Warn($"could not write the permission audit log: {ex.Message}");
        }
    }
}

/// <summary>What a <see cref="SessionPermissionGate"/> needs besides the rules.</summary>
/// <param name="SessionId">The session.</param>
/// <param name="Grants">The session's grants (loaded from the store on resume).</param>
/// <param name="Events">Where requests, mode changes and warnings are published.</param>
public sealed record SessionPermissionOptions(string SessionId, SessionGrants Grants, IEventBus Events)
{
    /// <summary>
    /// Whether a call the sandbox contains (<see cref="ToolPermissionRequest.Sandbox"/> available, no network) runs
    /// without asking in <c>ask</c> and <c>accept-edits</c> modes (<c>sandbox.auto_allow</c>); deny rules, the safety
    /// floor, ask rules, protected paths and a command not fully understood still decide first.
    /// </summary>
    public bool SandboxAutoAllow { get; init; }

    /// <summary>Where requests go when a call asks; without one (or without a responder) asking calls are denied.</summary>
    public PermissionBroker? Broker { get; init; }

    /// <summary>Where grants, mode switches and the audit log are stored.</summary>
    public IPermissionStore? Store { get; init; }

    /// <summary>The project's <c>.agent/config.yaml</c> ("always, this project" answers).</summary>
    public string? ProjectConfigFile { get; init; }

    /// <summary>The global <c>config.yaml</c> ("always, everywhere" answers).</summary>
    public string? GlobalConfigFile { get; init; }

    /// <summary>
    /// Trusts the project ("always, this project" answers write into its config, so its permission settings become the
    /// user's own); without it the project's trust is unchanged.
    /// </summary>
    public Action? TrustProject { get; init; }

    /// <summary>
    /// The session's active skills: their <c>allowed-tools</c> and folders pre-approve calls that would ask (never past a
    /// deny rule, an ask rule or the safety floor); <see langword="null"/> when skills are off.
    /// </summary>
    public ISkillApprovals? Skills { get; init; }

    /// <summary>Redacts secrets from requests.</summary>
    public SecretScrubber Scrubber { get; init; } = SecretScrubber.PatternsOnly;

    /// <summary>The session's PermissionRequest and Notification hooks; none when <see langword="null"/>.</summary>
    public IPermissionHooks? Hooks { get; init; }

    /// <summary>The clock.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}
