using AgentHost.Hosting.Configuration;

namespace AgentHost.Hosting.Tests.Cli;

/// <summary>
/// #25: the configuration part of the process-wide warm-up, which needs the kernel's internals (the warm-up document
/// and the validator). The warm-up as the CLI starts it is tested in tests/AgentHost.Tests (the class of the same name
/// there); this one keeps its class and namespace so the filters select both.
/// </summary>
public sealed class StartupWarmUpTests
{
    [Fact]
    public void TheWarmUpDocument_IsAValidConfiguration_SoTheWarmUpGoesThroughTheWholeParseAndCheck()
    {
        var layer = YamlConfigLoader.Parse(YamlConfigLoader.WarmUpDocument, "<warm-up>", ConfigLayer.Project);
        var problems = new List<ConfigProblem>();

        var accepted = ConfigValidator.Check(layer, problems);

        Assert.Empty(layer.Problems);
        Assert.Empty(problems);
        Assert.Contains(accepted, e => e.Key == "providers.warm.base_url");
        Assert.Contains(accepted, e => e.Key == "permissions.allow.0");
    }
}
