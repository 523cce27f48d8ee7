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
    /// then those of other tools (Claude Code, GitHub Copilot, Codex, Cursor, OpenCode, Gemini CLI, Crush).
    /// </summary>
    public static readonly IReadOnlyList<string> All =
        [".agents/skills", ".agent/skills", ".claude/skills", ".github/skills", ".codex/skills", ".cursor/skills", ".opencode/skills", ".gemini/skills", ".crush/skills"];

    /// <summary>How many of <see cref="All"/> are the host's own; the rest belong to other tools.</summary>
    public const int OwnCount = 2;

    /// <summary>The parent folder of each (<c>.agents</c>, <c>.claude</c>, …), each followed by <c>skills</c>.</summary>
    public static readonly IReadOnlyList<string> Parents = [.. All.Select(folder => folder[..folder.IndexOf('/', StringComparison.Ordinal)])];
}
