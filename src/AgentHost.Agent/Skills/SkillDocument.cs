namespace AgentHost.Agent.Skills;

/// <summary>A parsed <c>SKILL.md</c>: the frontmatter fields of the Agent Skills standard plus the Markdown body.</summary>
/// <remarks>Immutable.</remarks>
/// <param name="Name">The skill name (the folder name when the declared one is unusable; see the problems).</param>
/// <param name="Description">What the skill does and when to use it.</param>
/// <param name="Body">The Markdown instructions after the frontmatter (line endings normalised to <c>\n</c>).</param>
public sealed record SkillDocument(string Name, string Description, string Body)
{
    /// <summary>The <c>license</c> field, when set.</summary>
    public string? License { get; init; }

    /// <summary>The <c>compatibility</c> field, when set.</summary>
    public string? Compatibility { get; init; }

    /// <summary>The <c>metadata</c> map (text keys and values).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    /// <summary>The <c>allowed-tools</c> entries as permission rules (e.g. <c>shell(git diff*)</c>, <c>view</c>); invalid ones are left out with a warning.</summary>
    public IReadOnlyList<string> AllowedTools { get; init; } = [];

    /// <summary><c>user-invocable</c>: whether a person may run it with <c>agent run --skill</c> (default <see langword="true"/>).</summary>
    public bool UserInvocable { get; init; } = true;

    /// <summary><c>disable-model-invocation</c>: hides the skill from the model's catalog and the <c>skill</c> tool.</summary>
    public bool DisableModelInvocation { get; init; }

    /// <summary>The 1-based line of the file where the body starts.</summary>
    public int BodyLine { get; init; } = 1;
}

/// <summary>The outcome of parsing one <c>SKILL.md</c>.</summary>
/// <param name="Document">The skill, or <see langword="null"/> when an error makes it unusable.</param>
/// <param name="Problems">Errors and warnings, each with its file and line.</param>
public sealed record SkillParseResult(SkillDocument? Document, IReadOnlyList<SkillProblem> Problems)
{
    /// <summary>Whether any problem is an error (the skill is skipped).</summary>
    public bool HasErrors => Problems.Any(p => p.IsError);
}
