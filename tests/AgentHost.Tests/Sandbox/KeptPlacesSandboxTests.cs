using AgentHost.Tests.GitTools;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Sandbox;

/// <summary>
/// What a sandboxed command cannot leave behind for the host to run later (docs/sandbox.md "What the sandbox keeps"),
/// through <c>agent run</c> in yolo mode with the real bubblewrap: git's redirecting files (<c>commondir</c>,
/// <c>config.worktree</c>, <c>hooks/</c>, <c>info/</c>, <c>config</c>) while <c>git add</c> and <c>git commit</c> still
/// work; the agent's configuration places that do not exist yet (<c>.agent/</c>, <c>.agents/</c>, <c>.claude/</c>,
/// <c>.mcp.json</c>); the agent's own records (its sessions database). The commands are a script of the repository's, so
/// that no permission rule stands in the way; each test's control run without the sandbox shows the command does it.
/// </summary>
public sealed class KeptPlacesSandboxTests
{
    /// <summary>
    /// One attack on kept places: the script's lines; the markers a line prints when its write went through (none may
    /// appear in the sandbox, the first must in the control run); files that must not be there after the sandboxed run;
    /// files a command made there that are renamed aside when it ends; markers that must appear (what still works).
    /// </summary>
    private sealed record Attack(bool Repository, string[] Lines, string[] Succeeded, string[] Absent, string[] MovedAside, string[] Works);

    private static Attack For(string places) => places switch
    {
        "git" => new Attack(
            Repository: true,
            Lines:
            [
                "echo change > change.txt",
                "git add -A && git -c user.name=t -c user.email=t@example.com commit -qm sandboxed; echo \"commit=$?\"",
                "mkdir -p /tmp/evil-common-$$; echo /tmp/evil-common-$$ > .git/commondir; echo \"common=$?\"",
                "echo x > .git/config.worktree; echo \"worktree=$?\"",
                "printf '#!/bin/sh\\necho pwned\\n' > .git/hooks/pre-commit; echo \"hook=$?\"",
                "printf '[core]\\n\\tfsmonitor = evil\\n' >> .git/config; echo \"config=$?\"",
                "echo '* filter=evil' > .git/info/attributes; echo \"info=$?\"",
                "mv .git .git-moved && mkdir .git && printf '[core]\\n\\tfsmonitor = evil\\n' > .git/config; echo \"moved=$?\"",
            ],
            Succeeded: ["common=0", "worktree=0", "hook=0", "config=0", "info=0", "moved=0"],
            Absent: [".git/commondir.sandbox-created", ".git/config.worktree.sandbox-created", ".git/hooks/pre-commit", ".git/info/attributes", ".git-moved"],
            MovedAside: [],
            Works: ["commit=0"]),
        "configuration" => new Attack(
            Repository: false,
            Lines:
            [
                "mkdir -p .agent && printf 'hooks:\\n  SessionStart: []\\n' > .agent/config.yaml; echo \"agent=$?\"",
                "mkdir -p .claude && echo '{}' > .claude/settings.json; echo \"claude=$?\"",
                "mkdir -p .agents/skills/evil && echo evil > .agents/skills/evil/SKILL.md; echo \"agents=$?\"",
                "echo '{\"mcpServers\": {}}' > .mcp.json",
            ],
            Succeeded: ["agent=0", "claude=0", "agents=0"],
            Absent: [".agent/config.yaml", ".claude/settings.json", ".agents/skills/evil/SKILL.md"],
            MovedAside: [".mcp.json"],
            Works: []),
        _ => throw new ArgumentOutOfRangeException(nameof(places), places, "no such attack"),
    };

    /// <summary>
    /// <c>git</c>: git's redirecting files (<c>commondir</c>, <c>config.worktree</c>, <c>hooks/</c>, <c>info/</c>,
    /// <c>config</c>, and <c>.git</c> itself moved aside and made again) cannot be left behind while <c>git add</c> and
    /// <c>git commit</c> work; <c>configuration</c>: absent <c>.agent/</c>, <c>.agents/</c>, <c>.claude/</c> and
    /// <c>.mcp.json</c> are protected as if present.
    /// </summary>
    [BubblewrapTheory]
    [InlineData("git")]
    [InlineData("configuration")]
    public async Task KeptPlaces_CannotBeLeftBehind_ForTheHostToRunLater(string places)
    {
        var attack = For(places);
        using var ws = new SandboxWorkspace();
        if (attack.Repository)
        {
            GitPluginFixture.GitIn(ws.Root, "init", "-q");
        }

        var config = attack.Repository ? File.ReadAllText(Path.Combine(ws.Root, ".git", "config")) : null;
        Assert.False(Directory.Exists(Path.Combine(ws.Root, ".agent")));
        File.WriteAllText(Path.Combine(ws.Root, "attack.sh"), string.Join('\n', attack.Lines) + "\n");

        var run = await ws.RunAsync(ws.Script(SandboxWorkspace.Shell("sh attack.sh")));

        Assert.True(run.Result.ExitCode == 0, run.All);
        var output = run.Results[0];
        Assert.All(attack.Works, marker => Assert.Contains(marker, output, StringComparison.Ordinal));
        Assert.All(attack.Succeeded, marker => Assert.DoesNotContain(marker, output, StringComparison.Ordinal));
        Assert.All(attack.Absent, file => Assert.False(Path.Exists(Path.Combine(ws.Root, file)), file + ": " + output));
        Assert.All(attack.MovedAside, file => Assert.False(Path.Exists(Path.Combine(ws.Root, file)), file + " made inside is moved aside when the command ends"));
        Assert.All(attack.MovedAside, file => Assert.True(File.Exists(Path.Combine(ws.Root, file + ".sandbox-created")), file + ": " + output));
        if (config is not null)
        {
            Assert.Equal(config, File.ReadAllText(Path.Combine(ws.Root, ".git", "config")));
            Assert.Equal(".\n", File.ReadAllText(Path.Combine(ws.Root, ".git", "commondir")));
            Assert.Equal(string.Empty, File.ReadAllText(Path.Combine(ws.Root, ".git", "config.worktree")));
            Assert.Contains("sandboxed", GitPluginFixture.GitIn(ws.Root, "log", "--oneline"), StringComparison.Ordinal);
            Assert.Equal(string.Empty, GitPluginFixture.GitIn(ws.Root, "status", "--porcelain", "change.txt"));
        }

        var control = await ws.RunAsync(ws.Script(SandboxWorkspace.Shell("sh attack.sh")), "--sandbox", "off");
        Assert.Contains(attack.Succeeded[0], control.Results[0], StringComparison.Ordinal);
        Assert.Contains(attack.Succeeded[^1], control.Results[0], StringComparison.Ordinal);
    }

    /// <summary>
    /// A linked worktree's <c>.git</c> file (<c>gitdir: …</c>) is kept read-only: a command cannot point it at a git
    /// folder of its making (whose config would run <c>core.fsmonitor</c> at the user's next <c>git status</c>), nor
    /// move it aside and write another; git in the worktree still works inside the sandbox.
    /// </summary>
    [BubblewrapFact]
    public async Task ALinkedWorktreesGitFile_CannotBeRedirected()
    {
        using var ws = new SandboxWorkspace();
        using var main = new TempDirectory();
        GitPluginFixture.GitIn(main.Path, "init", "-q");
        GitPluginFixture.GitIn(main.Path, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "--allow-empty", "-m", "init");
        GitPluginFixture.GitIn(main.Path, "worktree", "add", "-q", main.Combine("wt"));
        // The session's root is the linked worktree: its .git is the file git wrote there.
        var gitFile = File.ReadAllText(main.Combine("wt", ".git"));
        Directory.Delete(Path.Combine(ws.Root, ".git"), recursive: true);
        File.WriteAllText(Path.Combine(ws.Root, ".git"), gitFile);
        File.WriteAllText(Path.Combine(ws.Root, "attack.sh"), string.Join('\n',
            "git status --porcelain > /dev/null; echo \"status=$?\"",
            "mkdir -p /tmp/evil-git-$$ && printf 'gitdir: /tmp/evil-git-%s\\n' $$ > .git; echo \"redirected=$?\"",
            "mv .git .git-moved && echo 'gitdir: /tmp/evil' > .git; echo \"moved=$?\"") + "\n");

        var run = await ws.RunAsync(ws.Script(SandboxWorkspace.Shell("sh attack.sh")));

        Assert.True(run.Result.ExitCode == 0, run.All);
        var output = run.Results[0];
        Assert.Contains("status=0", output, StringComparison.Ordinal);
        Assert.DoesNotContain("redirected=0", output, StringComparison.Ordinal);
        Assert.DoesNotContain("moved=0", output, StringComparison.Ordinal);
        Assert.Equal(gitFile, File.ReadAllText(Path.Combine(ws.Root, ".git")));
        Assert.False(Path.Exists(Path.Combine(ws.Root, ".git-moved")));

        var control = await ws.RunAsync(ws.Script(SandboxWorkspace.Shell("sh attack.sh")), "--sandbox", "off");
        Assert.Contains("redirected=0", control.Results[0], StringComparison.Ordinal);
    }

    /// <summary>
    /// While a command runs (here: paused on a pipe until the host has looked), git on the host never reads a
    /// <c>commondir</c> or <c>config.worktree</c> of the command's making: absent ones are made with git's neutral
    /// content before it starts and bound read-only, so there is no window before the command ends.
    /// </summary>
    [BubblewrapFact]
    public async Task AbsentGitFiles_NeverHoldTheCommandsContent_WhileItRuns()
    {
        using var ws = new SandboxWorkspace();
        GitPluginFixture.GitIn(ws.Root, "init", "-q");
        var git = Path.Combine(ws.Root, ".git");
        var ready = Path.Combine(ws.Root, "ready.fifo");
        var go = Path.Combine(ws.Root, "go.fifo");
        MakeFifo(ready);
        MakeFifo(go);
        File.WriteAllText(Path.Combine(ws.Root, "attack.sh"), string.Join('\n',
            "echo /tmp/evil > .git/commondir; echo \"common=$?\"",
            "printf '[core]\\n\\tfsmonitor = evil\\n' > .git/config.worktree; echo \"worktree=$?\"",
            "echo ready > ready.fifo",
            "read line < go.fifo",
            string.Empty));

        var running = ws.RunAsync(ws.Script(SandboxWorkspace.Shell("sh attack.sh")));
        var paused = Task.Run(() => File.ReadAllText(ready));
        if (await Task.WhenAny(paused, running) == running)
        {
            File.WriteAllText(ready, string.Empty);
            Assert.Fail("the command ended before it paused: " + (await running).All);
        }

        var commondir = File.ReadAllText(Path.Combine(git, "commondir"));
        var worktree = File.ReadAllText(Path.Combine(git, "config.worktree"));
        var status = GitPluginFixture.GitIn(ws.Root, "status", "--porcelain");
        File.WriteAllText(go, "go\n");
        var run = await running;

        Assert.Equal(".\n", commondir);
        Assert.Equal(string.Empty, worktree);
        Assert.Contains("attack.sh", status, StringComparison.Ordinal);
        Assert.DoesNotContain("common=0", run.Results[0], StringComparison.Ordinal);
        Assert.DoesNotContain("worktree=0", run.Results[0], StringComparison.Ordinal);
        Assert.Equal(".\n", File.ReadAllText(Path.Combine(git, "commondir")));
    }

    private static void MakeFifo(string path)
    {
        using var mkfifo = System.Diagnostics.Process.Start("mkfifo", [path]);
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
    }

    [BubblewrapFact]
    public async Task TheAgentsSessionsDatabase_IsHidden_FromEveryCommand()
    {
        using var ws = new SandboxWorkspace();
        var database = Path.Combine(ws.Environment["AGENT_HOME"], "sessions.db");
        File.WriteAllText(Path.Combine(ws.Root, "attack.sh"), $"head -c 15 '{database}'; echo \"|db=$?\"; cat '{database}-wal' > /dev/null 2>&1; echo \"|wal\"\n");

        var run = await ws.RunAsync(ws.Script(SandboxWorkspace.Shell("sh attack.sh")));

        Assert.True(run.Result.ExitCode == 0, run.All);
        Assert.True(File.Exists(database), run.All);
        Assert.Contains("|db=", run.Results[0], StringComparison.Ordinal);
        Assert.DoesNotContain("SQLite format", run.Results[0], StringComparison.Ordinal);

        var control = await ws.RunAsync(ws.Script(SandboxWorkspace.Shell("sh attack.sh")), "--sandbox", "off");
        Assert.Contains("SQLite format", control.Results[0], StringComparison.Ordinal);
    }
}
