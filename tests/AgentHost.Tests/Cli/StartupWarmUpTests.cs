using AgentHost.Cli;
using AgentHost.Hosting.Configuration;

namespace AgentHost.Tests.Cli;

/// <summary>#25: the process-wide warm-up that commands opening a session start on a pool thread.</summary>
public sealed class StartupWarmUpTests
{
    [Theory]
    [InlineData(new string[0], true)]
    [InlineData(new[] { "run", "hi" }, true)]
    [InlineData(new[] { "chat" }, true)]
    [InlineData(new[] { "workflow", "run", "w.yaml" }, true)]
    [InlineData(new[] { "--continue" }, true)]
    [InlineData(new[] { "--model", "local/m" }, true)]
    [InlineData(new[] { "tool", "list" }, false)]
    [InlineData(new[] { "config", "show" }, false)]
    [InlineData(new[] { "plugin", "list" }, false)]
    public void Applies_OnlyToCommandLinesThatOpenASession(string[] args, bool expected) =>
        Assert.Equal(expected, StartupWarmUp.Applies(args));

    [Fact]
    public async Task AfterTheWarmUp_ConfigurationParsesAsBefore_AndAMalformedFileGivesTheSameError()
    {
        await StartupWarmUp.Start(["run"]);

        var good = YamlConfigLoader.Parse("log_level: debug\nproviders:\n  local:\n    type: openai\n", "/p/config.yaml", ConfigLayer.Project);
        var bad = YamlConfigLoader.Parse("providers:\n  local: [unclosed\n    type: openai\n", "/p/config.yaml", ConfigLayer.Project);

        Assert.Empty(good.Problems);
        Assert.Equal(["log_level", "providers.local.type"], good.Entries.Select(e => e.Key));
        var problem = Assert.Single(bad.Problems);
        Assert.True(problem.IsError);
        Assert.StartsWith("/p/config.yaml:", problem.ToString(), StringComparison.Ordinal);
    }
}
