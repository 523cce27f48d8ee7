using AgentHost.Permissions;
using AgentHost.Permissions.Paths;
using AgentHost.Tests.Permissions;
using static AgentHost.Tests.Permissions.PermissionFixture;

namespace AgentHost.Permissions.Tests;

/// <summary>
/// A shell word with a part computed at run time (an expansion or a glob) that could spell a protected path is decided
/// as that path (issue #44, class 4): the read path (<c>cat</c>) and the write path (a redirection), under an allow
/// rule for <c>cat *</c> and <c>echo *</c>, in yolo mode. The protected files do not exist: the decision is made on
/// what the word could spell, not on what the disk holds.
/// </summary>
public sealed class ComputedPathTests
{
    private static readonly string[] CatAndEcho = ["shell(cat *)", "shell(echo *)"];

    [Theory]
    [InlineData("cat ~/.ss${X}h/id_rsa")]
    [InlineData("cat ~/.ss$X/id_rsa")]
    [InlineData("cat ~/.s$(echo s)h/id_ed25519")]
    [InlineData("cat ~/.ss`echo h`/id_rsa")]
    [InlineData("cat $HOME/.s*h/id_rsa")]
    [InlineData("cat ${HOME}/.ss?/id_*")]
    [InlineData("cat ~/.ss?/id_*")]
    [InlineData("cat ~/.[s]sh/id_rsa")]
    [InlineData("cat ~/.*/id_rsa")]
    [InlineData("cat ~/${X}ssh/id_rsa")]
    [InlineData("cat ~/.a${X}ws/credentials")]
    [InlineData("cat ~/.aws/cred*")]
    [InlineData("cat ~/.ne${X}trc")]
    [InlineData("cat ~/.*rc")]
    [InlineData("cat ~/.docker/conf${X}.json")]
    [InlineData("cat ~/.config/gclo*/creds.json")]
    [InlineData("tar c ~/.s*h")]
    [InlineData("cat $D/.ss${X}h/id_rsa")]
    [InlineData("cat ${X}id_rsa ~/.ss*/x/../id_rsa")]
    [InlineData("cat < ~/.ss${X}h/id_rsa")]
    [InlineData("cat ~/x/../.ss${X}h/id_rsa")]
    public void AReadOfAWordThatCouldSpellACredentialStore_IsBelowTheFloor(string command)
    {
        using var fixture = new PermissionFixture();
        var engine = fixture.Engine(allow: CatAndEcho);

        var decision = Shell(engine, command, PermissionMode.Yolo);

        Assert.True(decision.Verdict == Verdict.Deny && decision.Basis == DecisionBasis.SafetyFloor, $"{command}: {decision.Verdict} {decision.Basis} ({decision.Reason})");
    }

    [Theory]
    [InlineData("echo x > .g${X}it/config")]
    [InlineData("echo x > .g$(printf i)t/hooks/pre-commit")]
    [InlineData("echo x > .gi?/config")]
    [InlineData("echo x > .g*/config")]
    [InlineData("echo x >> sub/.G${X}IT/HEAD")]
    [InlineData("echo x > $D/.g${X}it/config")]
    [InlineData("echo x > ~/.ss${X}h/id_rsa")]
    public void AWriteOfAWordThatCouldSpellAGitFolderOrACredentialStore_IsBelowTheFloor(string command)
    {
        using var fixture = new PermissionFixture();
        var engine = fixture.Engine(allow: CatAndEcho);

        var decision = Shell(engine, command, PermissionMode.Yolo);

        Assert.True(decision.Verdict == Verdict.Deny && decision.Basis == DecisionBasis.SafetyFloor, $"{command}: {decision.Verdict} {decision.Basis} ({decision.Reason})");
    }

    [Theory]
    [InlineData("echo x > .ag${X}ent/config.yaml")]
    [InlineData("echo x > .agen?/config.yaml")]
    [InlineData("echo x > .claude/sk${X}s/x/SKILL.md")]
    [InlineData("echo x > .cla*/skills/x/SKILL.md")]
    [InlineData("echo x > .hus${X}y/pre-commit")]
    [InlineData("echo x > $D/.age${X}nt/config.yaml")]
    [InlineData("echo x > ~/.config/ag${X}ent/config.yaml")]
    [InlineData("echo x | tee .ag$X/config.yaml")]
    [InlineData("cp x.yaml .agen?/config.yaml")]
    public void AWriteOfAWordThatCouldSpellAProtectedPath_Asks_EvenInYolo(string command)
    {
        using var fixture = new PermissionFixture();
        var engine = fixture.Engine(allow: ["shell(echo *)", "shell(cp *)", "shell(tee *)"]);

        var decision = Shell(engine, command, PermissionMode.Yolo);

        Assert.True(decision.Verdict == Verdict.Ask && decision.Basis == DecisionBasis.Protected, $"{command}: {decision.Verdict} {decision.Basis} ({decision.Reason})");
        Assert.Contains("computed at run time", decision.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("cat $X")]
    [InlineData("cat \"$F\"")]
    [InlineData("cat $D/id_rsa.pub")]
    [InlineData("cat ~/$D/notes.txt")]
    [InlineData("cat ~/.ssh/known_host?")]
    [InlineData("cat ~/.ssh/*.pub")]
    [InlineData("cat ~/.ss${X}h/config")]
    [InlineData("cat ${X}.json")]
    [InlineData("cat src/*.cs docs/*.md")]
    [InlineData("cat ~/.bash*")]
    [InlineData("grep -r 'id_*' .")]
    [InlineData("echo x > $OUT/config.yaml")]
    [InlineData("echo x > \"$LOG\"")]
    [InlineData("echo x > build/${NAME}.log")]
    [InlineData("echo x > $D/skills/readme.md")]
    [InlineData("echo x > out-$(date +%s).txt")]
    [InlineData("echo x > *.tmp")]
    public void AWordWithAnExpansionThatCannotSpellAProtectedPath_IsDecidedAsBefore(string command)
    {
        using var fixture = new PermissionFixture();
        var engine = fixture.Engine(allow: CatAndEcho.Append("shell(grep *)").ToArray());

        var decision = Shell(engine, command, PermissionMode.Yolo);

        Assert.True(decision.Verdict == Verdict.Allow, $"{command}: {decision.Verdict} {decision.Basis} ({decision.Reason})");
    }

    [Theory]
    [InlineData("~/.ss${X}h/id_rsa", ".ssh/id_*", true)]
    [InlineData("~/.ss${X}h/id_rsa", ".aws/credentials", false)]
    [InlineData("$D/id_rsa", ".ssh/id_*", false)]
    [InlineData("~/$D/id_rsa", ".ssh/id_*", false)]
    [InlineData("~/.s?h/$F", ".ssh/id_*", false)]
    [InlineData("~/.s?h/id_$K", ".ssh/id_*", true)]
    [InlineData("~/.s[!s]h/id_rsa", ".ssh/id_*", false)]
    [InlineData("~/.s[a-t]h/id_rsa", ".ssh/id_*", true)]
    [InlineData("~root/.ssh/id_rsa", ".ssh/id_*", true)]
    [InlineData("/etc/.ss${X}h/id_rsa", ".ssh/id_*", false)]
    [InlineData("${X}/.SSH/ID_RSA", ".ssh/id_*", true)]
    [InlineData("~/.ssh/id_rsa/${X}", ".ssh/id_*", true)]
    public void ComputedPath_CouldSpell_ReadsExpansionsAsAnyTextWithinAName(string word, string place, bool expected)
    {
        var home = "/home/u";
        var computed = ComputedPath.Parse(word, home, "/home/u/project");

        Assert.NotNull(computed);
        Assert.Equal(expected, computed.CouldSpell(ProtectedPlace.BelowHome(home, place, andBelow: true)));
    }

    [Theory]
    [InlineData("~/.ssh/id_rsa")]
    [InlineData("src/main.cs")]
    public void ComputedPath_Parse_ReturnsNull_ForAWordWithNothingComputed(string word) =>
        Assert.Null(ComputedPath.Parse(word, "/home/u", "/home/u/project"));
}
