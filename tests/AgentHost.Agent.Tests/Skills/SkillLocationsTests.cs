using System.Runtime.InteropServices;
using AgentHost.Agent.Skills;
using AgentHost.Hosting;
using AgentHost.Hosting.Configuration;
using AgentHost.Tests.Skills;
using AgentHost.Tests.Support;

namespace AgentHost.Agent.Tests.Skills;

/// <summary>Which folders are searched for skills, in precedence order.</summary>
public sealed class SkillLocationsTests
{
    [Fact]
    public void Project_LooksInTheWorkingDirectoryAndEachParentUpToTheGitRoot()
    {
        using var temp = new TempDirectory();
        var repo = temp.Combine("repo");
        var work = Path.Combine(repo, "src", "app");

        var roots = SkillLocations.Project(work, repo).Select(r => r.Path).ToList();

        // Ours first, then the folders other tools use, in each directory from the working directory up to the git root.
        string[] folders = [".agents/skills", ".agent/skills", ".claude/skills", ".github/skills", ".codex/skills", ".cursor/skills", ".opencode/skills", ".opencode/skill", ".gemini/skills", ".crush/skills", ".goose/skills"];
        Assert.Equal(
            [.. new[] { work, Path.Combine(repo, "src"), repo }.SelectMany(directory => folders.Select(folder => Path.Combine(directory, folder)))],
            roots);
    }

    [Fact]
    public void Project_OutsideTheGitRoot_OnlyTheWorkingDirectory()
    {
        using var temp = new TempDirectory();

        var roots = SkillLocations.Project(temp.Combine("a", "b"), temp.Combine("elsewhere")).ToList();

        Assert.Equal(SkillLocations.ProjectFolders.Count, roots.Count);
        Assert.All(roots, r => Assert.StartsWith(temp.Combine("a", "b"), r.Path, StringComparison.Ordinal));
    }

    [Fact]
    public void User_FollowsAgentSkillsDirXdgAgentHomeAndTheHomeConventions_InOrder()
    {
        var environment = new HostEnvironment(
            new Dictionary<string, string> { ["AGENT_SKILLS_DIR"] = "/opt/skills", ["XDG_CONFIG_HOME"] = "/home/u/xdg", ["AGENT_HOME"] = "/home/u/agent-home" },
            "/work",
            "/home/u",
            OSPlatform.Linux);

        var roots = SkillLocations.User(environment).Select(r => r.Path).ToList();

        Assert.Equal(
            [
                "/opt/skills", "/home/u/xdg/agents/skills", "/home/u/.config/agents/skills", "/home/u/agent-home/skills", "/home/u/.agents/skills",
                "/home/u/.claude/skills", "/home/u/.copilot/skills", "/home/u/.codex/skills", "/home/u/.cursor/skills", "/home/u/xdg/opencode/skills", "/home/u/xdg/opencode/skill", "/home/u/.gemini/skills",
                "/home/u/xdg/crush/skills", "/home/u/xdg/goose/skills",
            ],
            roots);
        Assert.Equal(9, SkillLocations.User(environment).Count(r => r.ThirdParty));
    }

    [Fact]
    public void User_CodexHome_MovesCodexsFolder()
    {
        var environment = new HostEnvironment(new Dictionary<string, string> { ["CODEX_HOME"] = "~/codex" }, "/work", "/home/u", OSPlatform.Linux);

        var roots = SkillLocations.User(environment).ToList();

        Assert.Contains(roots, r => r is { Path: "/home/u/codex/skills", Label: "user ($CODEX_HOME/skills)", ThirdParty: true });
        Assert.DoesNotContain(roots, r => r.Path == "/home/u/.codex/skills");
    }

    [Fact]
    public void User_OnWindows_UsesAppData()
    {
        var environment = new HostEnvironment(new Dictionary<string, string> { ["APPDATA"] = Path.Combine("C", "Roaming") }, "/work", "/home/u", OSPlatform.Windows);

        var roots = SkillLocations.User(environment).Select(r => r.Path).ToList();

        Assert.Equal(Path.Combine("C", "Roaming", "agents", "skills"), roots[0]);
        Assert.Equal(Path.Combine("C", "Roaming", "agent", "skills"), roots[1]);
    }

    [Fact]
    public void All_OrdersProjectUserConfigBuiltIn_AndResolvesConfiguredPathsAgainstTheProjectRoot()
    {
        using var temp = new TempDirectory();
        var repo = temp.Combine("repo");
        temp.WriteFile("repo/.agent/config.yaml", "skills:\n  paths:\n    - team-skills\n    - ~/shared-skills\n");
        var environment = TestEnvironment.Create(temp.Combine("home"), repo);
        var configuration = ConfigurationResolver.Resolve(environment, AgentPaths.Resolve(environment), []);

        var roots = SkillLocations.All(configuration, environment, repo, builtInDirectory: temp.Combine("builtin")).ToList();

        Assert.Equal(SkillSource.Project, roots[0].Source);
        var config = roots.Where(r => r.Source == SkillSource.Config).ToList();
        Assert.Equal([Path.Combine(repo, "team-skills"), Path.Combine(temp.Combine("home"), "shared-skills")], config.Select(r => r.Path));
        Assert.All(config, r => Assert.True(r.FromProject));
        Assert.Contains("config.yaml:3", config[0].Label, StringComparison.Ordinal);
        Assert.Equal(temp.Combine("builtin"), roots[^1].Path);
        Assert.Equal(SkillSource.BuiltIn, roots[^1].Source);
        Assert.True(roots.FindIndex(r => r.Source == SkillSource.User) < roots.FindIndex(r => r.Source == SkillSource.Config));
    }

    [Fact]
    public void PluginSkillFolders_ComeFromTheRegistry_LabelledWithThePlugin()
    {
        using var temp = new TempDirectory();
        SkillFiles.Write(temp.Combine("plugin", "skills"), "echo-guide");
        var registry = new AgentHost.Hosting.Capabilities.CapabilityRegistry();
        registry.AddRange("fixture-echo", "1.0.0", [new AgentHost.Sdk.Capabilities.SkillDirectoryCapability("skills", temp.Combine("plugin", "skills"))]);

        var root = Assert.Single(SkillLocations.FromRegistry(registry));
        var skill = Assert.Single(new SkillCatalog([root]).Current.Available);

        Assert.Equal(SkillSource.Plugin, root.Source);
        Assert.Equal("plugin fixture-echo", root.Label);
        Assert.Equal("echo-guide", skill.Name);
        Assert.Equal("plugin", skill.SourceName);
    }

    [Fact]
    public void SkillsEnabledFalse_TurnsSkillsOff()
    {
        using var temp = new TempDirectory();
        var environment = TestEnvironment.Create(temp.Path, temp.Path);
        var off = ConfigurationResolver.Resolve(environment, AgentPaths.Resolve(environment), ["skills.enabled=false"]);
        var on = ConfigurationResolver.Resolve(environment, AgentPaths.Resolve(environment), []);

        Assert.False(SkillLocations.IsEnabled(off));
        Assert.True(SkillLocations.IsEnabled(on));
        Assert.False(off.HasErrors);
    }
}
