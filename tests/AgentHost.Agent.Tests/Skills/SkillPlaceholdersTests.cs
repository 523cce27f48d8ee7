using AgentHost.Agent.Skills;
using AgentHost.Tests.Skills;
using AgentHost.Tests.Support;

namespace AgentHost.Agent.Tests.Skills;

/// <summary><c>${CLAUDE_SKILL_DIR}</c>-style placeholders: the known ones become the skill's folder, others are warned about.</summary>
public sealed class SkillPlaceholdersTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    [Fact]
    public void KnownPlaceholders_BecomeTheSkillsFolder_InTheInstructions_AndSkillRelativePaths_InAllowedTools()
    {
        var file = SkillFiles.Write(_temp.Path, "lint", "Lint.", extra: "allowed-tools: shell(python3 ${CLAUDE_SKILL_DIR}/scripts/*) read(${CLAUDE_PLUGIN_ROOT}/docs/**)\n",
            body: "Run python3 ${CLAUDE_SKILL_DIR}/scripts/lint.py, see ${CLAUDE_PLUGIN_ROOT}/docs, keep ${HOME} and $ARGUMENTS.\n");
        var skill = Assert.Single(new SkillCatalog([new SkillRoot(_temp.Path, SkillSource.User, "user")]).Current.All);

        var text = SkillContent.Render(skill);

        Assert.Equal(SkillStatus.Ok, skill.Status);
        var folder = Path.GetDirectoryName(file)!;
        Assert.Equal(["shell(python3 scripts/*)", $"read({folder.Replace('\\', '/')}/docs/**)"], skill.Document!.AllowedTools);
        Assert.Contains($"Run python3 {folder}/scripts/lint.py, see {folder}/docs, keep ${{HOME}} and $ARGUMENTS.", text, StringComparison.Ordinal);
    }

    [Fact]
    public void InAPluginsSkill_PluginRoot_IsThePluginsFolder_InTheInstructions_AndAsAnAbsolutePathInShellRules()
    {
        var plugin = Path.Combine(_temp.Path, "kit");
        var skills = Path.Combine(plugin, "skills");
        var file = SkillFiles.Write(skills, "report", "Report.", extra: "allowed-tools: shell(sh ${CLAUDE_PLUGIN_ROOT}/scripts/report.sh *) shell(python3 ${CLAUDE_SKILL_DIR}/run.py) read(${CLAUDE_PLUGIN_ROOT}/docs/**)\n",
            body: "Run sh ${CLAUDE_PLUGIN_ROOT}/scripts/report.sh from ${CLAUDE_SKILL_DIR}.\n");
        var root = new SkillRoot(skills, SkillSource.Plugin, "plugin kit") { PluginId = "kit", PluginDirectory = plugin };
        var skill = Assert.Single(new SkillCatalog([root]).Current.All);

        var text = SkillContent.Render(skill);

        var folder = Path.GetDirectoryName(file)!;
        Assert.Equal(SkillStatus.Ok, skill.Status);
        Assert.Equal([$"shell(sh {plugin.Replace('\\', '/')}/scripts/report.sh *)", "shell(python3 run.py)", $"read({plugin.Replace('\\', '/')}/docs/**)"], skill.Document!.AllowedTools);
        Assert.Contains($"Run sh {plugin}/scripts/report.sh from {folder}.", text, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownPlaceholders_AreWarnedAbout_WithTheirLine_AndLeftAsWritten()
    {
        var file = SkillFiles.Write(_temp.Path, "session", "Session.", body: "Log to /tmp/${CLAUDE_SESSION_ID}.log\nand ${CODEX_HOME}.\n");

        var result = SkillParser.ParseFile(file);

        Assert.NotNull(result.Document);
        Assert.Equal(
            [(6, "${CLAUDE_SESSION_ID}"), (7, "${CODEX_HOME}")],
            result.Problems.Select(p => (p.Line ?? 0, p.Message[(p.Message.IndexOf('$', StringComparison.Ordinal))..p.Message.IndexOf(" is not", StringComparison.Ordinal)])));
        Assert.All(result.Problems, p => Assert.Contains("is not expanded by this host (only ${CLAUDE_SKILL_DIR} and ${CLAUDE_PLUGIN_ROOT}", p.Message, StringComparison.Ordinal));
        Assert.Contains("/tmp/${CLAUDE_SESSION_ID}.log", result.Document!.Body, StringComparison.Ordinal);
    }

    public void Dispose() => _temp.Dispose();
}
