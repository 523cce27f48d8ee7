using AgentHost.Agent.Runs;
using AgentHost.Hosting;
using AgentHost.Hosting.Configuration;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Installed;
using AgentHost.Hosting.Security;
using AgentHost.Permissions;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Tools;
using AgentHost.Tests.Support;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentHost.Agent.Tests.Runs;

public sealed class PlanModeTests
{
    [Theory]
    [InlineData("plan", "read_it")]
    [InlineData("yolo", "read_it,write_it,run_it,fetch_it")]
    [InlineData("dont-ask", "read_it,write_it,run_it,fetch_it")]
    public async Task ToolsOfferedToTheModel_FollowThePermissionMode(string mode, string expected)
    {
        using var temp = new TempDirectory();
        var environment = TestEnvironment.Create(temp.Path, temp.Path);
        var paths = AgentPaths.Resolve(environment);
        var configuration = ConfigurationResolver.Resolve(environment, paths, []);
        await using var runtime = PluginRuntime.Create(new PluginStore(paths, temp.Combine("catalog")), temp.Path, _ => new Dictionary<string, string>(), NullLoggerFactory.Instance);
        runtime.Registry.AddRange("test", "1.0.0",
        [
            Tool("read_it", ToolEffect.Read),
            Tool("write_it", ToolEffect.Write),
            Tool("run_it", ToolEffect.Execute),
            Tool("fetch_it", ToolEffect.Network),
        ]);
        Assert.True(PermissionModes.TryParse(mode, out var parsed));
        var gate = AgentRunner.CreatePermissionGate(configuration, temp.Path, environment, parsed, interactive: false, runtime.Events);

        using var pipeline = AgentRunner.CreatePipeline(runtime, gate, SecretScrubber.PatternsOnly, TimeProvider.System);

        Assert.Equal(expected.Split(',').Order(StringComparer.Ordinal), pipeline.GetToolSet().Declarations.Select(d => d.Name).Order(StringComparer.Ordinal));
    }

    private static ToolCapability Tool(string name, ToolEffect effect) =>
        new(AIFunctionFactory.Create(() => name, name), new ToolMetadata(effect));
}
