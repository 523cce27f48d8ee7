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
    [BubblewrapFact]
    public async Task GitsRedirectingFiles_CannotBeLeftBehind_WhileAddAndCommitWork()
    {
        using var ws = new SandboxWorkspace();
        GitPluginFixture.GitIn(ws.Root, "init", "-q");
        var git = Path.Combine(ws.Root, ".git");
        var config = File.ReadAllText(Path.Combine(git, "config"));
        File.WriteAllText(Path.Combine(ws.Root, "attack.sh"), string.Join('\n',
            "echo change > change.txt",
            "git add -A && git -c user.name=t -c user.email=t@example.com commit -qm sandboxed; echo \"commit=$?\"",
            "mkdir -p /tmp/evil-common-$$; echo /tmp/evil-common-$$ > .git/commondir",
            "echo x > .git/config.worktree",
            "printf '#!/bin/sh\\necho pwned\\n' > .git/hooks/pre-commit; echo \"hook=$?\"",
            "printf '[core]\\n\\tfsmonitor = evil\\n' >> .git/config; echo \"config=$?\"",
            "echo '* filter=evil' > .git/info/attributes; echo \"info=$?\"",
            string.Empty));

        var run = await ws.RunAsync(ws.Script(SandboxWorkspace.Shell("sh attack.sh")));

        Assert.True(run.Result.ExitCode == 0, run.All);
        var output = run.Results[0];
        Assert.Contains("commit=0", output, StringComparison.Ordinal);
        Assert.DoesNotContain("hook=0", output, StringComparison.Ordinal);
        Assert.DoesNotContain("config=0", output, StringComparison.Ordinal);
        Assert.DoesNotContain("info=0", output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(git, "commondir")), "a commondir made inside is moved aside when the command ends");
        Assert.True(File.Exists(Path.Combine(git, "commondir.sandbox-created")), output);
        Assert.False(File.Exists(Path.Combine(git, "config.worktree")), output);
        Assert.False(File.Exists(Path.Combine(git, "hooks", "pre-commit")), output);
        Assert.False(File.Exists(Path.Combine(git, "info", "attributes")), output);
        Assert.Equal(config, File.ReadAllText(Path.Combine(git, "config")));
        Assert.Contains("sandboxed", GitPluginFixture.GitIn(ws.Root, "log", "--oneline"), StringComparison.Ordinal);
        Assert.Equal(string.Empty, GitPluginFixture.GitIn(ws.Root, "status", "--porcelain", "change.txt"));

        var control = await ws.RunAsync(ws.Script(SandboxWorkspace.Shell("sh attack.sh")), "--sandbox", "off");
        Assert.Contains("hook=0", control.Results[0], StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(git, "commondir")), control.All);
    }

    [BubblewrapFact]
    public async Task AbsentConfigurationPlaces_AreProtectedAsIfPresent()
    {
        using var ws = new SandboxWorkspace();
        Assert.False(Directory.Exists(Path.Combine(ws.Root, ".agent")));
        File.WriteAllText(Path.Combine(ws.Root, "attack.sh"), string.Join('\n',
            "mkdir -p .agent && printf 'hooks:\\n  SessionStart: []\\n' > .agent/config.yaml; echo \"agent=$?\"",
            "mkdir -p .claude && echo '{}' > .claude/settings.json; echo \"claude=$?\"",
            "mkdir -p .agents/skills/evil && echo evil > .agents/skills/evil/SKILL.md; echo \"agents=$?\"",
            "echo '{\"mcpServers\": {}}' > .mcp.json",
            string.Empty));

        var run = await ws.RunAsync(ws.Script(SandboxWorkspace.Shell("sh attack.sh")));

        Assert.True(run.Result.ExitCode == 0, run.All);
        var output = run.Results[0];
        Assert.DoesNotContain("agent=0", output, StringComparison.Ordinal);
        Assert.DoesNotContain("claude=0", output, StringComparison.Ordinal);
        Assert.DoesNotContain("agents=0", output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(ws.Root, ".agent", "config.yaml")), output);
        Assert.False(File.Exists(Path.Combine(ws.Root, ".claude", "settings.json")), output);
        Assert.False(File.Exists(Path.Combine(ws.Root, ".agents", "skills", "evil", "SKILL.md")), output);
        Assert.False(File.Exists(Path.Combine(ws.Root, ".mcp.json")), "a .mcp.json made inside is moved aside when the command ends");
        Assert.True(File.Exists(Path.Combine(ws.Root, ".mcp.json.sandbox-created")), output);

        var control = await ws.RunAsync(ws.Script(SandboxWorkspace.Shell("sh attack.sh")), "--sandbox", "off");
        Assert.Contains("agent=0", control.Results[0], StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(ws.Root, ".agent", "config.yaml")), control.All);
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
