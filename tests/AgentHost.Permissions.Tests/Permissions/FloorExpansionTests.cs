using AgentHost.Permissions;
using AgentHost.Tests.Permissions;
using static AgentHost.Tests.Permissions.PermissionFixture;

namespace AgentHost.Permissions.Tests;

/// <summary>The safety floor decides on what the shell sees after expansion (issue #17, class 5).</summary>
public sealed class FloorExpansionTests
{
    public static TheoryData<string> Below => new()
    {
        // Parameter expansion of the home directory.
        "rm -rf ${HOME:-/x}",
        "rm -rf ${HOME%/}",
        "rm -rf \"${HOME}\"",
        "rm -rf \"$HOME\"/",
        "rm -rf $HOME/..",
        "rm -rf $HOME/../..",
        "rm -rf ${HOME}/.",
        "rm -rf $X",
        "rm -rf \"$DIR\"",
        "rm -rf $DIR/",
        "rm -rf $(echo ~)",
        "rm -rf `echo ~`",
        "rm -rf ~/../$USER",
        "cat ${HOME:-/x}/.ssh/id_rsa",
        "cat \"$HOME\"/.ssh/id_rsa",
        "cat \"${HOME}\"/.aws/credentials",
        "cat ${HOME%/}/.netrc",

        // Brace and tilde tricks.
        "cat ~/.{ssh,aws}/credentials",
        "cat ~/.ssh/id_{rsa,ed25519}",
        "cat ~/.{s,}sh/id_rsa",
        "cp -r ~/.{aws,x} /tmp/y",
        "cat ~root/.ssh/id_rsa",
        "rm -rf ~root",
        "rm -rf ~/..",
        "rm -rf ~/../",
        "rm -rf ~/.*",
        "rm -rf ~/.??*",
        "rm -rf /{,}",
        "rm -rf {/,x}",
        "rm -rf ~/{.,x}",

        // Long options and their abbreviations.
        "rm --recurs --force ~",
        "rm --recursiv /",
        "rm --re /",
        "rm --force --recursive ~",
        "rm -R ~",
        "rm --no-preserve-root -r /",
        "rm --no-pres --rec /",
        "rm -f ~ -r",

        // Piped into xargs, find -delete, find -exec rm.
        "echo ~ | xargs rm -rf",
        "echo / | xargs -0 rm -r",
        "ls | xargs -I{} rm -rf {}",
        "find ~ -delete",
        "find / -delete",
        "find $HOME -mindepth 1 -delete",
        "find / -exec rm -rf {} +",
        "find ~ -name x -o -exec rm -r {} \\;",
        "find ~/.. -delete",

        // A command name computed at run time, with IFS splitting.
        "rm${IFS}-rf${IFS}~",
        "$RM -rf ~",
        "cat${IFS}~/.ssh/id_rsa",
    };

    [Theory]
    [MemberData(nameof(Below))]
    public void SafetyFloor_HoldsThroughExpansions(string command)
    {
        using var fixture = new PermissionFixture();
        Directory.CreateDirectory(Path.Combine(fixture.Home, ".ssh"));
        File.WriteAllText(Path.Combine(fixture.Home, ".ssh", "id_rsa"), "key");
        var engine = fixture.Engine(allow: ["shell", "shell(*)"]);

        var decision = Shell(engine, command, PermissionMode.Yolo);

        Assert.True(decision.Verdict == Verdict.Deny && decision.Basis == DecisionBasis.SafetyFloor, $"{command}: {decision.Verdict} {decision.Basis} ({decision.Reason})");
    }

    [Theory]
    [InlineData("rm -rf build")]
    [InlineData("rm -rf ./build dist/ node_modules")]
    [InlineData("rm -rf build/*")]
    [InlineData("rm -rf $OUT/obj")]
    [InlineData("rm -rf \"$TMPDIR/agent-test\"")]
    [InlineData("rm -rf ~/.cache/pip")]
    [InlineData("rm -rf ~/../other/tmp")]
    [InlineData("rm -f ~/file.txt")]
    [InlineData("rm --force ~/a.txt")]
    [InlineData("rm -rf {build,dist}")]
    [InlineData("cat ~/.bashrc")]
    [InlineData("cat ~/.ssh/known_hosts")]
    [InlineData("rm -f -- -x -r ~")]
    [InlineData("cat ~/.{bashrc,profile}")]
    [InlineData("echo ~ $HOME ${HOME}")]
    [InlineData("ls ~")]
    [InlineData("find . -name '*.o' -delete")]
    [InlineData("find build -exec rm -rf {} +")]
    [InlineData("find ~ -name '*.log'")]
    [InlineData("git ls-files | xargs grep -n TODO")]
    [InlineData("ls | xargs rm -f")]
    [InlineData("echo --recursive ~")]
    public void SafetyFloor_DoesNotStopOrdinaryCommands(string command)
    {
        using var fixture = new PermissionFixture();
        var engine = fixture.Engine();

        var decision = Shell(engine, command, PermissionMode.Yolo);

        Assert.True(decision.Verdict == Verdict.Allow, $"{command}: {decision.Verdict} {decision.Basis} ({decision.Reason})");
    }
}
