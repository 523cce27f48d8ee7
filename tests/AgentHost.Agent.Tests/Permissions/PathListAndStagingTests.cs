using AgentHost.Permissions;
using AgentHost.Permissions.Gate;
using AgentHost.Permissions.Rules;
using AgentHost.Sdk.Tools;
using AgentHost.Tests.Permissions;

namespace AgentHost.Agent.Tests.Permissions;

/// <summary>A subject that lists several paths (git_add's), and staging in accept-edits: decided like a commit.</summary>
public sealed class PathListAndStagingTests : IDisposable
{
    private readonly PermissionFixture _fixture = new();

    [Fact]
    public void SeveralPaths_AreEachDecided_AndTheSubjectReadsAsOneLine()
    {
        var engine = _fixture.Engine(deny: ["write(secret.txt)"]);
        var outside = Path.Combine(_fixture.Temp.Path, "elsewhere.txt");

        var inside = engine.Decide(Restore("a.txt\nsrc/b.txt"), PermissionMode.AcceptEdits);
        var leaving = engine.Decide(Restore($"a.txt\n{outside}"), PermissionMode.AcceptEdits);
        var denied = engine.Decide(Restore("a.txt\nsecret.txt"), PermissionMode.Yolo);

        Assert.Equal(Verdict.Allow, inside.Verdict);
        Assert.Equal("a.txt, src/b.txt", inside.Subject);
        Assert.Equal(2, inside.Parts.Count);
        Assert.Equal(Verdict.Ask, leaving.Verdict);
        Assert.DoesNotContain('\n', leaving.Reason);
        Assert.Equal(Verdict.Deny, denied.Verdict);
        Assert.Contains("secret.txt", denied.Reason, StringComparison.Ordinal);
        Assert.Equal("a.txt, src/b.txt", PermissionSubject.OneLine("a.txt\r\n src/b.txt\n"));
        Assert.Equal("one.txt", PermissionSubject.OneLine("one.txt"));
    }

    [Theory]
    [InlineData(PermissionMode.AcceptEdits, Verdict.Ask)]
    [InlineData(PermissionMode.Ask, Verdict.Ask)]
    [InlineData(PermissionMode.Yolo, Verdict.Allow)]
    [InlineData(PermissionMode.DontAsk, Verdict.Deny)]
    public void Staging_IsDecidedLikeACommit_InEveryMode(PermissionMode mode, Verdict expected)
    {
        var engine = _fixture.Engine();

        var one = engine.Decide(Stage("a.txt"), mode);
        var several = engine.Decide(Stage("a.txt\nb.txt"), mode);
        var commit = engine.Decide(new PermissionCall("git_commit", ToolEffect.Write | ToolEffect.Execute, "main") { Plugin = "git", Action = "write" }, mode);

        Assert.Equal(expected, one.Verdict);
        Assert.Equal(expected, several.Verdict);
        Assert.Equal(expected, commit.Verdict);
        if (mode == PermissionMode.AcceptEdits)
        {
            Assert.Contains("staging asks, as a commit does", one.Reason, StringComparison.Ordinal);
            Assert.Equal(Verdict.Allow, engine.Decide(new PermissionCall("edit", ToolEffect.Write, "a.txt") { Action = "write" }, mode).Verdict);
        }
    }

    [Fact]
    public void Staging_AnAllowRuleForTheTool_OrThePaths_AllowsIt_InAcceptEdits()
    {
        Assert.Equal(Verdict.Allow, _fixture.Engine(allow: ["git_add"]).Decide(Stage("a.txt\nb.txt"), PermissionMode.AcceptEdits).Verdict);
        Assert.Equal(Verdict.Allow, _fixture.Engine(allow: ["write(src/**)"]).Decide(Stage("src/a.txt"), PermissionMode.AcceptEdits).Verdict);
    }

    [Fact]
    public async Task ThePromptAndTheAudit_ShowSeveralPathsOnOneLine()
    {
        await using var gates = await GateFixture.CreateAsync();
        gates.Answer(GateFixture.Once);
        var gate = await gates.GateAsync(PermissionMode.AcceptEdits);
        var request = new ToolPermissionRequest(gates.SessionId, "call-1", "git_add", "git", ToolEffect.Write, new ToolCallDescription("stage", "a.txt\nsrc/b.txt"));

        var verdict = await gate.DecideAsync(request);

        Assert.True(verdict.Allowed);
        var prompt = Assert.Single(gates.Requests);
        Assert.Equal(("stage", "a.txt, src/b.txt"), (prompt.Action, prompt.Subject));
        Assert.Equal("a.txt, src/b.txt", Assert.Single(await gates.Store.Audit.GetAuditAsync(gates.SessionId)).Subject);
    }

    public void Dispose() => _fixture.Dispose();

    private static PermissionCall Stage(string paths) => new("git_add", ToolEffect.Write, paths) { Plugin = "git", Action = "stage" };

    private static PermissionCall Restore(string paths) => new("git_restore", ToolEffect.Write, paths) { Plugin = "git", Action = "write" };
}
