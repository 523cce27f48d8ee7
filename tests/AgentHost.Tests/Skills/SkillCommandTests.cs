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

    [Fact]
    public async Task SkillsDisabled_ListsTheSkillAsDisabled_AndRunSkillRefusesIt_NamingTheSetting()
    {
        SkillFiles.Write(Path.Combine(Project, ".agents", "skills"), "deploy", "Deploys to production.");
        SkillFiles.Write(Path.Combine(Project, ".crush", "skills"), "notes", "Takes notes.");
        Directory.CreateDirectory(_temp.Combine("agent-home"));
        File.WriteAllText(_temp.Combine("agent-home", "config.yaml"), "skills:\n  disabled: [deploy]\n");

        var json = await AgentProcess.RunAsync(Project, Environment, "skill", "list", "--json");
        var run = await AgentProcess.RunAsync(Project, Environment, "run", "go", "-p", "scripted", "-m", "scripted/none.yaml", "--skill", "deploy");

        Assert.True(json.ExitCode == ExitCodes.Success, json.Error);
        var skills = JsonDocument.Parse(json.Output).RootElement.EnumerateArray().ToDictionary(s => s.GetProperty("name").GetString()!, s => s.GetProperty("status").GetString());
        Assert.Equal("disabled", skills["deploy"]);
        Assert.Equal("ok", skills["notes"]);
        Assert.Equal(ExitCodes.NotFound, run.ExitCode);
        Assert.Contains("--skill deploy: skill 'deploy' is disabled: skills.disabled", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OtherToolsFolders_AreSearched_OursFirst_AndListSaysWhichWins()
    {
        var ours = SkillFiles.Write(Path.Combine(Project, ".agents", "skills"), "review", "Ours.");
        var claude = SkillFiles.Write(Path.Combine(Project, ".claude", "skills"), "review", "Claude's.");
        var github = SkillFiles.Write(Path.Combine(Project, ".github", "skills"), "triage", "Copilot's.");
        var cursor = SkillFiles.Write(Path.Combine(Project, ".cursor", "skills"), "triage", "Cursor's.");
        SkillFiles.Write(Path.Combine(Project, ".codex", "skills"), "codex-one", "Codex.");
        SkillFiles.Write(Path.Combine(Project, ".opencode", "skills"), "opencode-one", "OpenCode.");
        SkillFiles.Write(Path.Combine(Project, ".gemini", "skills"), "gemini-one", "Gemini.");
        SkillFiles.Write(Path.Combine(Project, ".crush", "skills"), "crush-one", "Crush.");
        SkillFiles.Write(Path.Combine(Project, ".opencode", "skill"), "opencode-old", "OpenCode's singular folder.");
        SkillFiles.Write(Path.Combine(Project, ".goose", "skills"), "goose-one", "Goose.");
        var userCopilot = SkillFiles.Write(Path.Combine(Home, ".copilot", "skills"), "triage", "User Copilot.");
        SkillFiles.Write(Path.Combine(Home, ".codex", "skills"), "user-codex", "User Codex.");
        SkillFiles.Write(Path.Combine(Home, ".cursor", "skills"), "user-cursor", "User Cursor.");
        SkillFiles.Write(Path.Combine(Home, ".gemini", "skills"), "user-gemini", "User Gemini.");
        SkillFiles.Write(Path.Combine(_temp.Combine("xdg"), "opencode", "skills"), "user-opencode", "User OpenCode.");
        SkillFiles.Write(Path.Combine(_temp.Combine("xdg"), "crush", "skills"), "user-crush", "User Crush.");
        SkillFiles.Write(Path.Combine(_temp.Combine("xdg"), "opencode", "skill"), "user-opencode-old", "User OpenCode, singular.");
        SkillFiles.Write(Path.Combine(_temp.Combine("xdg"), "goose", "skills"), "user-goose", "User Goose.");

        var list = await AgentProcess.RunAsync(Project, Environment, "skill", "list");
        var json = await AgentProcess.RunAsync(Project, Environment, "skill", "list", "--json");

        Assert.True(list.ExitCode == ExitCodes.Success, list.Error);
        var skills = JsonDocument.Parse(json.Output).RootElement.EnumerateArray().Where(s => s.GetProperty("source").GetString() != "built-in").ToList();
        Assert.Equal(
            [
                "review project ok", "review project (.claude/skills) shadowed", "triage project (.github/skills) ok", "codex-one project (.codex/skills) ok",
                "triage project (.cursor/skills) shadowed", "opencode-one project (.opencode/skills) ok", "opencode-old project (.opencode/skill) ok", "gemini-one project (.gemini/skills) ok", "crush-one project (.crush/skills) ok",
                "goose-one project (.goose/skills) ok",
                "triage user (~/.copilot/skills) shadowed", "user-codex user (~/.codex/skills) ok", "user-cursor user (~/.cursor/skills) ok",
                "user-opencode user (opencode/skills) ok", "user-opencode-old user (opencode/skill) ok", "user-gemini user (~/.gemini/skills) ok", "user-crush user (crush/skills) ok",
                "user-goose user (goose/skills) ok",
            ],
            skills.Select(s => $"{s.GetProperty("name").GetString()} {s.GetProperty("root").GetString()} {s.GetProperty("status").GetString()}"));
        Assert.Equal(ours, skills[1].GetProperty("shadowedBy").GetString());
        Assert.Matches(@"review\s+project\s+shadowed by project\s+" + System.Text.RegularExpressions.Regex.Escape(claude), list.Output);
        Assert.Matches(@"triage\s+project\s+shadowed by project \(\.github/skills\)\s+" + System.Text.RegularExpressions.Regex.Escape(cursor), list.Output);
        Assert.Matches(@"triage\s+user\s+shadowed by project \(\.github/skills\)\s+" + System.Text.RegularExpressions.Regex.Escape(userCopilot), list.Output);
        Assert.Contains($"warning: 3 skills in other tools' folders have problems; run 'agent skill lint' for details", list.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(github, list.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LintWithoutAPath_ShowsTheDetails_AndAgreesWithListOnDuplicates()
    {
        var winner = SkillFiles.Write(Path.Combine(Project, ".agents", "skills"), "review", "Ours.");
        var loser = SkillFiles.Write(Path.Combine(Home, ".claude", "skills"), "review", "Claude's.");
        var odd = SkillFiles.Write(Path.Combine(Home, ".claude", "skills"), "odd", "Odd.", extra: "version: 3\n", body: "See ${CLAUDE_SESSION_ID}.\n");
        var folder = _temp.Combine("two");
        var first = SkillFiles.Write(folder, "a-first", "First.", name: "same");
        var second = SkillFiles.Write(folder, "b-second", "Second.", name: "same");

        var list = await AgentProcess.RunAsync(Project, Environment, "skill", "list");
        var lint = await AgentProcess.RunAsync(Project, Environment, "skill", "lint");
        var strict = await AgentProcess.RunAsync(Project, Environment, "skill", "lint", "--strict");
        var listFolder = await AgentProcess.RunAsync(Project, Environment, "skill", "list", "--json", "-c", $"skills.paths.0={folder}");
        var lintFolder = await AgentProcess.RunAsync(Project, Environment, "skill", "lint", folder);

        var shadowed = $"{loser}: warning: skill 'review' is shadowed by {winner} (project), which takes precedence; rename one of them to use both";
        Assert.Equal(ExitCodes.Success, list.ExitCode);
        Assert.Contains("warning: 2 skills in other tools' folders have problems; run 'agent skill lint' for details", list.Error, StringComparison.Ordinal);
        Assert.True(lint.ExitCode == ExitCodes.Success, lint.Output + lint.Error);
        Assert.Contains(shadowed, lint.Output, StringComparison.Ordinal);
        Assert.Contains($"{odd}:4: warning: unknown field 'version'", lint.Output, StringComparison.Ordinal);
        Assert.Contains($"{odd}:7: warning: placeholder ${{CLAUDE_SESSION_ID}} is not expanded", lint.Output, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Failure, strict.ExitCode);

        // Two skills with one name in one folder: list and lint name the same winner (the first found), with the same words.
        var listed = JsonDocument.Parse(listFolder.Output).RootElement.EnumerateArray().Single(s => s.GetProperty("path").GetString() == second);
        Assert.Equal(first, listed.GetProperty("shadowedBy").GetString());
        Assert.Equal(ExitCodes.Failure, lintFolder.ExitCode);
        Assert.Contains($"{second}: error: skill 'same' is shadowed by {first} (found first), which takes precedence; rename one of them to use both", lintFolder.Output, StringComparison.Ordinal);
    }

    public void Dispose() => _temp.Dispose();
}
