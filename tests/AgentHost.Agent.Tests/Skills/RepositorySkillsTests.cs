using AgentHost.Agent.Skills;
using AgentHost.Tests.Skills;
namespace AgentHost.Agent.Tests.Skills;

/// <summary>The built-in skills the repository ships (skills/) are valid.</summary>
public sealed class RepositorySkillsTests
{
    [Fact]
    public void EveryFolderUnderSkills_LintsWithoutErrors_AndTheConfigAndAuthoringSkillsShip()
    {
        var skills = Path.Combine(SkillFiles.RepositoryRoot, "skills");
        Assert.Equal(["agent-config", "plugin-authoring"], Directory.GetDirectories(skills).Select(Path.GetFileName).Order(StringComparer.Ordinal).Take(2));

        foreach (var folder in Directory.GetDirectories(skills))
        {
            var result = SkillLinter.Lint(folder);

            Assert.True(result.Files.Count > 0, $"{folder} has no SKILL.md");
            Assert.True(result.Errors == 0, string.Join('\n', result.Problems));
        }
    }
}
