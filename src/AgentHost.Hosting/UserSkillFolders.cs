using System.Runtime.InteropServices;

namespace AgentHost.Hosting;

/// <summary>
/// The user's skill folders as the host finds them. Written once here, below both components that need them: the agent
/// discovers skills in them, and the permissions component protects them from the agent's own writes.
/// </summary>
public static class UserSkillFolders
{
    /// <summary>
    /// The user folders: <c>$AGENT_SKILLS_DIR</c>, <c>$XDG_CONFIG_HOME/agents/skills</c> (default <c>~/.config/agents/skills</c>;
    /// <c>%APPDATA%\agents\skills</c> on Windows), the host's own <c>skills</c> folder beside its config
    /// (<c>~/.config/agent/skills</c>, <c>$AGENT_HOME/skills</c>, <c>%APPDATA%\agent\skills</c>), <c>~/.agents/skills</c>; then the
    /// user folders other tools document (<see cref="UserSkillFolder.ThirdParty"/>): <c>~/.claude/skills</c> (Claude Code),
    /// <c>~/.copilot/skills</c> (GitHub Copilot CLI), <c>$CODEX_HOME/skills</c> (Codex; default <c>~/.codex/skills</c>),
    /// <c>~/.cursor/skills</c> (Cursor), <c>$XDG_CONFIG_HOME/opencode/skills</c> (OpenCode; default <c>~/.config/opencode/skills</c>),
    /// <c>~/.gemini/skills</c> (Gemini CLI), <c>$XDG_CONFIG_HOME/crush/skills</c> (Crush; default <c>~/.config/crush/skills</c>,
    /// <c>%LOCALAPPDATA%\crush\skills</c> on Windows), <c>$XDG_CONFIG_HOME/goose/skills</c> (Goose; default
    /// <c>~/.config/goose/skills</c>, <c>%APPDATA%\Block\goose\config\skills</c> on Windows). OpenCode's earlier singular
    /// <c>opencode/skill</c> is searched after its <c>opencode/skills</c>.
    /// </summary>
    /// <param name="environment">The environment.</param>
    /// <returns>The folders, in precedence order, each with the label shown for it.</returns>
    public static IEnumerable<UserSkillFolder> Resolve(HostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var home = environment.HomeDirectory;
        if (environment.Get("AGENT_SKILLS_DIR") is { } explicitDirectory)
        {
            yield return new UserSkillFolder(Path.GetFullPath(ExpandHome(explicitDirectory, home), environment.CurrentDirectory), "user (AGENT_SKILLS_DIR)");
        }

        if (environment.Get("XDG_CONFIG_HOME") is { } xdg)
        {
            yield return new UserSkillFolder(Path.Combine(xdg, "agents", "skills"), "user");
        }

        if (environment.Platform == OSPlatform.Windows)
        {
            yield return new UserSkillFolder(Path.Combine(environment.Get("APPDATA") ?? Path.Combine(home, "AppData", "Roaming"), "agents", "skills"), "user");
        }
        else
        {
            yield return new UserSkillFolder(Path.Combine(home, ".config", "agents", "skills"), "user");
        }

        yield return new UserSkillFolder(AgentPaths.Resolve(environment).SkillsDirectory, "user");
        yield return new UserSkillFolder(Path.Combine(home, ".agents", "skills"), "user");
        yield return new UserSkillFolder(Path.Combine(home, ".claude", "skills"), "user (~/.claude/skills)") { ThirdParty = true };
        yield return new UserSkillFolder(Path.Combine(home, ".copilot", "skills"), "user (~/.copilot/skills)") { ThirdParty = true };
        yield return environment.Get("CODEX_HOME") is { Length: > 0 } codexHome
            ? new UserSkillFolder(Path.Combine(Path.GetFullPath(ExpandHome(codexHome, home), environment.CurrentDirectory), "skills"), "user ($CODEX_HOME/skills)") { ThirdParty = true }
            : new UserSkillFolder(Path.Combine(home, ".codex", "skills"), "user (~/.codex/skills)") { ThirdParty = true };
        yield return new UserSkillFolder(Path.Combine(home, ".cursor", "skills"), "user (~/.cursor/skills)") { ThirdParty = true };
        yield return new UserSkillFolder(Path.Combine(environment.Get("XDG_CONFIG_HOME") ?? Path.Combine(home, ".config"), "opencode", "skills"), "user (opencode/skills)") { ThirdParty = true };
        yield return new UserSkillFolder(Path.Combine(environment.Get("XDG_CONFIG_HOME") ?? Path.Combine(home, ".config"), "opencode", "skill"), "user (opencode/skill)") { ThirdParty = true };
        yield return new UserSkillFolder(Path.Combine(home, ".gemini", "skills"), "user (~/.gemini/skills)") { ThirdParty = true };
        yield return environment.Platform == OSPlatform.Windows && environment.Get("LOCALAPPDATA") is { Length: > 0 } localAppData
            ? new UserSkillFolder(Path.Combine(localAppData, "crush", "skills"), "user (crush/skills)") { ThirdParty = true }
            : new UserSkillFolder(Path.Combine(environment.Get("XDG_CONFIG_HOME") ?? Path.Combine(home, ".config"), "crush", "skills"), "user (crush/skills)") { ThirdParty = true };
        yield return environment.Platform == OSPlatform.Windows
            ? new UserSkillFolder(Path.Combine(environment.Get("APPDATA") ?? Path.Combine(home, "AppData", "Roaming"), "Block", "goose", "config", "skills"), "user (goose/skills)") { ThirdParty = true }
            : new UserSkillFolder(Path.Combine(environment.Get("XDG_CONFIG_HOME") ?? Path.Combine(home, ".config"), "goose", "skills"), "user (goose/skills)") { ThirdParty = true };
    }

    /// <summary>Expands a leading <c>~</c> or <c>~/</c> to the home directory.</summary>
    /// <param name="path">The path as written.</param>
    /// <param name="home">The home directory.</param>
    /// <returns>The path with the home directory in place of <c>~</c>.</returns>
    public static string ExpandHome(string path, string home) =>
        path == "~" ? home
        : path.StartsWith("~/", StringComparison.Ordinal) || path.StartsWith("~\\", StringComparison.Ordinal) ? Path.Combine(home, path[2..])
        : path;
}

/// <summary>One user skill folder.</summary>
/// <param name="Path">The folder (it need not exist).</param>
/// <param name="Label">Where it came from, as shown in listings (<c>user</c>, <c>user (AGENT_SKILLS_DIR)</c>).</param>
public sealed record UserSkillFolder(string Path, string Label)
{
    /// <summary>Whether another tool documents the folder (its skills' problems are summarised, not listed one by one, during a run).</summary>
    public bool ThirdParty { get; init; }
}
