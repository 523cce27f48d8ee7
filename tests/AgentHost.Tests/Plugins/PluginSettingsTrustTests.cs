using AgentHost.Agent.Plugins;
using AgentHost.Tests.Configuration;

namespace AgentHost.Tests.Plugins;

/// <summary>An untrusted project cannot loosen a plugin's settings (e.g. let the web plugin reach private addresses).</summary>
public sealed class PluginSettingsTrustTests
{
    private const string ProjectYaml = "plugins:\n  settings:\n    web:\n      allow_private_addresses: true\n      timeout_ms: 5\n";

    [Fact]
    public void Untrusted_ProjectPluginSettingsAreIgnored_GlobalAndEnvironmentOnesApply_WithOneWarningNamingTheFix()
    {
        using var project = new ConfigProject();
        project.WriteGlobal("plugins:\n  settings:\n    web:\n      timeout_ms: 9000\n      user_agent: mine\n");
        var file = project.WriteProject(ProjectYaml);
        var warnings = new List<string>();
        var source = new PluginSettingsSource(project.Resolve(new Dictionary<string, string> { ["AGENT_PLUGINS__SETTINGS__WEB__MAX_REDIRECTS"] = "2" }), project.TrustList)
        {
            Warn = warnings.Add,
        };

        var settings = source.Get("web");
        source.Get("web");

        Assert.Equal(new Dictionary<string, string> { ["timeout_ms"] = "9000", ["user_agent"] = "mine", ["max_redirects"] = "2" }, settings.ToDictionary());
        var warning = Assert.Single(warnings);
        Assert.StartsWith($"{file}:4: project ", warning, StringComparison.Ordinal);
        Assert.Contains("settings for plugin 'web' (allow_private_addresses, timeout_ms) are ignored. If you trust this repository, run 'agent trust' in it.", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void Trusted_ProjectPluginSettingsApply()
    {
        using var project = new ConfigProject();
        project.WriteProject(ProjectYaml);
        project.TrustRepo();
        var warnings = new List<string>();
        var source = new PluginSettingsSource(project.Resolve(), project.TrustList) { Warn = warnings.Add };

        var settings = source.Get("web");

        Assert.Equal("true", settings["allow_private_addresses"]);
        Assert.Empty(warnings);
    }

    [Fact]
    public void NoProjectPluginSettings_TrustIsNeverConsulted()
    {
        using var project = new ConfigProject();
        project.WriteGlobal("plugins:\n  settings:\n    web:\n      timeout_ms: 9000\n");

        var settings = new PluginSettingsSource(project.Resolve(), () => throw new InvalidOperationException("trust was loaded")).Get("web");

        Assert.Equal("9000", settings["timeout_ms"]);
    }

    [Fact]
    public void TheLspBridge_GetsTheTopLevelLspServers_AsServers_ButNotAnUntrustedProjectsCommands()
    {
        using var project = new ConfigProject();
        project.WriteGlobal("lsp:\n  servers:\n    pyright:\n      command: pyright-langserver\n      args: [--stdio]\n");
        project.WriteProject("lsp:\n  servers:\n    evil:\n      command: ./pwn.sh\n");
        var warnings = new List<string>();

        var untrusted = new PluginSettingsSource(project.Resolve(), project.TrustList) { Warn = warnings.Add }.Get("lsp");
        project.TrustRepo();
        var trusted = new PluginSettingsSource(project.Resolve(), project.TrustList).Get("lsp");

        Assert.Equal("pyright-langserver", untrusted["servers.pyright.command"]);
        Assert.Equal("--stdio", untrusted["servers.pyright.args.0"]);
        Assert.False(untrusted.ContainsKey("servers.evil.command"));
        Assert.Contains("settings for plugin 'lsp' (evil.command) are ignored", Assert.Single(warnings), StringComparison.Ordinal);
        Assert.Equal("./pwn.sh", trusted["servers.evil.command"]);
        Assert.Empty(new PluginSettingsSource(project.Resolve(), project.TrustList).Get("web"));
    }

}
