using AgentHost.Permissions;
using AgentHost.Tests.Permissions;
using static AgentHost.Tests.Permissions.PermissionFixture;

namespace AgentHost.Permissions.Tests;

/// <summary>Shell syntax the parser used to misread (issue #17, class 4): every line here is decided through the real engine.</summary>
public sealed class ShellParserAttackTests
{
    private static readonly string[] Allow = ["shell(git status*)", "shell(echo *)", "shell(cat *)", "shell(ls:*)", "shell(true)", "shell([[ *)", "shell(let *)", "shell(declare *)"];

    /// <summary>Lines an allow rule for a harmless command must not allow: each hides another command or a reading the parser does not understand.</summary>
    public static TheoryData<string> AllowBypasses => new()
    {
        // Control characters and line separators: bash reads '\r', '\v', '\f' and U+2028 as part of a word.
        "git\r status",
        "cat\r x",
        "echo hi\rrm -rf x",
        "echo a\vb",
        "echo a\fb",
        "echo a\u2028rm -rf x",
        "echo a\u2029b",
        "echo a\u0085b",
        "echo a\u001bb",
        "echo 'a\rb'",
        "git status\u00a0--short",

        // Quotes and braces nested inside ${…}: bash honours them, so the expansion ends later than a naive scan thinks.
        "echo ${x:-'}'}; rm -rf x #'",
        "echo ${x:-\"}\"}; rm -rf x #\"",
        "echo ${x:-{}}; rm -rf x",
        "echo ${x:-${y:-}}}; rm -rf x",
        "echo ${x:-\\}}; rm -rf x",
        "echo ${x:-`rm -rf x`}",
        "echo ${x:-$(rm -rf x)}",
        "echo \"${x:-'}'}\"; rm -rf x",

        // Arithmetic on variables inside expansions and unquoted here-documents runs code hidden in their values.
        "echo ${x:-$[y]}",
        "echo ${x:-$((y))}",
        "echo ${x:-${y:z}}",
        "cat <<EOF\n$[x]\nEOF",
        "cat <<EOF\n$((x))\nEOF",
        "cat <<EOF\n${y:x}\nEOF",
        "cat <<EOF\n${!x}\nEOF",
        "cat <<EOF\n${a[$i]}\nEOF",
        "cat <<EOF\n${x@P}\nEOF",
        "cat <<EOF\n${x:-$(rm -rf x)}\nEOF",
        "[[ x -eq 0 ]] && echo hi",
        "[[ $x -lt 1 ]]",
        "let y=x",
        "declare -i y=x",
        "echo $(( $x + 1 ))",
        "x='b[$(rm -rf x)]'; a[x]=1; echo hi",
        "a[i]=1 echo hi",

        // Text replaced at run time by find -exec and xargs -I inside a command string or a command name.
        "find . -exec sh -c 'echo {}' \\;",
        "find . -exec bash -c \"echo {}\" +",
        "find . -exec {} \\;",
        "ls | xargs -I{} sh -c 'echo {}'",
        "ls | xargs -I % bash -c 'echo %'",
        "ls | xargs -i sh -c 'echo {}'",
        "ls | xargs -I{} {}",
        "ls | xargs sh -c",
    };

    [Theory]
    [MemberData(nameof(AllowBypasses))]
    public void AllowRule_DoesNotAllow_WhatTheParserMisreads(string command)
    {
        using var fixture = new PermissionFixture();
        var engine = fixture.Engine(allow: [.. Allow, "shell(find *)", "shell(sh *)", "shell(bash *)"]);

        var asked = Shell(engine, command);
        var dontAsk = Shell(engine, command, PermissionMode.DontAsk);

        Assert.True(asked.Verdict != Verdict.Allow, $"{Show(command)}: {asked.Verdict} ({asked.Reason})");
        Assert.True(dontAsk.Verdict == Verdict.Deny, $"{Show(command)} in dont-ask: {dontAsk.Verdict} ({dontAsk.Reason})");
    }

    [Theory]
    [InlineData("echo ${x:-default} ${#x} ${a[@]} ${x%.txt} ${x/a/b}")]
    [InlineData("echo \"$HOME\" ${HOME}/x")]
    [InlineData("cat <<EOF\nhello $USER ${HOME} $((1 + 2))\nEOF")]
    [InlineData("cat <<'EOF'\n$[x] ${!x} $(rm -rf x)\nEOF")]
    [InlineData("echo 'tab\there'")]
    [InlineData("git status\n")]
    [InlineData("[[ 1 -eq 1 ]] && echo hi")]
    [InlineData("echo ${x: -1} ${x:1:2}")]
    [InlineData("ls | xargs -I{} echo {}")]
    [InlineData("find . -exec echo {} \\;")]
    public void AllowRule_StillAllows_OrdinaryLines(string command)
    {
        using var fixture = new PermissionFixture();
        var engine = fixture.Engine(allow: [.. Allow, "shell([[ *)", "shell(find *)"]);

        var decision = Shell(engine, command);

        Assert.True(decision.Verdict == Verdict.Allow, $"{Show(command)}: {decision.Verdict} ({decision.Reason})");
    }

    /// <summary>Wrappers with combined short options, option arguments, and multiplexers: the deny rule must still see <c>rm</c>.</summary>
    public static TheoryData<string> DenyEvasions => new()
    {
        "env -iu VAR rm -rf build",
        "env -u VAR -i rm -rf build",
        "env -iC /tmp rm -rf build",
        "env --unset=VAR rm -rf build",
        "env -iS 'rm -rf build'",
        "env -S'rm -rf build'",
        "env --split-string='rm -rf build'",
        "sudo -Eu root rm -rf build",
        "sudo -u root -E rm -rf build",
        "sudo -s rm -rf build",
        "sudo -i rm -rf build",
        "sudo --user=root rm -rf build",
        "sudo -nEHu root rm -rf build",
        "sudo -g wheel rm -rf build",
        "doas -u root rm -rf build",
        "timeout -vk 5 10 rm -rf build",
        "timeout -k5 10 rm -rf build",
        "timeout --kill-after=5 10 rm -rf build",
        "timeout -s KILL 10 rm -rf build",
        "timeout --preserve-status 10 rm -rf build",
        "xargs -0n1 rm -rf build",
        "xargs -0n 1 rm -rf build",
        "xargs -I {} rm -rf build",
        "xargs -I{} rm -rf build",
        "xargs -P 4 -n 1 rm -rf build",
        "xargs --max-args=1 rm -rf build",
        "nice -n5 rm -rf build",
        "nice -5 rm -rf build",
        "nice --adjustment=5 rm -rf build",
        "ionice -c3 rm -rf build",
        "ionice -c 3 -n 7 rm -rf build",
        "stdbuf -oL rm -rf build",
        "stdbuf -o L -e 0 rm -rf build",
        "bash -c -- 'rm -rf build'",
        "bash -O extglob -c 'rm -rf build'",
        "bash +O extglob -c 'rm -rf build'",
        "bash -o pipefail -c 'rm -rf build'",
        "bash --norc -c 'rm -rf build'",
        "bash --noprofile --norc -c 'rm -rf build'",
        "bash --rcfile x -c 'rm -rf build'",
        "sh -xc 'rm -rf build'",
        "sh -c -x 'rm -rf build'",
        "bash -ec 'rm -rf build'",
        "busybox rm -rf build",
        "busybox sh -c 'rm -rf build'",
        "toybox rm -rf build",
        "command -p rm -rf build",
        "command -- rm -rf build",
        "exec -a name rm -rf build",
        "exec -cl rm -rf build",
        "exec -la name rm -rf build",
        "nohup -- rm -rf build",
        "setsid -f rm -rf build",
        "time -p rm -rf build",
        "time -o x.log rm -rf build",
        "chroot / rm -rf build",
        "sudo timeout -k 1 5 env -i nice -n 1 rm -rf build",
        "builtin command rm -rf build",
        "pkexec rm -rf build",
        "pkexec --user root rm -rf build",
        "fakeroot -- rm -rf build",
        "taskset -c 0 rm -rf build",
        "taskset 0x1 rm -rf build",
        "flock /tmp/l rm -rf build",
        "flock -n /tmp/l -c 'rm -rf build'",
        "su -c 'rm -rf build'",
        "runuser -u bob -- rm -rf build",
        "trap -- 'rm -rf build' EXIT",
        "eval -- 'rm -rf build'",
        "zsh -fc 'rm -rf build'",
        "fish -c 'rm -rf build'",
        "fish --command='rm -rf build'",
        "dash -e -c 'rm -rf build'",
        "watch -n1 'rm -rf build'",
        "watch -d=permanent rm -rf build",
        "alias ls='rm -rf build'",
        "alias x=y ls='rm -rf build'",
        "PROMPT_COMMAND='rm -rf build' bash -i",
        "export PROMPT_COMMAND='rm -rf build'",
        "PS4='$(rm -rf build)' bash -xc 'echo'",
        "export PS4='`rm -rf build`'; set -x; echo",
    };

    [Theory]
    [MemberData(nameof(DenyEvasions))]
    public void DenyRule_HoldsThrough_WrapperOptionGrammar(string command)
    {
        using var fixture = new PermissionFixture();
        var engine = fixture.Engine(allow: ["shell"], deny: ["shell(rm *)"]);

        var decision = Shell(engine, command, PermissionMode.Yolo);

        Assert.True(decision.Verdict == Verdict.Deny, $"{command}: {decision.Verdict} ({decision.Reason})");
    }

    [Theory]
    [InlineData("sudo -Z rm -rf build")]
    [InlineData("timeout --bogus 5 rm -rf build")]
    [InlineData("env -Q rm -rf build")]
    [InlineData("bash -Z -c 'rm -rf build'")]
    [InlineData("xargs -Z rm -rf build")]
    [InlineData("nohup -x rm -rf build")]
    [InlineData("su root -c 'rm -rf build'")]
    [InlineData("sudo -e /etc/passwd")]
    [InlineData("fish -C 'rm -rf build'")]
    [InlineData("hash -p /bin/rm ls; ls -rf build")]
    [InlineData("BASH_ENV=./x.sh bash -c 'echo'")]
    public void UnknownWrapperOption_IsNotUnderstood_AndNeverAllowed(string command)
    {
        using var fixture = new PermissionFixture();
        var engine = fixture.Engine(allow: ["shell"], deny: ["shell(rm *)"]);

        var yolo = Shell(engine, command, PermissionMode.Yolo);
        var dontAsk = Shell(engine, command, PermissionMode.DontAsk);

        Assert.True(yolo.Verdict != Verdict.Allow, $"{command}: {yolo.Verdict} ({yolo.Reason})");
        Assert.Equal(Verdict.Deny, dontAsk.Verdict);
    }

    [Theory]
    [InlineData("echo -rf x | xargs rm")]
    [InlineData("echo push | xargs git")]
    [InlineData("echo x | xargs -0 git")]
    public void DenyRule_ThatXargsAppendedArgumentsMayMatch_Asks_EvenInYolo(string command)
    {
        using var fixture = new PermissionFixture();
        var engine = fixture.Engine(allow: ["shell"], deny: ["shell(rm -rf *)", "shell(git push *)"]);

        Assert.Equal(Verdict.Ask, Shell(engine, command, PermissionMode.Yolo).Verdict);
        Assert.Equal(Verdict.Deny, Shell(engine, command, PermissionMode.DontAsk).Verdict);
        Assert.Equal(Verdict.Allow, Shell(engine, "echo x | xargs grep -n", PermissionMode.Yolo).Verdict);
    }

    [Fact]
    public void UnparsedLine_IsNotAllowed_EvenByABareShellRule()
    {
        using var fixture = new PermissionFixture();
        var engine = fixture.Engine(allow: ["shell"]);

        Assert.Equal(Verdict.Ask, Shell(engine, "echo ${x:-'}'}; rm -rf x #'", PermissionMode.Yolo).Verdict);
        Assert.Equal(Verdict.Deny, Shell(engine, "echo ${x:-'}'}; rm -rf x #'", PermissionMode.DontAsk).Verdict);
        Assert.Equal(Verdict.Allow, Shell(engine, "echo ok", PermissionMode.DontAsk).Verdict);
    }

    [Theory]
    [InlineData("env -iu VAR git status", "shell(env -iu VAR git status*)")]
    [InlineData("sudo -Eu root git status", "shell(sudo -Eu root git status*)")]
    public void Qualifiers_KeepCombinedOptions(string command, string rule)
    {
        using var fixture = new PermissionFixture();

        Assert.Equal(Verdict.Ask, Shell(fixture.Engine(allow: ["shell(git status*)"]), command).Verdict);
        Assert.Equal(Verdict.Allow, Shell(fixture.Engine(allow: [rule]), command).Verdict);
    }

    private static string Show(string command) => string.Concat(command.Select(c => char.IsControl(c) || c > 0x7e ? $"\\u{(int)c:x4}" : c.ToString()));
}
