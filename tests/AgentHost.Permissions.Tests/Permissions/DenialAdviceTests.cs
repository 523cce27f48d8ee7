using AgentHost.Permissions;
using AgentHost.Permissions.Gate;
using AgentHost.Permissions.Rules;
using AgentHost.Sdk.Tools;
using AgentHost.Tests.Permissions;

namespace AgentHost.Permissions.Tests;

/// <summary>Every denial says how to fix it: the narrowest rule as a flag and a config line, or why no rule can help.</summary>
public sealed class DenialAdviceTests : IDisposable
{
    private readonly PermissionFixture _fixture = new();

    [Fact]
    public void DontAskWrite_NamesTheFlag_TheRule_AndAcceptEdits()
    {
        var decision = PermissionFixture.Write(_fixture.Engine(), "notes.txt", PermissionMode.DontAsk);

        Assert.Equal(Verdict.Deny, decision.Verdict);
        Assert.Equal(["write(notes.txt)"], DenialAdvice.RulesThatAllow(decision));
        Assert.Equal(
            "run again with --allow 'write(notes.txt)' (for that run only), or add write(notes.txt) to permissions.allow in your configuration; --permission-mode accept-edits allows every file edit inside the project",
            DenialAdvice.For(decision));
    }

    [Fact]
    public void Command_NamesTheNarrowRule_AndNoEditMode()
    {
        var decision = PermissionFixture.Shell(_fixture.Engine(), "npm test --watch", PermissionMode.DontAsk);

        var fix = DenialAdvice.For(decision);

        Assert.Equal("run again with --allow 'shell(npm test *)' (for that run only), or add shell(npm test *) to permissions.allow in your configuration", fix);
    }

    [Fact]
    public void CompoundCommand_OneFlagPerPartThatWasNotAllowed()
    {
        var decision = PermissionFixture.Shell(_fixture.Engine(allow: ["shell(git status)"]), "git status && npm run build && make", PermissionMode.DontAsk);

        Assert.Equal(["shell(npm run *)", "shell(make)"], DenialAdvice.RulesThatAllow(decision));
        Assert.StartsWith("run again with --allow 'shell(npm run *)' --allow 'shell(make)' (for that run only)", DenialAdvice.For(decision), StringComparison.Ordinal);
    }

    [Fact]
    public void Staging_IsNotOfferedAcceptEdits_WhichStillAsksForIt()
    {
        var staging = _fixture.Engine().Decide(new PermissionCall("git_add", ToolEffect.Write, "a.txt") { Plugin = "git", Action = "stage" }, PermissionMode.DontAsk);

        Assert.Equal(Verdict.Deny, staging.Verdict);
        Assert.DoesNotContain("accept-edits", DenialAdvice.For(staging), StringComparison.Ordinal);
        Assert.Contains("--allow 'write(a.txt)'", DenialAdvice.For(staging), StringComparison.Ordinal); // a write rule covers staging that path
    }

    [Fact]
    public void DenyRule_IsNamedWithItsLocation_AndNoAllowRuleIsSuggested()
    {
        var decision = PermissionFixture.Shell(_fixture.Engine(deny: ["shell(git push *)"]), "git push origin main", PermissionMode.Yolo);

        Assert.Empty(DenialAdvice.RulesThatAllow(decision));
        Assert.Contains("the deny rule shell(git push *)", DenialAdvice.For(decision), StringComparison.Ordinal);
        Assert.Contains("remove or narrow it", DenialAdvice.For(decision), StringComparison.Ordinal);
    }

    [Fact]
    public void AskRule_NeedsAPerson_OrASessionGrant()
    {
        var decision = PermissionFixture.Shell(_fixture.Engine(ask: ["shell(npm publish *)"]), "npm publish --tag next", PermissionMode.DontAsk);

        Assert.Empty(DenialAdvice.RulesThatAllow(decision));
        Assert.Contains("the ask rule shell(npm publish *)", DenialAdvice.For(decision), StringComparison.Ordinal);
        Assert.Contains("agent session grant <session> 'shell(npm publish *)'", DenialAdvice.For(decision), StringComparison.Ordinal);
    }

    [Fact]
    public void PlanMode_NamesTheModeFlag_NotARuleThatWouldNotHelp()
    {
        var decision = PermissionFixture.Write(_fixture.Engine(), "notes.txt", PermissionMode.Plan);

        Assert.Empty(DenialAdvice.RulesThatAllow(decision));
        Assert.Contains("--permission-mode ask", DenialAdvice.For(decision), StringComparison.Ordinal);
    }

    [Fact]
    public void SafetyFloor_SaysNothingAllowsIt()
    {
        var decision = PermissionFixture.Shell(_fixture.Engine(allow: ["shell(rm *)"]), "rm -rf /", PermissionMode.Yolo);

        Assert.Equal(DecisionBasis.SafetyFloor, decision.Basis);
        Assert.Empty(DenialAdvice.RulesThatAllow(decision));
        Assert.Contains("no rule or flag allows it", DenialAdvice.For(decision), StringComparison.Ordinal);
    }

    [Fact]
    public void ProtectedPath_NeedsAPersonOrAGlobalRule()
    {
        var decision = PermissionFixture.Write(_fixture.Engine(), ".agent/config.yaml", PermissionMode.DontAsk);

        Assert.Empty(DenialAdvice.RulesThatAllow(decision));
        Assert.Contains("global configuration", DenialAdvice.For(decision), StringComparison.Ordinal);
    }

    [Fact]
    public void Allowed_HasNoAdvice() =>
        Assert.Null(DenialAdvice.For(PermissionFixture.Read(_fixture.Engine(), "README.md", PermissionMode.DontAsk)));

    [Theory]
    [InlineData("write(notes.txt)", "'write(notes.txt)'")]
    [InlineData("shell(echo 'hi' *)", "'shell(echo '\\''hi'\\'' *)'")]
    public void Quote_ForAShell(string rule, string quoted) => Assert.Equal(quoted, DenialAdvice.Quote(rule));

    [Fact]
    public async Task Gate_HeadlessAsk_CarriesTheFixAndTheRules()
    {
        var gate = new RulePermissionGate(PermissionPolicy.FromText(), PermissionMode.Ask, _fixture.Root, _fixture.Home);
        var verdict = await gate.DecideAsync(new ToolPermissionRequest("s", "c", "write", "files", ToolEffect.Write, new ToolCallDescription("write", "notes.txt")) { WorkspaceRoot = _fixture.Root });

        Assert.False(verdict.Allowed);
        Assert.Equal(["write(notes.txt)"], verdict.SuggestedRules);
        Assert.StartsWith("run again with --allow 'write(notes.txt)'", verdict.Fix, StringComparison.Ordinal);
        Assert.DoesNotContain("--allow", verdict.Reason, StringComparison.Ordinal);
    }

    public void Dispose() => _fixture.Dispose();
}
