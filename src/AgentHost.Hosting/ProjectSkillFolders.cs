namespace AgentHost.Hosting;

/// <summary>
/// The project folders skills are kept in, written once below both components that need them: the agent discovers skills
/// in them and the permissions component protects them from the agent's own writes (a folder searched but not protected
/// would let the model plant a skill the next run loads).
/// </summary>
public static class ProjectSkillFolders
{
    /// <summary>
    /// The folders looked for in each directory, in precedence order: ours (<c>.agents/skills</c>, <c>.agent/skills</c>),
    /// then those of other tools (Claude Code, GitHub Copilot, Codex, Cursor, OpenCode — <c>.opencode/skills</c> and its
    /// earlier <c>.opencode/skill</c> —, Gemini CLI, Crush, Goose).
    /// </summary>
    public static readonly IReadOnlyList<string> All =
        [".agents/skills", ".agent/skills", ".claude/skills", ".github/skills", ".codex/skills", ".cursor/skills", ".opencode/skills", ".opencode/skill", ".gemini/skills", ".crush/skills", ".goose/skills"];

    /// <summary>How many of <see cref="All"/> are the host's own; the rest belong to other tools.</summary>
    public const int OwnCount = 2;

    /// <summary>The parent folder of each (<c>.agents</c>, <c>.claude</c>, …), each followed by <c>skills</c> (or OpenCode's <c>skill</c>).</summary>
    public static readonly IReadOnlyList<string> Parents = [.. All.Select(folder => folder[..folder.IndexOf('/', StringComparison.Ordinal)])];

    /// <summary>Whether <paramref name="parent"/>/<paramref name="child"/> is one of <see cref="All"/> (ignoring case).</summary>
    /// <param name="parent">A folder name such as <c>.claude</c>.</param>
    /// <param name="child">The folder name below it, such as <c>skills</c>.</param>
    /// <returns>Whether the two name a project skill folder.</returns>
    public static bool IsSkillFolder(string parent, string child) =>
        All.Any(folder => folder.Equals(parent + "/" + child, StringComparison.OrdinalIgnoreCase));
}
