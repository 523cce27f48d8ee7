using AgentHost.Common.Processes;
using AgentHost.Hosting;
using AgentHost.Permissions;
using AgentHost.Permissions.Sandbox;
using AgentHost.Sdk.Tools;
using AgentHost.Tests.GitTools;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Sandbox;

/// <summary>
/// The macOS sandbox expresses the same layout as bubblewrap (docs/sandbox.md "macOS (sandbox-exec)"): the sandbox a
/// session's <see cref="SandboxPolicy"/> builds from its <see cref="SandboxLayout"/> (a server's, or the CLI's) is
/// turned into the Seatbelt profile, and the profile is read the way Seatbelt decides (<see cref="SeatbeltRules"/>:
/// the last matching rule wins). Text only: <c>sandbox-exec</c> runs only on macOS, never in this suite's CI.
/// </summary>
public sealed class SandboxExecLayoutTests
{
    private static readonly Dictionary<string, string?> NoSocket = new() { ["SSH_AUTH_SOCK"] = null };

    [Fact]
    public async Task ServerSession_UnderAHiddenParentRoot_KeepsItsOwnRoot_AndHidesTheRest()
    {
        using var temp = new TempDirectory();
        var srv = temp.Combine("srv");
        var alice = Folder(temp.Combine("srv", "alice"));
        var bob = Folder(temp.Combine("srv", "bob"));
        File.WriteAllText(Path.Combine(bob, "secret.txt"), "bob's\n");
        File.WriteAllText(Path.Combine(srv, "readme.txt"), "shared\n");
        var paths = new AgentPaths(temp.Combine("agent", "config"), Folder(temp.Combine("agent", "data")));
        Folder(Path.Combine(paths.PluginsDirectory, "tools"));
        var layout = SandboxLayout.ForServer(paths, [Path.Combine(paths.ConfigDirectory, "credentials.json")], [srv, alice, bob], temp.Combine("agent.sock"), []);

        var rules = await RulesAsync(temp, alice, layout);

        Assert.True(rules.CanRead(Real(Path.Combine(alice, "main.c"))));
        Assert.True(rules.CanWrite(Real(Path.Combine(alice, "main.c"))));
        Assert.True(rules.CanStat(Real(alice)), "realpath and getcwd walk through the hidden parent");
        Assert.True(rules.CanStat(Real(srv)));
        Assert.False(rules.CanRead(Real(srv)), "the hidden parent root cannot be listed");
        Assert.False(rules.CanRead(Real(Path.Combine(srv, "readme.txt"))));
        Assert.False(rules.CanRead(Real(Path.Combine(bob, "secret.txt"))));
        Assert.False(rules.CanStat(Real(Path.Combine(bob, "secret.txt"))));
        Assert.False(rules.CanWrite(Real(Path.Combine(bob, "planted.sh"))));
        Assert.False(rules.CanRead(Real(paths.SessionsDatabase)));
        Assert.False(rules.CanRead(Real(Path.Combine(paths.ConfigDirectory, "config.yaml"))));
        Assert.False(rules.CanRead(Real(temp.Combine("agent.sock"))));
        Assert.True(rules.CanRead(Real(Path.Combine(paths.PluginsDirectory, "tools", "run.sh"))), "installed plugins stay readable");
        Assert.False(rules.CanWrite(Real(Path.Combine(paths.PluginsDirectory, "tools", "run.sh"))));
        Assert.True(rules.CanStat(Real(paths.DataDirectory)));
        Assert.False(rules.CanRead(Real(paths.DataDirectory)));
    }

    [Fact]
    public async Task ServerSession_InsideTheHiddenDataFolder_KeepsItsOwnRoot()
    {
        using var temp = new TempDirectory();
        var home = Folder(temp.Combine("agent-home"));
        var paths = new AgentPaths(home, home);
        var alice = Folder(Path.Combine(home, "workspaces", "alice"));
        GitPluginFixture.GitIn(alice, "init", "-q");
        var layout = SandboxLayout.ForServer(paths, [Path.Combine(home, "credentials.json")], [alice], socket: null, []);

        var rules = await RulesAsync(temp, alice, layout);

        Assert.True(rules.CanWrite(Real(Path.Combine(alice, "src", "a.py"))));
        Assert.True(rules.CanRead(Real(Path.Combine(alice, "src", "a.py"))));
        Assert.True(rules.CanStat(Real(Path.Combine(home, "workspaces"))));
        Assert.False(rules.CanRead(Real(Path.Combine(home, "workspaces", "bob", "notes.md"))));
        Assert.False(rules.CanRead(Real(paths.SessionsDatabase)));
        Assert.False(rules.CanRead(Real(Path.Combine(home, "credentials.json"))));
        Assert.False(rules.CanWrite(Real(Path.Combine(home, "config.yaml"))));
        Assert.False(rules.CanWrite(Real(Path.Combine(alice, ".git", "config"))), "the root's own kept places stay read-only inside the hidden folder");
        Assert.True(rules.CanRead(Real(Path.Combine(alice, ".git", "config"))));
        Assert.False(rules.CanWrite(Real(Path.Combine(alice, ".agent", "config.yaml"))));
        Assert.False(rules.CanWrite(Real(Path.Combine(alice, ".husky", "pre-commit"))));
        Assert.False(rules.CanWrite(Real(Path.Combine(alice, ".claude", "skills", "x", "SKILL.md"))));
    }

    [Fact]
    public async Task AbsentProtectedPlaces_CannotBeMade_AndGitsRedirectsStayReadOnly()
    {
        using var temp = new TempDirectory();
        var root = Folder(temp.Combine("ws"));
        GitPluginFixture.GitIn(root, "init", "-q");
        var git = Path.Combine(root, ".git");
        var layout = SandboxLayout.ForAgent(new AgentPaths(temp.Combine("cfg"), temp.Combine("data")), []);

        var rules = await RulesAsync(temp, root, layout);

        foreach (var place in (string[])[".agent/config.yaml", ".agents/skills/x/SKILL.md", ".claude/settings.json", ".mcp.json", ".git/commondir", ".git/config.worktree", ".git/hooks/pre-commit", ".git/info/attributes", ".git/config"])
        {
            Assert.False(rules.CanWrite(Real(Path.Combine(root, place))), place);
        }

        Assert.False(rules.CanWrite(Real(Path.Combine(root, ".agent"))), "the folder itself cannot be made");
        Assert.False(rules.CanWrite(Real(Path.Combine(root, ".mcp.json", "x"))));
        Assert.True(rules.CanRead(Real(Path.Combine(git, "config"))));
        Assert.True(rules.CanWrite(Real(Path.Combine(git, "objects", "ab", "cdef"))), "git add and commit still write objects");
        Assert.True(rules.CanWrite(Real(Path.Combine(git, "index.lock"))));
        Assert.True(rules.CanWrite(Real(Path.Combine(git, "refs", "heads", "main"))));
        Assert.True(rules.CanWrite(Real(Path.Combine(root, ".mcp.json.bak"))), "a literal place, not a prefix");
        Assert.False(rules.CanUnlink(Real(git)), "moving .git aside would take its kept files with it");
        Assert.False(rules.CanUnlink(Real(root)));
        Assert.True(rules.CanUnlink(Real(Path.Combine(git, "objects", "ab"))));
        Assert.True(rules.CanUnlink(Real(Path.Combine(root, "src"))));
    }

    [Fact]
    public async Task EnvFiles_AndTheAgentsRecords_AreHidden_AndTheirFoldersCannotBeMoved()
    {
        using var temp = new TempDirectory();
        var root = Folder(temp.Combine("ws"));
        Folder(Path.Combine(root, "app"));
        File.WriteAllText(Path.Combine(root, ".env"), "KEY=1\n");
        File.WriteAllText(Path.Combine(root, "app", ".env.local"), "KEY=2\n");
        File.WriteAllText(Path.Combine(root, ".env.example"), "KEY=\n");
        var paths = new AgentPaths(Folder(temp.Combine("cfg")), Folder(temp.Combine("data")));
        Folder(Path.Combine(paths.PluginsDirectory, "tools"));
        var layout = SandboxLayout.ForAgent(paths, [Path.Combine(paths.ConfigDirectory, "credentials.json")]);

        var rules = await RulesAsync(temp, root, layout);

        Assert.False(rules.CanRead(Real(Path.Combine(root, ".env"))));
        Assert.False(rules.CanWrite(Real(Path.Combine(root, ".env"))));
        Assert.False(rules.CanRead(Real(Path.Combine(root, "app", ".env.local"))));
        Assert.True(rules.CanRead(Real(Path.Combine(root, ".env.example"))));
        Assert.True(rules.CanWrite(Real(Path.Combine(root, "app", "main.py"))));
        Assert.False(rules.CanUnlink(Real(Path.Combine(root, "app"))), "renaming app/ would reach app/.env.local under another name");
        foreach (var record in (string[])[paths.SessionsDatabase, paths.SessionsDatabase + "-wal", paths.SessionsDatabase + "-journal", Path.Combine(paths.LogsDirectory, "agent.log"), Path.Combine(paths.ConfigDirectory, "credentials.json")])
        {
            Assert.False(rules.CanRead(Real(record)), record);
        }

        Assert.True(rules.CanRead(Real(Path.Combine(paths.PluginsDirectory, "tools", "run.sh"))));
    }

    private static async Task<SeatbeltRules> RulesAsync(TempDirectory temp, string root, SandboxLayout layout)
    {
        var home = Folder(temp.Combine("home"));
        using var policy = new SandboxPolicy(
            SandboxSettings.Default,
            _ => Task.FromResult(new ProcessSandbox { Backend = SandboxExec.Name, ProgramPath = SandboxExec.DefaultProgram }),
            root,
            home,
            tempDirectory: temp.Combine("session-tmp"),
            layout: layout);
        var sandbox = await policy.ForAsync("true");
        Assert.NotNull(sandbox);
        var (profile, parameters) = SandboxExec.Profile(sandbox, NoSocket);
        return new SeatbeltRules(profile, parameters);
    }

    private static string Folder(string path) => Directory.CreateDirectory(path).FullName;

    private static string Real(string path) => WorkspacePaths.RealPath(Path.GetFullPath(path));
}
