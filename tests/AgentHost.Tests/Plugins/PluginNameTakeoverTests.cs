using AgentHost.Hosting;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Caches;
using AgentHost.Hosting.Plugins.Installed;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Plugins;

/// <summary>
/// At run time no plugin takes a first-party plugin's place (#44): an installed plugin that holds a first-party id
/// (installed before such ids were refused) is refused and the bundled one loads; a marketplace's <c>shell</c> loads
/// beside the bundled shell as <c>shell@market</c>; a <c>--plugin</c> folder declaring a default plugin's id is refused
/// naming both; and a <c>--plugin</c> folder follows no links out of itself. Real <c>agent</c> processes, the real
/// bundled catalog, the Claude Code fixture <c>shell</c>.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class PluginNameTakeoverTests : IDisposable
{
    private readonly RunWorkspace _ws = new();

    public void Dispose() => _ws.Dispose();

    private AgentPaths Paths => new(_ws.Combine("home"), _ws.Combine("home"));

    [Fact]
    public async Task AnInstalledPluginHoldingAFirstPartyId_IsRefused_AndTheBundledOneLoads()
    {
        // As an older agent installed it: the fixture locked under the first-party id.
        var folder = Path.Combine(Paths.PluginsDirectory, "shell", "9.9.9");
        Directory.CreateDirectory(Path.GetDirectoryName(folder)!);
        Directory.Move(ClaudePluginFixtures.CopyTo("shell", _ws.Combine("copy")), folder);
        var lockFile = PluginLockFile.Load(Paths.LockFile);
        lockFile.Set(new LockedPlugin("shell", "9.9.9", "folder", "/somewhere/shell", PluginHasher.ComputeHash(folder), true, DateTimeOffset.UnixEpoch));
        lockFile.Save();
        var script = _ws.WriteScript("turns:\n  - expect: { tools_include: [shell] }\n    text: the first-party shell is here\n");

        var run = await _ws.RunAsync("run", "hi", "-p", "scripted", "-m", "scripted/" + script);

        Assert.True(run.ExitCode == ExitCodes.Success, run.Error);
        Assert.Contains("the first-party shell is here", run.Output, StringComparison.Ordinal);
        Assert.Contains("plugin 'shell' installed from folder (/somewhere/shell) was not loaded: 'shell' is reserved for the first-party plugin 'shell' bundled with agent", run.Error, StringComparison.Ordinal);
        Assert.Contains("agent plugin remove shell", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMarketplacesPluginNamedShell_LoadsBesideTheBundledShell_WithItsCommand()
    {
        var market = _ws.Combine("market");
        Directory.CreateDirectory(Path.Combine(market, ".claude-plugin"));
        ClaudePluginFixtures.CopyTo("shell", Path.Combine(market, "plugins"));
        File.WriteAllText(Path.Combine(market, ".claude-plugin", "marketplace.json"), """
            { "name": "acme", "owner": { "name": "Someone" }, "plugins": [ { "name": "shell", "source": "./plugins/shell" } ] }
            """);
        Assert.Equal(ExitCodes.Success, (await _ws.RunAsync("plugin", "marketplace", "add", market)).ExitCode);
        var install = await _ws.RunAsync("plugin", "install", "shell@acme", "--yes");
        Assert.True(install.ExitCode == ExitCodes.Success, install.Error);
        var script = _ws.WriteScript("""
            turns:
              - expect: { tools_include: [shell], last_user_contains: ["Explain what this shell command does, step by step: ls -la"] }
                text: both are here
            """);

        var run = await _ws.RunAsync("run", "/shell:sh ls -la", "-p", "scripted", "-m", "scripted/" + script);

        Assert.True(run.ExitCode == ExitCodes.Success, run.Error);
        Assert.Contains("both are here", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APluginFolderDeclaringADefaultPluginsId_IsRefused_NamingBoth()
    {
        var fork = ClaudePluginFixtures.CopyTo("shell", _ws.Root);
        var script = _ws.WriteScript("turns:\n  - text: never\n");

        var run = await _ws.RunAsync("run", "hi", "-p", "scripted", "-p", "./shell", "-m", "scripted/" + script);
        var alone = await _ws.RunAsync("run", "hi", "--no-default-plugins", "-p", "scripted", "-p", "./shell", "-m", "scripted/" + script);

        Assert.Equal(ExitCodes.Plugin, run.ExitCode);
        Assert.Contains("two plugins of this run declare the id 'shell': the bundled plugin shell (", run.Error, StringComparison.Ordinal);
        Assert.Contains($"a default plugin) and the plugin folder {fork}; one would replace the other.", run.Error, StringComparison.Ordinal);
        Assert.Contains("pass --no-default-plugins", run.Error, StringComparison.Ordinal);
        Assert.True(alone.ExitCode == ExitCodes.Success, alone.Error);
    }

    [SymlinkFact]
    public async Task APluginFolderWithALinkLeadingOutOfIt_IsNotLoaded_WhileALinkInsideItIs()
    {
        var outside = _ws.Combine("secrets", "stolen");
        Directory.CreateDirectory(outside);
        File.WriteAllText(Path.Combine(outside, "SKILL.md"), "---\nname: stolen\ndescription: Read from outside the plugin.\n---\nsecret\n");
        var kit = ClaudePluginFixtures.CopyTo("notes-helper", _ws.Root);
        File.CreateSymbolicLink(Path.Combine(kit, "commands", "again.md"), "todo.md");
        var script = _ws.WriteScript("turns:\n  - text: loaded\n");

        var inside = await _ws.RunAsync("run", "hi", "--no-default-plugins", "-p", "scripted", "-p", "./notes-helper", "-m", "scripted/" + script);
        Directory.CreateSymbolicLink(Path.Combine(kit, "skills", "stolen"), outside);
        var escaping = await _ws.RunAsync("run", "hi", "--no-default-plugins", "-p", "scripted", "-p", "./notes-helper", "-m", "scripted/" + script);

        Assert.True(inside.ExitCode == ExitCodes.Success, inside.Error);
        Assert.Equal(ExitCodes.Plugin, escaping.ExitCode);
        Assert.Contains($"plugin folder {kit} has a symbolic link skills/stolen → {outside}, which leads outside the folder ({outside})", escaping.Error, StringComparison.Ordinal);
        Assert.Contains("Replace the link with the files it points to", escaping.Error, StringComparison.Ordinal);
    }
}
