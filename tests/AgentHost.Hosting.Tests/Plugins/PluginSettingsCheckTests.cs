using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Settings;

namespace AgentHost.Hosting.Tests.Plugins;

/// <summary>The one check of a plugin's configured settings against its declarations (config set, config validate, load).</summary>
public sealed class PluginSettingsCheckTests
{
    private static readonly Dictionary<string, PluginSettingDeclaration> Declared = new(StringComparer.Ordinal)
    {
        ["url"] = new("url", PluginSettingType.Text, null, [], null, null),
        ["mode"] = new("mode", PluginSettingType.Text, null, ["fast", "safe"], null, null),
        ["timeout_ms"] = new("timeout_ms", PluginSettingType.WholeNumber, null, [], 1, 60000),
        ["ratio"] = new("ratio", PluginSettingType.Number, null, [], 0, 1),
        ["verbose"] = new("verbose", PluginSettingType.Boolean, null, [], null, null),
        ["projects"] = new("projects", PluginSettingType.List, null, [], null, null),
        ["server"] = new("server", PluginSettingType.Map, null, [], null, null),
    };

    [Fact]
    public void ValuesThatFit_HaveNoProblem()
    {
        var values = new Dictionary<string, string>
        {
            ["url"] = "https://example.com", ["mode"] = "SAFE", ["timeout_ms"] = "60000", ["ratio"] = "0.5", ["verbose"] = "True",
            ["projects.0"] = "A", ["projects.1"] = "B", ["server.url"] = "x", ["server.auth.user"] = "y",
        };

        Assert.Empty(PluginSettingsCheck.Problems("acme", Declared, values));
        Assert.Empty(PluginSettingsCheck.Problems("acme", Declared, new Dictionary<string, string> { ["projects"] = "A, B" }));
    }

    [Theory]
    [InlineData("colour", "blue", "plugins.settings.acme.colour: unknown setting; acme declares mode, projects, ratio, server, timeout_ms, url, verbose (see its plugin.yaml). Remove it with 'agent config unset plugins.settings.acme.colour'")]
    [InlineData("mode", "quick", "plugins.settings.acme.mode: 'quick' is not one of fast, safe")]
    [InlineData("timeout_ms", "0", "plugins.settings.acme.timeout_ms: '0' is not a whole number from 1 to 60000")]
    [InlineData("timeout_ms", "1.5", "plugins.settings.acme.timeout_ms: '1.5' is not a whole number from 1 to 60000")]
    [InlineData("ratio", "2", "plugins.settings.acme.ratio: '2' is not a number from 0 to 1")]
    [InlineData("verbose", "yes", "plugins.settings.acme.verbose: 'yes' is not true or false")]
    [InlineData("url.host", "x", "plugins.settings.acme.url: is a single value, not a list or a mapping (found the key 'url.host')")]
    [InlineData("projects.main", "x", "plugins.settings.acme.projects: is a list; write it as [a, b] (found the key 'projects.main')")]
    [InlineData("server", "x", "plugins.settings.acme.server: is a mapping of names to values; write it as {name: value}, not 'x'")]
    public void AValueThatDoesNotFit_IsOneProblem_NamingTheKeyAndTheFix(string key, string value, string expected)
    {
        var problems = PluginSettingsCheck.Problems("acme", Declared, new Dictionary<string, string> { [key] = value, ["url"] = "fine" });

        Assert.Equal(expected, Assert.Single(problems).ToString());
    }

    [Fact]
    public void ASettingWithSeveralBadKeys_IsReportedOnce()
    {
        var problems = PluginSettingsCheck.Problems("acme", Declared, new Dictionary<string, string> { ["colour.a"] = "1", ["colour.b"] = "2" });

        Assert.Equal("plugins.settings.acme.colour", Assert.Single(problems).Key);
    }
}
