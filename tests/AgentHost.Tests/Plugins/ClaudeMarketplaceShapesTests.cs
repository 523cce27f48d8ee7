using AgentHost.Tests.Mcp;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Plugins;

/// <summary>
/// Shapes of real marketplace plugins that used to break (#50), from the <c>breakers-market</c> fixture marketplace,
/// installed and run through the real <c>agent</c> CLI with the scripted model: a guard hook that loads its own code by
/// the plugin's folder name, a plugin skill whose script and <c>allowed-tools</c> use <c>${CLAUDE_PLUGIN_ROOT}</c>, and
/// an MCP server URL written <c>${VAR:-default}</c>.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class ClaudeMarketplaceShapesTests : IDisposable
{
    private readonly RunWorkspace _ws = new();

    public void Dispose() => _ws.Dispose();

    private Task<CliResult> RunAsync(params string[] args) => AgentProcess.RunAsync(_ws.Root, _ws.Environment, args);

    private Task<CliResult> RunWithAsync(string variable, string value, params string[] args)
    {
        var environment = _ws.Environment;
        environment[variable] = value;
        return AgentProcess.RunAsync(_ws.Root, environment, args);
    }

    /// <summary>Adds the fixture marketplace and installs one of its plugins; returns the plugin's installed folder.</summary>
    private async Task<string> InstallAsync(string name)
    {
        var market = ClaudePluginFixtures.CopyTo("breakers-market", _ws.Combine("sources"));
        var add = await RunAsync("plugin", "marketplace", "add", market);
        Assert.True(add.ExitCode == ExitCodes.Success, add.Error + add.Output);
        var install = await RunAsync("plugin", "install", name + "@breakers", "--yes");
        Assert.True(install.ExitCode == ExitCodes.Success, install.Error + install.Output);
        return _ws.Combine("home", "plugins", name + "@breakers", "1.0.0", name);
    }

    [Fact]
    public async Task AGuardHookThatImportsItsOwnFolderByName_FindsIt_AndBlocks()
    {
        var installed = await InstallAsync("selfguard");
        var script = _ws.WriteScript("""
            turns:
              - tool_calls: [{ name: shell, arguments: { command: "echo forbidden-marker" } }]
              - expect:
                  tool_results_contain: ["selfguard refuses the forbidden marker"]
                text: guarded
            """);

        // The rules allow the call: only the plugin's guard stands in its way.
        var result = await RunAsync("run", "say the marker", "-p", "scripted", "--no-default-plugins", "--plugin", "shell", "--allow", "shell(echo *)", "-m", "scripted/" + script);

        // Where the plugin's folder is not named after it, the hook cannot load its rules: it fails (exit 1), and its
        // rules' own refusal never comes.
        Assert.True(File.Exists(Path.Combine(installed, "lib", "rules.sh")), "the plugin's own folder keeps its name: " + installed);
        Assert.True(result.ExitCode == ExitCodes.Denied, result.Error + result.Output);
        Assert.Contains("blocked, deny — selfguard refuses the forbidden marker", result.Error, StringComparison.Ordinal);
        Assert.Contains("guarded", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APluginsSkill_PluginRootIsThePluginsFolder_AndItsAllowedToolsPreApproveTheScript()
    {
        var installed = await InstallAsync("plugin-scripts");
        var command = $"sh {installed}/scripts/report.sh weekly";
        var script = _ws.WriteScript($$"""
            turns:
              - tool_calls: [{ name: skill, arguments: { name: report } }]
              - expect:
                  tool_results_contain: ["Run `sh {{installed}}/scripts/report.sh <topic>`"]
                tool_calls: [{ name: shell, arguments: { command: "{{command}}" } }]
              - expect:
                  tool_results_contain: ["report on weekly from the plugin's own scripts folder"]
                text: reported
            """);

        var result = await RunAsync("run", "status report please", "-p", "scripted", "--no-default-plugins", "--plugin", "shell", "-m", "scripted/" + script);

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error + result.Output);
        Assert.Contains("reported", result.Output, StringComparison.Ordinal);
        Assert.Contains("pre-approved by active skill 'report'", result.Error + result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnMcpUrlWithADefault_Installs_AndTheSessionConnectsToTheDefault_OrToTheEnvironmentsUrl()
    {
        await InstallAsync("remote-docs");
        var script = _ws.WriteScript("""
            turns:
              - text: no tools needed
            """);
        var elsewhere = $"http://127.0.0.1:{Ports.Free()}/elsewhere";

        var info = await RunAsync("plugin", "info", "remote-docs@breakers");
        // mcp.start=session: the plugin's server starts with the session (not in the background, its default), so a
        // failed start is a warning on the run's stderr.
        var byDefault = await RunAsync("run", "hello", "-p", "scripted", "--no-default-plugins", "-c", "mcp.start=session", "-m", "scripted/" + script);
        var fromEnvironment = await RunWithAsync("REMOTE_DOCS_URL", elsewhere, "run", "hello", "-p", "scripted", "--no-default-plugins", "-c", "mcp.start=session", "-m", "scripted/" + script);

        // Nothing listens on either address: the servers fail to start, naming the URL each session expanded.
        Assert.True(info.ExitCode == ExitCodes.Success, info.Error + info.Output);
        Assert.Contains("http://127.0.0.1:9/mcp", byDefault.Error, StringComparison.Ordinal);
        Assert.Contains(elsewhere, fromEnvironment.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("http://127.0.0.1:9/mcp", fromEnvironment.Error, StringComparison.Ordinal);
    }

    [McpFact]
    public async Task AnMcpUrlFromTheEnvironment_ReachesTheRealServer()
    {
        await InstallAsync("remote-docs");
        await using var server = await EverythingHttpServer.StartAsync("streamableHttp");
        var script = _ws.WriteScript("""
            turns:
              - tool_calls: [{ name: mcp__docs__echo, arguments: { message: through the default-able url } }]
              - expect: { tool_results_contain: ["Echo: through the default-able url"] }
                text: remote answered
            """);

        var result = await RunWithAsync("REMOTE_DOCS_URL", server.Url.ToString(), "run", "go", "-p", "scripted", "--no-default-plugins", "-c", "plugins.deferred_tools.mcp=none", "-c", "mcp.start=session", "-m", "scripted/" + script);

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error + result.Output);
        Assert.Contains("remote answered", result.Output, StringComparison.Ordinal);
    }
}
