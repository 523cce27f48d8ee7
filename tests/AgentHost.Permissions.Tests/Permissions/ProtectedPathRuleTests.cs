using AgentHost.Hosting;
using AgentHost.Permissions;
using AgentHost.Permissions.Gate;
using AgentHost.Permissions.Rules;
using AgentHost.Sdk.Tools;
using AgentHost.Tests.Support;

namespace AgentHost.Permissions.Tests;

/// <summary>What can and cannot pre-approve a protected write, and which paths are protected, decided by the real engine.</summary>
public sealed class ProtectedPathRuleTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public ProtectedPathRuleTests()
    {
        Directory.CreateDirectory(Path.Combine(Root, "src"));
        Directory.CreateDirectory(Home);
    }

    private string Root => _temp.Combine("ws");

    private string Home => _temp.Combine("home");

    private string GlobalConfig => Path.Combine(Home, ".config", "agent", "config.yaml");

    [Theory]
    [InlineData("write(.agent/**)", ".agent/config.yaml", Verdict.Allow)]
    [InlineData("write(.agents/skills/**)", ".agents/skills/x/SKILL.md", Verdict.Allow)]
    [InlineData("write(.agents/skills/x/SKILL.md)", ".agents/skills/x/SKILL.md", Verdict.Allow)]
    [InlineData("write(.agents/skills/**)", ".agent/config.yaml", Verdict.Ask)]
    [InlineData("write(**)", ".agent/config.yaml", Verdict.Ask)]
    [InlineData("write(*)", ".husky/pre-commit", Verdict.Ask)]
    [InlineData("write(**/.agent/**)", ".agent/config.yaml", Verdict.Ask)]
    [InlineData("write(./**)", ".agent/config.yaml", Verdict.Ask)]
    [InlineData("write(.agent/**)", ".agents/skills/x/SKILL.md", Verdict.Ask)]
    public void OnlyAnExplicitRuleInTheUsersGlobalConfig_PreApprovesAProtectedWrite(string rule, string path, Verdict expected)
    {
        var global = Gate(PermissionMode.AcceptEdits, Rule(rule, GlobalConfig));
        var project = Gate(PermissionMode.AcceptEdits, Rule(rule, Path.Combine(Root, ".agent", "config.yaml")));
        var flag = Gate(PermissionMode.AcceptEdits, Rule(rule, file: null));

        Assert.Equal(expected, global.Decide(Write(path)).Verdict);
        Assert.Equal(Verdict.Ask, project.Decide(Write(path)).Verdict);
        Assert.Equal(Verdict.Ask, flag.Decide(Write(path)).Verdict);
    }

    [Fact]
    public void InPlanMode_EvenAnExplicitGlobalRule_DoesNotAllowAProtectedWrite()
    {
        var gate = Gate(PermissionMode.Plan, Rule("write(.agent/**)", GlobalConfig));

        Assert.Equal(Verdict.Deny, gate.Decide(Write(".agent/config.yaml")).Verdict);
    }

    [Fact]
    public void ADenyRule_StillWinsOverAProtectedPathAndAnExplicitGlobalRule()
    {
        var deny = Assert.Single(PermissionPolicy.FromText(deny: ["write(.agent/**)"]).Rules);
        var gate = new RulePermissionGate(new PermissionPolicy([deny, Rule("write(.agent/**)", GlobalConfig)]), PermissionMode.Yolo, Root, Home);

        var decision = gate.Decide(Write(".agent/config.yaml"));

        Assert.Equal(Verdict.Deny, decision.Verdict);
        Assert.Equal(DecisionBasis.Rule, decision.Basis);
    }

    [Fact]
    public void ASessionGrant_NeverCoversAProtectedWrite()
    {
        var grants = new SessionGrants(Root, Home);
        grants.Add(["write(.agent/**)", "write(**)", "shell"]);
        var gate = Gate(PermissionMode.Ask);

        Assert.False(grants.Covers(Write(".agent/config.yaml"), gate.Decide(Write(".agent/config.yaml")), out _));
        Assert.False(grants.Covers(Shell("echo x > .agent/config.yaml"), gate.Decide(Shell("echo x > .agent/config.yaml")), out _));
        Assert.True(grants.Covers(Write("src/a.txt"), gate.Decide(Write("src/a.txt")), out _));
    }

    [Theory]
    [InlineData("echo ok && echo x > .agent/config.yaml")]
    [InlineData("echo x 2> .agent/config.yaml")]
    [InlineData("echo x &> .agents/skills/x/SKILL.md")]
    [InlineData("cd src && echo x > ../.agent/config.yaml")]
    [InlineData("echo x > \"$D/.agent/config.yaml\"")]
    [InlineData("echo x > src/../.AGENT/config.yaml")]
    [InlineData("echo x > .husky/pre-push")]
    [InlineData("echo x > ./.claude/skills/y/SKILL.md")]
    [InlineData("echo x > .opencode/skill/y/SKILL.md")]
    [InlineData("echo x > .goose/skills/y/SKILL.md")]
    public void InYolo_ARedirectionIntoAProtectedPath_Asks(string command)
    {
        var decision = Gate(PermissionMode.Yolo).Decide(Shell(command));

        Assert.Equal(Verdict.Ask, decision.Verdict);
        Assert.Contains("protected: ", decision.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("cp evil.yaml .agent/config.yaml")]
    [InlineData("cp evil.yaml .agent/")]
    [InlineData("cp -f evil.yaml src/../.agent/plugins.yaml")]
    [InlineData("echo x | tee -a .agent/config.yaml")]
    [InlineData("mv evil.md .agents/skills/y/SKILL.md")]
    [InlineData("mv .agent/config.yaml old.yaml")]
    [InlineData("cp -t .husky pre-commit")]
    [InlineData("cp --target-directory=.husky pre-commit")]
    [InlineData("dd if=evil.yaml of=.agent/config.yaml")]
    [InlineData("sudo cp evil.yaml .agent/config.yaml")]
    [InlineData("cp -r prepared .agents")]
    [InlineData("install -m 755 hook .husky/pre-commit")]
    [InlineData("ln -sf /tmp/evil .claude/skills/z")]
    [InlineData("cp evil.yaml \"$D/.agent/config.yaml\"")]
    [InlineData("rm -rf .agent")]
    [InlineData("touch .agents/skills/new/SKILL.md")]
    [InlineData("cp -r prepared .opencode/skill")]
    public void InYolo_ACommandThatWritesAProtectedPathByArgument_Asks(string command)
    {
        var decision = Gate(PermissionMode.Yolo).Decide(Shell(command));

        Assert.Equal(Verdict.Ask, decision.Verdict);
        Assert.Contains("protected: ", decision.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("cp .agent/config.yaml backup.yaml")]
    [InlineData("cat .agent/config.yaml")]
    [InlineData("cp ../notes.txt .")]
    [InlineData("cp notes.txt src/")]
    [InlineData("echo x | tee out.txt")]
    [InlineData("grep -r hooksPath .husky")]
    [InlineData("rm -rf ./")]
    public void Control_InYolo_CommandsThatOnlyReadProtectedPathsOrWriteElsewhere_AreAllowed(string command)
    {
        Assert.Equal(Verdict.Allow, Gate(PermissionMode.Yolo).Decide(Shell(command)).Verdict);
    }

    [Theory]
    [InlineData(".agent/config.yaml", Verdict.Ask)]
    [InlineData("src/a.txt", Verdict.Allow)]
    public void EveryDeclaredPath_IsDecided_AndTheStrictestWins(string destination, Verdict expected)
    {
        var request = new ToolPermissionRequest("s", "c", "move", "files", ToolEffect.Write, new ToolCallDescription("write", "src/b.txt")
        {
            Paths = [new ToolCallPath(destination, ToolEffect.Write)],
        }) { WorkspaceRoot = Root };

        var decision = Gate(PermissionMode.AcceptEdits).Decide(request);

        Assert.Equal(expected, decision.Verdict);
        Assert.Equal(2, decision.Parts.Count);
    }

    [Fact]
    public void ADeclaredPathOutsideTheSandbox_Asks_InAcceptEdits()
    {
        var request = new ToolPermissionRequest("s", "c", "download", "web", ToolEffect.Network | ToolEffect.Write, new ToolCallDescription("download", "https://example.com/x")
        {
            Paths = [new ToolCallPath("../outside.bin", ToolEffect.Write)],
        }) { WorkspaceRoot = Root };
        var gate = new RulePermissionGate(PermissionPolicy.FromText(["fetch"]), PermissionMode.AcceptEdits, Root, Home);

        var decision = gate.Decide(request);

        Assert.Equal(Verdict.Ask, decision.Verdict);
        Assert.Equal("write", decision.Kind);
        Assert.True(decision.OutsideSandbox);
    }

    [Theory]
    [InlineData("[core]\n\thooksPath = .githooks\n", ".githooks/pre-commit")]
    [InlineData("[core]\n\thooksPath = tools/hooks ; comment\n", "tools/hooks/pre-push")]
    [InlineData("[CORE]\n  HOOKSPATH=\"ci hooks\"\n", "ci hooks/commit-msg")]
    [InlineData("[core]\n\thooksPath = a\n[core]\n\thooksPath = b\n", "b/pre-commit")]
    [InlineData("[core] hooksPath = inline\n", "inline/pre-commit")]
    public void TheFolderCoreHooksPathNames_IsProtected(string config, string hook)
    {
        Directory.CreateDirectory(Path.Combine(Root, ".git"));
        File.WriteAllText(Path.Combine(Root, ".git", "config"), config);

        var decision = Gate(PermissionMode.Yolo).Decide(Write(hook));

        Assert.Equal(Verdict.Ask, decision.Verdict);
        Assert.Contains("protected: git hooks (the folder core.hooksPath names", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ALinkedWorktree_ReadsHooksPathFromTheCommonGitDirectory()
    {
        var main = _temp.Combine("main", ".git");
        Directory.CreateDirectory(Path.Combine(main, "worktrees", "ws"));
        File.WriteAllText(Path.Combine(main, "config"), "[core]\n\thooksPath = hooks\n");
        File.WriteAllText(Path.Combine(main, "worktrees", "ws", "commondir"), "../..\n");
        File.WriteAllText(Path.Combine(Root, ".git"), $"gitdir: {Path.Combine(main, "worktrees", "ws")}\n");

        Assert.Equal(Verdict.Ask, Gate(PermissionMode.Yolo).Decide(Write("hooks/pre-commit")).Verdict);
        Assert.Equal(Verdict.Allow, Gate(PermissionMode.Yolo).Decide(Write("src/hooks.txt")).Verdict);
    }

    public static TheoryData<string> ProjectSkillFolderNames => [.. ProjectSkillFolders.All];

    [Theory]
    [MemberData(nameof(ProjectSkillFolderNames))]
    public void EveryProjectSkillFolderThatSkillsAreLoadedFrom_IsProtected_EvenInYolo(string folder)
    {
        var decision = Gate(PermissionMode.Yolo).Decide(Write(folder + "/planted/SKILL.md"));
        var byShell = Gate(PermissionMode.Yolo).Decide(Shell($"echo x > {folder}/planted/SKILL.md"));

        Assert.Equal(Verdict.Ask, decision.Verdict);
        Assert.Equal(DecisionBasis.Protected, decision.Basis);
        Assert.Equal(Verdict.Ask, byShell.Verdict);
    }

    [Fact]
    public void ANeighbourOfAToolsSkillFolder_IsNotProtected()
    {
        Assert.Equal(Verdict.Allow, Gate(PermissionMode.Yolo).Decide(Write(".github/workflows/ci.yml")).Verdict);
        Assert.Equal(Verdict.Allow, Gate(PermissionMode.Yolo).Decide(Write(".opencode/agent/review.md")).Verdict);
    }

    [Theory]
    [InlineData(".config/agent/config.yaml")]
    [InlineData(".config/agent/skills/x/SKILL.md")]
    [InlineData(".local/share/agent/trusted-projects.json")]
    [InlineData(".local/share/agent/plugins/evil/1.0.0/plugin.yaml")]
    [InlineData(".local/share/agent/plugins.lock.json")]
    [InlineData(".local/share/agent/cache/plugin-verified/0123456789abcdef0123456789abcdef.json")]
    [InlineData(".local/share/agent/cache/plugin-snapshots.json")]
    [InlineData(".local/share/agent/cache/skill-parses.json")]
    [InlineData(".agents/skills/x/SKILL.md")]
    [InlineData(".claude/skills/x/SKILL.md")]
    [InlineData(".config/agents/skills/x/SKILL.md")]
    [InlineData(".config/opencode/skill/x/SKILL.md")]
    [InlineData(".config/goose/skills/x/SKILL.md")]
    public void TheUsersConfigurationTrustListPluginsAndSkills_AreProtected_EvenInYolo(string relativeToHome)
    {
        var decision = Gate(PermissionMode.Yolo).Decide(Write(Path.Combine(Home, relativeToHome)));

        Assert.Equal(Verdict.Ask, decision.Verdict);
        Assert.Equal(DecisionBasis.Protected, decision.Basis);
    }

    [Theory]
    [InlineData("AGENTS.md")]
    [InlineData("CLAUDE.md")]
    [InlineData(".agentrc")]
    [InlineData("docs/.agents.md")]
    [InlineData("src/skills/x.md")]
    [InlineData(".github/hooks/x")]
    public void Control_NearbyOrdinaryPaths_AreNotProtected(string path)
    {
        Assert.Equal(Verdict.Allow, Gate(PermissionMode.AcceptEdits).Decide(Write(path)).Verdict);
    }

    [Fact]
    public void ReadingAProtectedPath_IsNotAffected()
    {
        var request = new ToolPermissionRequest("s", "c", "view", "files", ToolEffect.Read, new ToolCallDescription("read", ".agent/config.yaml")) { WorkspaceRoot = Root };

        Assert.Equal(Verdict.Allow, Gate(PermissionMode.Ask).Decide(request).Verdict);
    }

    private RulePermissionGate Gate(PermissionMode mode, params PermissionRule[] rules) => new(new PermissionPolicy(rules), mode, Root, Home);

    private static PermissionRule Rule(string text, string? file)
    {
        Assert.True(PermissionRuleParser.TryParse(RuleList.Allow, text, out var rule, out var error), error);
        return rule! with { File = file, Line = file is null ? null : 3, Origin = file is null ? "--allow" : null };
    }

    private ToolPermissionRequest Write(string path) =>
        new("s", "c", "write", "files", ToolEffect.Write, new ToolCallDescription("write", path)) { WorkspaceRoot = Root };

    private ToolPermissionRequest Shell(string command) =>
        new("s", "c", "shell", "shell", ToolEffect.Execute, new ToolCallDescription("run", command)) { WorkspaceRoot = Root };

    public void Dispose() => _temp.Dispose();
}
