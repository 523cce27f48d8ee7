using AgentHost.Agent.Skills;
using AgentHost.Permissions;
using AgentHost.Permissions.Gate;
using AgentHost.Permissions.Rules;
using AgentHost.Sdk.Tools;
using AgentHost.Tests.Skills;
using AgentHost.Tests.Support;
using Microsoft.Extensions.AI;

namespace AgentHost.Agent.Tests.Skills;

/// <summary>Activating skills, reading their files, and what active skills pre-approve.</summary>
public sealed class ActiveSkillsTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public ActiveSkillsTests()
    {
        Directory.CreateDirectory(Project);
        SkillFiles.Write(Skills, "git-review", "Review the working tree.", extra: "allowed-tools: shell(git diff*) shell(rm *)\n", body: "Run git diff, then read reference.md.\n");
        File.WriteAllText(Path.Combine(Skills, "git-review", "reference.md"), "Look for missing tests.\n");
        Directory.CreateDirectory(Path.Combine(Skills, "git-review", "scripts"));
        File.WriteAllText(Path.Combine(Skills, "git-review", "scripts", "check.sh"), "echo ok\n");
        SkillFiles.Write(Skills, "release", "Cut a release.", extra: "disable-model-invocation: true\n");
        SkillFiles.Write(Skills, "background", "Background knowledge.", extra: "user-invocable: false\n");
    }

    private string Project => _temp.Combine("project");

    private string Skills => _temp.Combine("user-skills");

    [Fact]
    public void Activation_WrapsTheBodyWithTheName_AndListsBundledFilesWithoutTheirContent()
    {
        var active = Create();

        var text = active.ActivateForModel("git-review");

        Assert.StartsWith("<skill_content name=\"git-review\">\n", text, StringComparison.Ordinal);
        Assert.Contains("Run git diff, then read reference.md.", text, StringComparison.Ordinal);
        Assert.Contains("<skill_files>\nreference.md\nscripts/check.sh\n</skill_files>", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Look for missing tests.", text, StringComparison.Ordinal);
        Assert.EndsWith("</skill_content>", text, StringComparison.Ordinal);
        Assert.Equal("git-review", Assert.Single(SkillContent.Find(text)).Name);
    }

    [Fact]
    public void RepeatActivation_ReturnsAShortAlreadyActiveNote()
    {
        var active = Create();
        active.ActivateForModel("git-review");

        var again = active.ActivateForModel("git-review");

        Assert.StartsWith("Skill 'git-review' is already active", again, StringComparison.Ordinal);
        Assert.DoesNotContain("<skill_content", again, StringComparison.Ordinal);
    }

    [Fact]
    public void ModelCannotActivate_UserOnlySkills_AndUserCannotRun_ModelOnlySkills()
    {
        var active = Create();

        var model = Assert.Throws<SkillActivationException>(() => active.ActivateForModel("release"));
        var user = Assert.Throws<SkillActivationException>(() => active.ActivateForUser("background"));

        Assert.Contains("disable-model-invocation", model.Message, StringComparison.Ordinal);
        Assert.Contains("not user-invocable", user.Message, StringComparison.Ordinal);
        Assert.NotNull(active.ActivateForUser("release"));
    }

    [Fact]
    public void UnknownSkill_SuggestsCloseNames()
    {
        var error = Assert.Throws<SkillActivationException>(() => Create().ActivateForModel("git-reveiw"));

        Assert.Contains("no skill named 'git-reveiw'", error.Message, StringComparison.Ordinal);
        Assert.Contains("git-review", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadFile_ReadsInsideAnActiveSkill_AndRefusesEscapesAndInactiveSkills()
    {
        var active = Create();
        var inactive = Assert.Throws<SkillActivationException>(() => active.ReadFile("git-review", "reference.md"));
        active.ActivateForModel("git-review");

        Assert.Equal("Look for missing tests.\n", active.ReadFile("git-review", "reference.md"));
        Assert.Contains("is not active", inactive.Message, StringComparison.Ordinal);
        Assert.Contains("outside the folder", Assert.Throws<SkillActivationException>(() => active.ReadFile("git-review", "../release/SKILL.md")).Message, StringComparison.Ordinal);
        Assert.Contains("Did you mean", Assert.Throws<SkillActivationException>(() => active.ReadFile("git-review", "refrence.md")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Restore_ReactivatesSkillsFoundInAResumedHistory()
    {
        var first = Create();
        var block = first.ActivateForModel("git-review");
        var history = new[] { new ChatMessage(ChatRole.Tool, [new FunctionResultContent("c1", block)]) };

        var resumed = Create();
        await resumed.RestoreAsync(history, CancellationToken.None);

        Assert.True(resumed.IsActive("git-review"));
        Assert.StartsWith("Skill 'git-review' is already active", resumed.ActivateForModel("git-review"), StringComparison.Ordinal);
    }

    [Fact]
    public void AllowedTools_PreApproveAMatchingShellCall_NamingTheSkill()
    {
        var active = Create();
        active.ActivateForModel("git-review");

        var verdict = Approve(active, Shell("git diff --stat"), PermissionMode.Ask);

        Assert.NotNull(verdict);
        Assert.True(verdict.Allowed);
        Assert.Equal("skill", verdict.Scope);
        Assert.Equal("skill:git-review", verdict.AnsweredBy);
        Assert.StartsWith("allow shell(git diff*) (skill git-review: ", verdict.Rule, StringComparison.Ordinal);
    }

    [Fact]
    public void AllowedTools_ApplyOnlyWhileTheSkillIsActive_AndOnlyToMatchingCalls()
    {
        var active = Create();

        Assert.Null(Approve(active, Shell("git diff"), PermissionMode.Ask));
        active.ActivateForModel("git-review");
        Assert.Null(Approve(active, Shell("git push"), PermissionMode.Ask));
        Assert.Null(Approve(active, Shell("git diff && git push"), PermissionMode.Ask));
    }

    [Fact]
    public void AllowedTools_NeverPassADenyRuleOrTheSafetyFloor()
    {
        var active = Create();
        active.ActivateForModel("git-review");
        var denyDiff = Gate([Rule(RuleList.Deny, "shell(git diff*)")]);

        Assert.Null(Approve(active, Shell("git diff"), PermissionMode.Ask, denyDiff));
        Assert.Equal(Verdict.Deny, Gate([]).Decide(Shell("rm -rf ~"), PermissionMode.Ask).Verdict);
        Assert.Null(Approve(active, Shell("rm -rf ~"), PermissionMode.Ask));
    }

    [Fact]
    public void AllowedTools_DoNotPassAnExplicitAskRule()
    {
        var active = Create();
        active.ActivateForModel("git-review");

        Assert.Null(Approve(active, Shell("git diff"), PermissionMode.Ask, Gate([Rule(RuleList.Ask, "shell(git *)")])));
    }

    [Fact]
    public void InPlanMode_AllowedToolsDoNotApply()
    {
        var active = Create();
        active.ActivateForModel("git-review");

        Assert.Null(Approve(active, Shell("git diff"), PermissionMode.Plan));
    }

    [Fact]
    public void ProjectSkills_AllowedTools_ApplyOnlyInATrustedProject()
    {
        var projectSkills = Path.Combine(Project, ".agents", "skills");
        SkillFiles.Write(projectSkills, "tests", "Run the tests.", extra: "allowed-tools: shell(npm test)\n");
        var active = new ActiveSkills(new SkillCatalog([new SkillRoot(projectSkills, SkillSource.Project, "project") { FromProject = true }]), _temp.Combine("home"))
        {
            TrustProjectSkills = false,
        };
        active.ActivateForModel("tests");

        Assert.Null(Approve(active, Shell("npm test"), PermissionMode.Ask));
        active.TrustProjectSkills = true;
        Assert.NotNull(Approve(active, Shell("npm test"), PermissionMode.Ask));
    }

    [Fact]
    public void ASkillInAnUntrustedProjectsClaudeFolder_GetsNoMorePowerThanOneInAgentsSkills()
    {
        var ours = Path.Combine(Project, ".agents", "skills");
        var claude = Path.Combine(Project, ".claude", "skills");
        SkillFiles.Write(ours, "ours", "Ours.", extra: "allowed-tools: shell(npm test)\n");
        SkillFiles.Write(claude, "theirs", "Theirs.", extra: "allowed-tools: shell(npm test) read write shell\n");
        var roots = SkillLocations.Project(Project, Project).ToList();
        Assert.False(roots.Single(r => r.Path == ours).ThirdParty);
        Assert.True(roots.Single(r => r.Path == claude) is { FromProject: true, ThirdParty: true });
        var active = new ActiveSkills(new SkillCatalog(roots), _temp.Combine("home")) { TrustProjectSkills = false };
        active.ActivateForModel("ours");
        active.ActivateForModel("theirs");

        Assert.Null(Approve(active, Shell("npm test"), PermissionMode.Ask));
        Assert.Null(Approve(active, Shell("npm test"), PermissionMode.DontAsk));
        Assert.Null(Approve(active, Shell("curl example.com"), PermissionMode.Ask));
        active.TrustProjectSkills = true;
        Assert.Equal("skill:ours", Approve(active, Shell("npm test"), PermissionMode.Ask)?.AnsweredBy);
    }

    [Fact]
    public void AShellPatternsPaths_AreRelativeToTheSkillsFolder_HoweverTheCallSpellsThem()
    {
        var folder = Path.Combine(Skills, "scripted");
        SkillFiles.Write(Skills, "scripted", "Has scripts.", extra: "allowed-tools: shell(python3 scripts/*) shell(python3 ${CLAUDE_SKILL_DIR}/tools/*)\n");
        Directory.CreateDirectory(Path.Combine(folder, "scripts"));
        Directory.CreateDirectory(Path.Combine(folder, "tools"));
        Directory.CreateDirectory(Path.Combine(Project, "scripts"));
        var active = Create();
        active.ActivateForModel("scripted");

        Assert.Equal("skill:scripted", Approve(active, Shell($"cd {folder} && python3 scripts/x.py --n 1"), PermissionMode.Ask)?.AnsweredBy);
        Assert.Equal("skill:scripted", Approve(active, Shell($"python3 {folder}/scripts/x.py"), PermissionMode.Ask)?.AnsweredBy);
        Assert.Equal("skill:scripted", Approve(active, Shell($"python3 {folder}/tools/y.py"), PermissionMode.Ask)?.AnsweredBy);
        Assert.Equal("skill:scripted", Approve(active, Shell("python3 scripts/x.py", folder), PermissionMode.Ask)?.AnsweredBy);

        // The project's own scripts/ (the call runs in the project), and paths that leave the skill's folder, are not the skill's.
        Assert.Null(Approve(active, Shell("python3 scripts/x.py"), PermissionMode.Ask));
        Assert.Null(Approve(active, Shell($"cd {folder} && python3 scripts/../../evil.py"), PermissionMode.Ask));
        Assert.Null(Approve(active, Shell($"python3 {folder}/other/x.py"), PermissionMode.Ask));
        Assert.Null(Approve(active, Shell($"cd {folder} && python3 -c 'import os'"), PermissionMode.Ask));
    }

    [Fact]
    public void AUserSkillsScript_CalledThroughTheHomeTilde_IsTheSkillsScript()
    {
        var home = _temp.Combine("home");
        var root = Path.Combine(home, ".agents", "skills");
        SkillFiles.Write(root, "tidy", "Tidies.", extra: "allowed-tools: shell(python3 scripts/*)\n");
        Directory.CreateDirectory(Path.Combine(root, "tidy", "scripts"));
        var active = new ActiveSkills(new SkillCatalog([new SkillRoot(root, SkillSource.User, "user")]), home);
        active.ActivateForModel("tidy");

        Assert.Equal("skill:tidy", Approve(active, Shell("python3 ~/.agents/skills/tidy/scripts/run.py --all"), PermissionMode.Ask)?.AnsweredBy);
        Assert.Null(Approve(active, Shell("python3 ~/.agents/skills/other/scripts/run.py"), PermissionMode.Ask));
        Assert.Null(Approve(active, Shell("python3 ~/scripts/run.py"), PermissionMode.Ask));
    }

    [Fact]
    public void AnchoredPatterns_SpellPathsWithoutDotSlash_AndLeaveWordsThatAreNotPaths_AsWritten()
    {
        var folder = Path.Combine(Skills, "runner");
        SkillFiles.Write(Skills, "runner", "Runs.", extra: "allowed-tools: shell(./bin/run.sh *) shell(git log origin/main*)\n");
        Directory.CreateDirectory(Path.Combine(folder, "bin"));
        File.WriteAllText(Path.Combine(folder, "bin", "run.sh"), "echo run\n");
        var active = Create();
        active.ActivateForModel("runner");

        Assert.Equal("skill:runner", Approve(active, Shell($"cd {folder} && ./bin/run.sh --fast"), PermissionMode.Ask)?.AnsweredBy);
        Assert.Equal("skill:runner", Approve(active, Shell($"{folder}/bin/run.sh"), PermissionMode.Ask)?.AnsweredBy);
        Assert.Equal("skill:runner", Approve(active, Shell("git log origin/main --oneline"), PermissionMode.Ask)?.AnsweredBy);
        Assert.Null(Approve(active, Shell("./bin/run.sh"), PermissionMode.Ask));
    }

    [Fact]
    public void ReadsInsideAnActiveSkillsFolder_OutsideTheProject_ArePreApproved_EvenInPlanMode()
    {
        var active = Create();
        var file = Path.Combine(Skills, "git-review", "reference.md");
        Assert.Null(Approve(active, Read(file), PermissionMode.Ask));
        active.ActivateForModel("git-review");

        var verdict = Approve(active, Read(file), PermissionMode.Plan);

        Assert.NotNull(verdict);
        Assert.Equal($"read {Path.Combine(Skills, "git-review")} (folder of skill git-review)", verdict.Rule);
        Assert.Null(Approve(active, Read(Path.Combine(Skills, "release", "SKILL.md")), PermissionMode.Ask));
    }

    private ActiveSkills Create() => new(new SkillCatalog([new SkillRoot(Skills, SkillSource.User, "user")]), _temp.Combine("home"));

    private RulePermissionGate Gate(IEnumerable<PermissionRule> rules) =>
        new(new PermissionPolicy(rules), PermissionMode.Ask, Project, _temp.Combine("home"));

    private PermissionVerdict? Approve(ActiveSkills active, ToolPermissionRequest request, PermissionMode mode, RulePermissionGate? gate = null) =>
        active.Approve(request, (gate ?? Gate([])).Decide(request, PermissionMode.Ask), mode);

    private ToolPermissionRequest Shell(string command, string? workingDirectory = null) =>
        new("s1", "c1", "shell", "shell", ToolEffect.Execute, new ToolCallDescription("run", command) { WorkingDirectory = workingDirectory ?? Project }) { WorkspaceRoot = Project };

    private ToolPermissionRequest Read(string path) =>
        new("s1", "c1", "view", "files", ToolEffect.Read, new ToolCallDescription("read", path)) { WorkspaceRoot = Project };

    private static PermissionRule Rule(RuleList list, string text)
    {
        Assert.True(PermissionRuleParser.TryParse(list, text, out var rule, out var error), error);
        return rule!;
    }

    public void Dispose() => _temp.Dispose();
}
