using AgentHost.Common.Shell;
using AgentHost.Permissions;
using AgentHost.Permissions.Paths;
using AgentHost.Permissions.Rules;
using AgentHost.Sdk.Tools;
using AgentHost.Tests.Permissions;
using AgentHost.Tests.Support;

namespace AgentHost.Permissions.Tests;

/// <summary>Rule matching on its own: which rule of a list applies to a target, without modes, floor or sandbox defaults.</summary>
public sealed class RuleMatcherTests : IDisposable
{
    private static readonly PermissionCall ShellCall = new("shell", ToolEffect.Execute, "x") { Plugin = "shell" };
    private static readonly PermissionCall WriteCall = new("write", ToolEffect.Write, "x") { Plugin = "files" };
    private readonly PermissionFixture _fixture = new();

    [Theory]
    [InlineData("git status", true)]
    [InlineData("git status -s", true)]
    [InlineData("git statusx", false)]
    [InlineData("git push", false)]
    public void Allow_ShellPrefix_MatchesAtAWordBoundary(string line, bool allowed)
    {
        var (matcher, sandbox) = Matcher(allow: ["shell(git status*)"]);

        Assert.Equal(allowed, matcher.FirstMatch(RuleList.Allow, ShellCall, Command(sandbox, line)) is not null);
    }

    [Fact]
    public void Deny_IgnoresCase_AndSeesThroughWrappersAndDirectories()
    {
        var (matcher, sandbox) = Matcher(deny: ["shell(rm -rf *)"]);

        Assert.NotNull(matcher.FirstMatch(RuleList.Deny, ShellCall, Command(sandbox, "sudo rm -rf build")));
        Assert.NotNull(matcher.FirstMatch(RuleList.Deny, ShellCall, Command(sandbox, "/bin/rm -rf build")));
        Assert.NotNull(matcher.FirstMatch(RuleList.Deny, ShellCall, Command(sandbox, "RM -RF build")));
        Assert.Null(matcher.FirstMatch(RuleList.Deny, ShellCall, Command(sandbox, "rm build")));
    }

    [Fact]
    public void Allow_ShellRules_AreCaseSensitive()
    {
        var (matcher, sandbox) = Matcher(allow: ["shell(npm test)"]);

        Assert.NotNull(matcher.FirstMatch(RuleList.Allow, ShellCall, Command(sandbox, "npm test")));
        Assert.Null(matcher.FirstMatch(RuleList.Allow, ShellCall, Command(sandbox, "NPM test")));
    }

    [Fact]
    public void Allow_NeverMatchesAWordKnownOnlyAtRunTime_ExceptWithAStar()
    {
        var (matcher, sandbox) = Matcher(allow: ["shell(echo hello)", "shell(echo *)"]);

        var rule = matcher.FirstMatch(RuleList.Allow, ShellCall, Command(sandbox, "echo $NAME"));

        Assert.Equal("shell(echo *)", rule?.Text);
    }

    [Fact]
    public void FirstMatch_IsTheFirstRuleOfTheList_InOrder()
    {
        var (matcher, sandbox) = Matcher(deny: ["shell(git *)", "shell(git push*)"]);

        Assert.Equal("shell(git *)", matcher.FirstMatch(RuleList.Deny, ShellCall, Command(sandbox, "git push origin"))?.Text);
        Assert.Null(matcher.FirstMatch(RuleList.Allow, ShellCall, Command(sandbox, "git push origin")));
    }

    [Fact]
    public void UncertainShellRule_FindsADenyRuleThatMayApplyOnceTheShellExpandsAWord()
    {
        var (matcher, sandbox) = Matcher(deny: ["shell(git push*)"]);

        Assert.Equal("shell(git push*)", matcher.UncertainShellRule(Command(sandbox, "git $(echo push)"))?.Text);
        Assert.Null(matcher.UncertainShellRule(Command(sandbox, "ls $HOME")));
        Assert.Null(matcher.UncertainShellRule(Command(sandbox, "git push")));
    }

    [Fact]
    public void PathRules_RelativePatterns_AreBelowTheRoot()
    {
        var (matcher, sandbox) = Matcher(allow: ["write(src/**)"]);

        Assert.NotNull(matcher.FirstMatch(RuleList.Allow, WriteCall, sandbox.PathTarget(TargetKind.Write, "src/app.cs", dynamic: false, sandbox.Root)));
        Assert.Null(matcher.FirstMatch(RuleList.Allow, WriteCall, sandbox.PathTarget(TargetKind.Write, "docs/app.md", dynamic: false, sandbox.Root)));
        Assert.Null(matcher.FirstMatch(RuleList.Allow, WriteCall, sandbox.PathTarget(TargetKind.Write, "src/../../x", dynamic: false, sandbox.Root)));
    }

    [SymlinkFact]
    public void PathRules_AllowMustMatchEveryRealPath_DenyAnySpelling()
    {
        var outside = Directory.CreateDirectory(_fixture.Temp.Combine("outside")).FullName;
        Directory.CreateSymbolicLink(Path.Combine(_fixture.Root, "src", "out"), outside);
        var (matcher, sandbox) = Matcher(allow: ["write(src/**)"], deny: ["write(src/**)"]);
        var target = sandbox.PathTarget(TargetKind.Write, "src/out/x.txt", dynamic: false, sandbox.Root);

        Assert.Null(matcher.FirstMatch(RuleList.Allow, WriteCall, target));
        Assert.NotNull(matcher.FirstMatch(RuleList.Deny, WriteCall, target));
    }

    [Theory]
    [InlineData("fetch(domain:*.example.com)", "api.example.com", true)]
    [InlineData("fetch(domain:*.example.com)", "example.com", false)]
    [InlineData("fetch(domain:*.example.com)", "evil-example.com", false)]
    [InlineData("fetch(domain:example.com)", "EXAMPLE.com", true)]
    public void FetchRules_MatchTheHost(string rule, string host, bool matches)
    {
        var (matcher, _) = Matcher(allow: [rule]);
        var target = new Target(TargetKind.Fetch, "https://" + host + "/x") { Host = host.ToLowerInvariant() };

        Assert.Equal(matches, matcher.FirstMatch(RuleList.Allow, new PermissionCall("fetch", ToolEffect.Network, "x"), target) is not null);
    }

    [Fact]
    public void ToolRules_MatchTheNameOrPluginSlashName_IgnoringCase()
    {
        var (matcher, _) = Matcher(deny: ["ops/DEPLOY"]);
        var target = new Target(TargetKind.Tool, "ops/deploy");

        Assert.NotNull(matcher.FirstMatch(RuleList.Deny, new PermissionCall("deploy", ToolEffect.Execute, "{}") { Plugin = "ops" }, target));
        Assert.Null(matcher.FirstMatch(RuleList.Deny, new PermissionCall("deploy", ToolEffect.Execute, "{}") { Plugin = "other" }, target));
    }

    public void Dispose() => _fixture.Dispose();

    /// <summary>The line's command target (a command substitution inside it is a target of its own).</summary>
    private static Target Command(PathSandbox sandbox, string line) =>
        new ShellTargets(sandbox).Build(ShellCall with { Subject = line }, ShellCommandParser.Parse(line))
            .Where(target => target.Kind == TargetKind.Command)
            .MaxBy(target => target.Subject.Length)!;

    private (RuleMatcher Matcher, PathSandbox Sandbox) Matcher(string[]? allow = null, string[]? ask = null, string[]? deny = null)
    {
        var policy = PermissionPolicy.FromText(allow, ask, deny);
        Assert.Empty(policy.Problems);
        var sandbox = new PathSandbox(_fixture.Root, _fixture.Home);
        return (new RuleMatcher(policy.Rules, sandbox.Root, sandbox.Home), sandbox);
    }
}
