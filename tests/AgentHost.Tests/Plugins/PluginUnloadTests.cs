using System.Runtime.CompilerServices;
using AgentHost.Hosting.Plugins;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Events;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Plugins;

/// <summary>
/// The tests that load plugins into collectible contexts and unload them: only these may, since collectible loads and
/// unloads at volume corrupt the GC heap on .NET 10.0.12 (docs/architecture.md, "Collectible load contexts and the GC
/// heap"). They run in this collection alone, after every parallel collection has finished, so that no other test
/// shares the heap with them while they unload and a crash there names them.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CollectibleLoadContexts
{
    public const string Name = "Collectible load contexts";

    /// <summary>
    /// Full collections (with finalizers) until the context is gone, for at most 30 seconds. A count of collections is
    /// not enough: a continuation or timer callback queued on the thread pool before the unload still roots the
    /// plugin's objects until a pool thread runs it, which on a loaded 2-core machine took longer than 20 back-to-back
    /// collections (the test failed once in CI that way). The bound only ends a wait for a reference that never goes.
    /// </summary>
    public static void CollectUntilReleased(WeakReference context)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (context.IsAlive && DateTime.UtcNow < deadline)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            if (context.IsAlive)
            {
                Thread.Sleep(50);
            }
        }
    }
}

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
