using AgentHost.Hosting;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Installed;
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

    [Fact]
    public async Task EnsureChatProvider_CalledConcurrently_EveryCallerGetsTheProvider_AndItLoadsOnce()
    {
        using var temp = new TempDirectory();
        await using var runtime = Runtime(temp);
        using var start = new ManualResetEventSlim();
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var watching = runtime.Events.Subscribe<AgentHost.Sdk.Events.PluginFailedEvent>((e, _) =>
        {
            failures.Enqueue(e.Error);
            return ValueTask.CompletedTask;
        });

        // agent doctor probes every provider at once; several are of one type (openai, LM Studio, vLLM, …).
        var calls = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            start.Wait();
            return await runtime.EnsureChatProviderAsync("openai");
        })).ToList();
        start.Set();
        var answers = await Task.WhenAll(calls);

        await runtime.Events.DrainAsync(CancellationToken.None);

        Assert.All(answers, Assert.True);
        Assert.Equal(["openai"], runtime.Host.Loaded.Keys);
        Assert.Empty(failures); // no second load of the same plugin racing the first
        Assert.NotNull(runtime.Registry.Find(CapabilityKind.ChatProvider, "openai"));
    }

    private static PluginRuntime Runtime(TempDirectory temp)
    {
        var environment = TestEnvironment.Create(temp.Path, temp.Path);
        var store = new PluginStore(AgentPaths.Resolve(environment), Path.Combine(AppContext.BaseDirectory, "catalog"));
        return PluginRuntime.Create(store, null, _ => new Dictionary<string, string>(), NullLoggerFactory.Instance, unloadable: false);
    }
}
