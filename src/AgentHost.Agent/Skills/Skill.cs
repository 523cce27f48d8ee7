namespace AgentHost.Agent.Skills;

/// <summary>How a discovered skill stands.</summary>
public enum SkillStatus
{
    /// <summary>Loaded without problems.</summary>
    Ok,

    /// <summary>Loaded, with warnings.</summary>
    Warning,

    /// <summary>Not usable: see its errors.</summary>
    Error,

    /// <summary>Usable, but a skill of the same name with higher precedence wins.</summary>
    Shadowed,

    /// <summary>Named in <c>skills.disabled</c>: neither the model nor a person can activate it.</summary>
    Disabled,
}

/// <summary>One <c>SKILL.md</c> found by the <see cref="SkillCatalog"/>.</summary>
/// <remarks>Immutable.</remarks>
/// <param name="Name">The skill name (the folder name when the file could not be read).</param>
/// <param name="Directory">The skill folder.</param>
/// <param name="File">The <c>SKILL.md</c> path.</param>
/// <param name="Root">The searched folder it was found under.</param>
/// <param name="Document">The parsed skill, or <see langword="null"/> when it has errors.</param>
/// <param name="Problems">Errors and warnings.</param>
public sealed record Skill(string Name, string Directory, string File, SkillRoot Root, SkillDocument? Document, IReadOnlyList<SkillProblem> Problems)
{
    /// <summary>How it stands.</summary>
    public SkillStatus Status { get; init; } = Document is null ? SkillStatus.Error : Problems.Count > 0 ? SkillStatus.Warning : SkillStatus.Ok;

    /// <summary>The <c>SKILL.md</c> of the skill that shadows this one, when <see cref="Status"/> is <see cref="SkillStatus.Shadowed"/>.</summary>
    public string? ShadowedBy { get; init; }

    /// <summary>
    /// The content hash of the bytes of <c>SKILL.md</c> that <see cref="Document"/> was parsed from
    /// (<see cref="SkillBaseline.HashFile"/>), or <see langword="null"/> when the file could not be read.
    /// </summary>
    internal string? ContentHash { get; init; }

    /// <summary>Whether it can be activated (parsed, not shadowed).</summary>
    public bool IsUsable => Document is not null && Status is SkillStatus.Ok or SkillStatus.Warning;

    /// <summary>Whether the model sees it (usable and not <c>disable-model-invocation</c>).</summary>
    public bool IsModelInvocable => IsUsable && Document!.DisableModelInvocation is false;

    /// <summary>The description (empty when not parsed).</summary>
    public string Description => Document?.Description ?? string.Empty;

    /// <summary>The status name: <c>ok</c>, <c>warning</c>, <c>error</c>, <c>shadowed</c> or <c>disabled</c>.</summary>
    public string StatusName => Status.ToString().ToLowerInvariant();

    /// <summary>The source name: <c>project</c>, <c>user</c>, <c>config</c>, <c>plugin</c> or <c>built-in</c>.</summary>
    public string SourceName => Root.Source == SkillSource.BuiltIn ? "built-in" : Root.Source.ToString().ToLowerInvariant();
}
