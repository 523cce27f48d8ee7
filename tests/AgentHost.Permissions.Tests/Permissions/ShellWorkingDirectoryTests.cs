using AgentHost.Permissions;
using AgentHost.Permissions.Rules;
using AgentHost.Sdk.Tools;
using AgentHost.Tests.Permissions;

namespace AgentHost.Permissions.Tests;

/// <summary>Where a command starts (the shell tool's workdir) and <c>cd</c> inside the sandbox.</summary>
public sealed class ShellWorkingDirectoryTests
{
    private static PermissionDecision Run(PermissionEngine engine, string command, PermissionMode mode, string? workdir = null) =>
        engine.Decide(new PermissionCall("shell", ToolEffect.Execute, command) { Plugin = "shell", Action = "run", WorkingDirectory = workdir }, mode);

    [Theory]
    [InlineData("cd src && npm test", PermissionMode.DontAsk, Verdict.Allow)]
    [InlineData("cd src && npm test", PermissionMode.Plan, Verdict.Deny)]
    [InlineData("pushd src && npm test", PermissionMode.DontAsk, Verdict.Allow)]
    [InlineData("cd .. && npm test", PermissionMode.DontAsk, Verdict.Deny)]
    [InlineData("cd .. && npm test", PermissionMode.Ask, Verdict.Ask)]
    [InlineData("cd /etc && npm test", PermissionMode.DontAsk, Verdict.Deny)]
    [InlineData("cd ~/.ssh && npm test", PermissionMode.DontAsk, Verdict.Deny)]
    [InlineData("cd $DIR && npm test", PermissionMode.DontAsk, Verdict.Deny)]
    [InlineData("cd src && rm -rf x", PermissionMode.DontAsk, Verdict.Deny)]
    [InlineData("FOO=1 cd src && npm test", PermissionMode.DontAsk, Verdict.Deny)]
    public void CdInsideTheSandbox_OnlyMoves(string command, PermissionMode mode, Verdict expected)
    {
        using var fixture = new PermissionFixture();
        var engine = fixture.Engine(allow: ["shell(npm test)"]);

        Assert.Equal(expected, Run(engine, command, mode).Verdict);
    }

    [Fact]
    public void ADenyRuleOnTheFolder_StillStopsCd()
    {
        using var fixture = new PermissionFixture();
        Directory.CreateDirectory(Path.Combine(fixture.Root, "secrets"));
        var engine = fixture.Engine(allow: ["shell(npm test)"], deny: ["read(secrets)"]);

        Assert.Equal(Verdict.Deny, Run(engine, "cd secrets && npm test", PermissionMode.Yolo).Verdict);
    }

    [Fact]
    public void TheWorkingDirectory_IsWhereRelativeRedirectionsLand()
    {
        using var fixture = new PermissionFixture();
        Directory.CreateDirectory(Path.Combine(fixture.Root, "src", "gen"));
        var engine = fixture.Engine(allow: ["shell(echo *)", "write(src/gen/**)"]);

        var inside = Run(engine, "echo x > out.txt", PermissionMode.DontAsk, workdir: "src/gen");
        var atRoot = Run(engine, "echo x > out.txt", PermissionMode.DontAsk);
        var escaping = Run(engine, "echo x > ../../../x.txt", PermissionMode.AcceptEdits, workdir: "src/gen");

        Assert.Equal(Verdict.Allow, inside.Verdict);
        Assert.Contains(inside.Parts, p => p.Kind == "write" && p.Subject.Contains("src/gen/out.txt", StringComparison.Ordinal));
        Assert.Equal(Verdict.Deny, atRoot.Verdict);
        Assert.NotEqual(Verdict.Allow, escaping.Verdict);
        Assert.True(escaping.Parts.Single(p => p.Kind == "write").OutsideSandbox);
    }
}
