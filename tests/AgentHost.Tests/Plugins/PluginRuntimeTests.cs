using AgentHost.Hosting;
using AgentHost.Hosting.Plugins;
using AgentHost.Sdk.Capabilities;
using AgentHost.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentHost.Tests.Plugins;

/// <summary>Which plugins an agent run loads, against the real bundled catalog.</summary>
public sealed class PluginRuntimeTests
{
    [Fact]
    public async Task LoadForRun_LoadsTheLikelyProviderWithTheOthers_InOnePass()
    {
        using var temp = new TempDirectory();
        await using var runtime = Runtime(temp);

        var results = await runtime.LoadForRunAsync(["files"], temp.Path, ["openai"]);

        Assert.Equal(["files", "openai"], results.Select(r => r.PluginId));
        Assert.All(results, r => Assert.Equal(PluginLoadStatus.Loaded, r.Status));
        Assert.NotNull(runtime.Registry.Find(CapabilityKind.ChatProvider, "openai"));
        Assert.True(await runtime.EnsureChatProviderAsync("openai")); // already there: nothing loads twice
        Assert.Equal(2, runtime.Host.Loaded.Count);
    }

    [Fact]
    public async Task LoadForRun_AProviderAlsoNamedWithPlugin_LoadsOnce_AndAnUnknownTypeIsIgnored()
    {
        using var temp = new TempDirectory();
        await using var runtime = Runtime(temp);

        var results = await runtime.LoadForRunAsync(["openai"], temp.Path, ["openai", "no-such-provider"]);

        var only = Assert.Single(results);
        Assert.Equal(("openai", PluginLoadStatus.Loaded), (only.PluginId, only.Status));
    }

    private static PluginRuntime Runtime(TempDirectory temp)
    {
        var environment = TestEnvironment.Create(temp.Path, temp.Path);
        var store = new PluginStore(AgentPaths.Resolve(environment), Path.Combine(AppContext.BaseDirectory, "catalog"));
        return PluginRuntime.Create(store, null, _ => new Dictionary<string, string>(), NullLoggerFactory.Instance, unloadable: false);
    }
}
