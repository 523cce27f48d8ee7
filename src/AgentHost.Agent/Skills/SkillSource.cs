namespace AgentHost.Agent.Skills;

/// <summary>Where a skill folder was found, highest precedence first.</summary>
public enum SkillSource
{
    /// <summary>The project: <c>.agents/skills</c>, <c>.agent/skills</c>, then the folders other tools use (<c>.claude/skills</c>, …) in the working directory or a parent up to the git root.</summary>
    Project,

    /// <summary>The user's folders (<c>$AGENT_SKILLS_DIR</c>, <c>~/.config/agents/skills</c>, …).</summary>
    User,

    /// <summary>A folder listed in the <c>skills.paths</c> setting.</summary>
    Config,

    /// <summary>A folder a plugin contributes (<c>skills:</c> in its manifest, or <c>AddSkillDirectory</c>).</summary>
    Plugin,

    /// <summary>The skills shipped with the host (<c>skills/</c> next to the <c>agent</c> executable).</summary>
    BuiltIn,
}

/// <summary>A folder searched for skills.</summary>
/// <param name="Path">The absolute folder path (it may not exist).</param>
/// <param name="Source">Its precedence class.</param>
/// <param name="Label">How it is shown: <c>project</c>, <c>user</c>, <c>config (file:line)</c>, <c>plugin id</c>, <c>built-in</c>.</param>
public sealed record SkillRoot(string Path, SkillSource Source, string Label)
{
    /// <summary>
    /// Whether the folder belongs to the project (its files are the repository's, not the user's): the <c>allowed-tools</c> of
    /// its skills pre-approve calls only in a trusted project.
    /// </summary>
    public bool FromProject { get; init; }

    /// <summary>
    /// Whether the folder is one another tool documents (<c>.claude/skills</c>, <c>~/.cursor/skills</c>, …): a run summarises
    /// its skills' problems in one line, and <c>agent skill lint</c> shows them.
    /// </summary>
    public bool ThirdParty { get; init; }

    /// <summary>The id of the plugin that contributes the folder (<see cref="SkillSource.Plugin"/>); <see langword="null"/> otherwise.</summary>
    public string? PluginId { get; init; }

    /// <summary>
    /// The folder of the plugin that contributes the folder: its skills' <c>${CLAUDE_PLUGIN_ROOT}</c> (docs/skills.md).
    /// <see langword="null"/> for loose skills, whose <c>${CLAUDE_PLUGIN_ROOT}</c> is the skill's own folder.
    /// </summary>
    public string? PluginDirectory { get; init; }
}
