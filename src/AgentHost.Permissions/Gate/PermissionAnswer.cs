namespace AgentHost.Permissions.Gate;

/// <summary>What a person answered to a permission request.</summary>
public enum PermissionAnswerKind
{
    /// <summary>Allow this call only.</summary>
    AllowOnce,

    /// <summary>Allow this call and, for the rest of the session (resumes included), calls the suggested rules cover.</summary>
    AllowSession,

    /// <summary>Allow, and write the suggested rules into the project's <c>.agent/config.yaml</c>.</summary>
    AlwaysProject,

    /// <summary>Allow, and write the suggested rules into the global <c>config.yaml</c>.</summary>
    AlwaysGlobal,

    /// <summary>Deny; the optional <see cref="PermissionAnswer.Reason"/> is given to the model.</summary>
    Deny,
}

/// <summary>A front end's answer to a permission request.</summary>
/// <remarks>Immutable.</remarks>
/// <param name="Kind">The answer.</param>
/// <param name="AnsweredBy">The front end that answered (<c>cli</c>, <c>http</c>, …); recorded in the audit log.</param>
public sealed record PermissionAnswer(PermissionAnswerKind Kind, string AnsweredBy)
{
    /// <summary>For <see cref="PermissionAnswerKind.Deny"/>: why, in the person's words; the model receives it.</summary>
    public string? Reason { get; init; }

    /// <summary>Switch the session to this mode as well (e.g. <see cref="PermissionMode.AcceptEdits"/> after allowing an edit).</summary>
    public PermissionMode? SwitchToMode { get; init; }

    /// <summary>Whether the answer allows the call.</summary>
    public bool Allows => Kind != PermissionAnswerKind.Deny;

    /// <summary>The scope name recorded in events and the audit log: <c>once</c>, <c>session</c>, <c>always-project</c>, <c>always-global</c> or <c>deny</c>.</summary>
    public string ScopeName => Kind switch
    {
        PermissionAnswerKind.AllowSession => "session",
        PermissionAnswerKind.AlwaysProject => "always-project",
        PermissionAnswerKind.AlwaysGlobal => "always-global",
        _ => "once",
    };
}
