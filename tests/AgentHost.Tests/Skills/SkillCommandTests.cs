using System.Text.Json;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Skills;

/// <summary>`agent skill list|show|lint|new` as real processes.</summary>
public sealed class SkillCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public SkillCommandTests()
    {
        Directory.CreateDirectory(Home);
        Directory.CreateDirectory(Project);
    }

    private string Home => _temp.Combine("home");

    private string Project => _temp.Combine("project");

    private Dictionary<string, string> Environment => new()
    {
        ["AGENT_HOME"] = _temp.Combine("agent-home"),
        ["HOME"] = Home,
        ["USERPROFILE"] = Home,
        ["XDG_CONFIG_HOME"] = _temp.Combine("xdg"),
        ["CI"] = "true",
    };

    [Fact]
    public async Task Lint_ExitsZeroForValidSkills_AndOneOnErrors_NamingFileAndLine()
    {
        var good = SkillFiles.Write(_temp.Combine("good"), "pdf", "Work with PDFs.");
        var bad = _temp.WriteFile("bad/broken/SKILL.md", "---\nname: broken\n---\nNo description.\n");

        var valid = await AgentProcess.RunAsync(_temp.Path, Environment, "skill", "lint", Path.GetDirectoryName(good)!);
        var single = await AgentProcess.RunAsync(_temp.Path, Environment, "skill", "lint", good);
        var invalid = await AgentProcess.RunAsync(_temp.Path, Environment, "skill", "lint", _temp.Combine("bad"));
        var missing = await AgentProcess.RunAsync(_temp.Path, Environment, "skill", "lint", _temp.Combine("nowhere"));

        Assert.True(valid.ExitCode == ExitCodes.Success, valid.Output + valid.Error);
        Assert.Equal(ExitCodes.Success, single.ExitCode);
        Assert.Contains("1 skill(s) checked: 0 error(s), 0 warning(s)", valid.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Failure, invalid.ExitCode);
        Assert.Contains($"{bad}:2: error: field 'description' is required", invalid.Output, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.NotFound, missing.ExitCode);
    }

    [Fact]
    public async Task Lint_WarningsPass_UnlessStrict()
    {
        SkillFiles.Write(_temp.Combine("skills"), "notes", name: "other-name");

        var lenient = await AgentProcess.RunAsync(_temp.Path, Environment, "skill", "lint", _temp.Combine("skills"));
        var strict = await AgentProcess.RunAsync(_temp.Path, Environment, "skill", "lint", _temp.Combine("skills"), "--strict");

        Assert.Equal(ExitCodes.Success, lenient.ExitCode);
        Assert.Contains("does not match its folder", lenient.Output, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Failure, strict.ExitCode);
    }

    [Fact]
    public async Task New_ScaffoldsASkillThatLintsClean_ThenListAndShowFindIt()
    {
        var created = await AgentProcess.RunAsync(Project, Environment, "skill", "new", "release-notes", "-d", "Write release notes: from merged PRs.");
        var lint = await AgentProcess.RunAsync(Project, Environment, "skill", "lint", "--strict");
        var list = await AgentProcess.RunAsync(Project, Environment, "skill", "list", "--json");
        var show = await AgentProcess.RunAsync(Project, Environment, "skill", "show", "release-notes");
        var again = await AgentProcess.RunAsync(Project, Environment, "skill", "new", "release-notes");
        var invalid = await AgentProcess.RunAsync(Project, Environment, "skill", "new", "Release Notes");

        Assert.True(created.ExitCode == ExitCodes.Success, created.Error);
        var file = Path.Combine(Project, ".agents", "skills", "release-notes", "SKILL.md");
        Assert.True(File.Exists(file));
        Assert.True(lint.ExitCode == ExitCodes.Success, lint.Output + lint.Error);
        var listed = JsonDocument.Parse(list.Output).RootElement.EnumerateArray().ToList();
        Assert.Equal(
            ["agent-config: built-in", "plugin-authoring: built-in", "release-notes: project"],
            listed.Select(s => $"{s.GetProperty("name").GetString()}: {s.GetProperty("source").GetString()}").Order(StringComparer.Ordinal));
        var skill = listed.Single(s => s.GetProperty("name").GetString() == "release-notes");
        Assert.Equal("project", skill.GetProperty("source").GetString());
        Assert.Equal("ok", skill.GetProperty("status").GetString());
        Assert.Equal(file, skill.GetProperty("path").GetString());
        Assert.Equal("Write release notes: from merged PRs.", skill.GetProperty("description").GetString());
        Assert.Contains("description: Write release notes: from merged PRs.", show.Output, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, again.ExitCode);
        Assert.Contains("already exists", again.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, invalid.ExitCode);
        Assert.Contains("'release-notes'", invalid.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_ShowsShadowedSkills_WithAWarningNamingBothFiles()
    {
        var project = SkillFiles.Write(Path.Combine(Project, ".claude", "skills"), "review", "Project review.");
        var user = SkillFiles.Write(Path.Combine(Home, ".agents", "skills"), "review", "User review.");

        var list = await AgentProcess.RunAsync(Project, Environment, "skill", "list");
        var unknown = await AgentProcess.RunAsync(Project, Environment, "skill", "show", "reveiw");

        Assert.Equal(ExitCodes.Success, list.ExitCode);
        Assert.Matches(@"review\s+project\s+ok", list.Output);
        Assert.Matches(@"review\s+user\s+shadowed", list.Output);
        Assert.Contains($"{user}: warning: skill 'review' is shadowed by {project}", list.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.NotFound, unknown.ExitCode);
        Assert.Contains("review", unknown.Error, StringComparison.Ordinal);
    }

    public void Dispose() => _temp.Dispose();
}
