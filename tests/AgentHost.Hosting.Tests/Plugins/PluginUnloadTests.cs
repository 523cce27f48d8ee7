using System.Runtime.CompilerServices;
using AgentHost.Hosting.Plugins;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Events;
using AgentHost.Tests.Plugins;
using AgentHost.Tests.Support;

namespace AgentHost.Hosting.Tests.Plugins;

/// <summary>The collection of <see cref="CollectibleLoadContexts"/> in this test assembly: its tests run alone.</summary>
[CollectionDefinition(CollectibleLoadContexts.Name, DisableParallelization = true)]
public sealed class CollectibleLoadContextsGroup;

/// <summary>A plugin's context is collected after it unloads.</summary>
[Collection(CollectibleLoadContexts.Name)]
public sealed class PluginUnloadTests
{
    [Fact]
    public async Task Unload_ReleasesTheLoadContext_SoItIsCollected()
    {
        await using var harness = new PluginHarness(unloadable: true);
        var weak = await LoadUseAndUnloadAsync(harness);

        CollectibleLoadContexts.CollectUntilReleased(weak);

        Assert.False(weak.IsAlive, "the plugin's AssemblyLoadContext is still referenced after unload");
        Assert.Null(harness.Registry.Find(CapabilityKind.Tool, "echo"));
        Assert.Contains(await harness.DrainedEventsAsync(), e => e is PluginUnloadedEvent { PluginId: "fixture-echo" });
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task<WeakReference> LoadUseAndUnloadAsync(PluginHarness harness)
    {
        var result = await harness.LoadAsync(Fixtures.PathOf("Fixture.Echo"));
        Assert.Equal(PluginLoadStatus.Loaded, result.Status);
        Assert.Equal("echo: x", await harness.InvokeToolAsync("echo", ("text", "x")));
        harness.Bus.Publish(new WarningEvent("test", "w"));
        await harness.Bus.DrainAsync();
        var weak = new WeakReference(harness.Host.Loaded["fixture-echo"].LoadContext);
        Assert.True(await harness.Host.UnloadAsync("fixture-echo"));
        return weak;
    }
}
