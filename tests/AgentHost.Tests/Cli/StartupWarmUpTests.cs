using AgentHost.Cli.Startup;
using AgentHost.Hosting.Configuration;
using AgentHost.Tests.Configuration;

namespace AgentHost.Tests.Cli;

/// <summary>
/// #25: the process-wide warm-up that commands start on a pool thread. That its configuration document is valid (the
/// kernel's internals) is tested in tests/AgentHost.Hosting.Tests, in the class of the same name.
/// </summary>
public sealed class StartupWarmUpTests
{
    [Theory]
    [InlineData(new string[0], "Session")]
    [InlineData(new[] { "run", "hi" }, "Session")]
    [InlineData(new[] { "chat" }, "Session")]
    [InlineData(new[] { "workflow", "run", "w.yaml" }, "Session")]
    [InlineData(new[] { "--continue" }, "Session")]
    [InlineData(new[] { "--model", "local/m" }, "Session")]
    [InlineData(new[] { "tool", "run", "glob" }, "Yaml")]
    [InlineData(new[] { "config", "show" }, "Yaml")]
    [InlineData(new[] { "plugin", "list" }, "Yaml")]
    [InlineData(new[] { "--version" }, "None")]
    [InlineData(new[] { "--help" }, "None")]
    [InlineData(new[] { "run", "-h" }, "None")]
    public void PlanFor_SessionSetUpOnlyForSessions_YamlForOtherCommands_NothingForVersionOrHelp(string[] args, string expected) =>
        Assert.Equal(expected, StartupWarmUp.PlanFor(args).ToString());

    [Fact]
    public async Task AfterTheWarmUp_ConfigurationParsesAsBefore_AndAMalformedFileGivesTheSameError()
    {
        await StartupWarmUp.Start(["run"]);

        // The warm-up's throw-away composition root has a made-up AGENT_HOME of its own and creates nothing there.
        Assert.False(Directory.Exists(Path.Combine(Path.GetTempPath(), "agent-warm-up")));
        var good = YamlConfigLoader.Parse("log_level: debug\nproviders:\n  local:\n    type: openai\n", "/p/config.yaml", ConfigLayer.Project);
        var bad = YamlConfigLoader.Parse("providers:\n  local: [unclosed\n    type: openai\n", "/p/config.yaml", ConfigLayer.Project);

        Assert.Empty(good.Problems);
        Assert.Equal(["log_level", "providers.local.type"], good.Entries.Select(e => e.Key));
        var problem = Assert.Single(bad.Problems);
        Assert.True(problem.IsError);
        Assert.StartsWith("/p/config.yaml:", problem.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void AfterTheConfigurationWarmUp_AResolvedConfigurationHoldsNothingOfIt_AndAMalformedFileKeepsItsLocatedError()
    {
        YamlConfigLoader.Prepare();
        using var project = new ConfigProject();
        project.WriteGlobal("log_level: debug\n");
        project.WriteProject("providers:\n  local: [unclosed\n    type: openai\n");

        var config = project.Resolve();

        Assert.DoesNotContain(config.Entries, e => e.Key.Contains("warm", StringComparison.Ordinal));
        Assert.Equal("debug", config.Get("log_level"));
        var error = Assert.Single(config.Problems, p => p.IsError);
        Assert.StartsWith(project.ProjectFile + ":", error.ToString(), StringComparison.Ordinal);
    }
}
