using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using AgentHost.Agent.Engine;
using AgentHost.Agent.Tools;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Security;
using AgentHost.Permissions;
using AgentHost.Permissions.Gate;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Events;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Sdk;

/// <summary>The collection of <see cref="Plugins.CollectibleLoadContexts"/> in this test assembly: its tests run alone.</summary>
[CollectionDefinition(Plugins.CollectibleLoadContexts.Name, DisableParallelization = true)]
public sealed class CollectibleLoadContextsGroup;

/// <summary>A real plugin's attributed tools, progress and structured results through the real host and pipeline, and the plugin still unloads.</summary>
[Collection(Plugins.CollectibleLoadContexts.Name)]
public sealed class AttributedToolsUnloadTests
{
    [Fact]
    public async Task AServiceCreatedToolObject_ProgressAndStructuredResults_DoNotKeepThePluginLoaded()
    {
        await using var harness = new PluginHarness(unloadable: true);

        var weak = await LoadCallAndUnloadAsync(harness);
        Plugins.CollectibleLoadContexts.CollectUntilReleased(weak);

        Assert.False(weak.IsAlive, "the plugin's AssemblyLoadContext is still referenced after its attributed tools ran");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task<WeakReference> LoadCallAndUnloadAsync(PluginHarness harness)
    {
        Assert.Equal(PluginLoadStatus.Loaded, (await harness.LoadAsync(Fixtures.PathOf("Fixture.Echo"), new Dictionary<string, string> { ["prefix"] = "p" })).Status);
        var (status, text, structured) = await CallAsync(harness);
        Assert.Equal((ToolCallStatus.Succeeded, "p: counted 2 item steps"), (status, text));
        Assert.Equal("""{"label":"item","steps":2,"prefix":"p"}""", structured);

        var events = await harness.DrainedEventsAsync();
        Assert.Contains(events, e => e is ToolCallProgressEvent { Tool: "progress_steps", Message: "item: step 1 of 2" });
        Assert.Contains(events, e => e is ToolCallCompletedEvent { Tool: "progress_steps", ResultPreview: "2 item steps" });
        var weak = new WeakReference(LoadContextOf(harness, "progress_steps"));
        Assert.True(await harness.Host.UnloadAsync("fixture-echo"));
        harness.Events.Clear();
        return weak;
    }

    /// <summary>
    /// The load context the plugin's code of <paramref name="tool"/> runs in (the tool's method is the plugin's): the
    /// plugin's own context, which the host keeps internal.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static AssemblyLoadContext LoadContextOf(PluginHarness harness, string tool)
    {
        var method = ((ToolCapability)harness.Registry.Find(CapabilityKind.Tool, tool)!.Capability).Function.UnderlyingMethod;
        Assert.NotNull(method);
        var context = AssemblyLoadContext.GetLoadContext(method.DeclaringType!.Assembly)!;
        Assert.Equal("plugin:fixture-echo", context.Name);
        Assert.True(context.IsCollectible);
        return context;
    }

    /// <summary>Calls the tool through a real pipeline; returns only text, so no plugin object outlives the call here.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task<(ToolCallStatus Status, string Text, string? Structured)> CallAsync(PluginHarness harness)
    {
        using var pipeline = new ToolPipeline(
            harness.Registry,
            harness.Bus,
            AllowAllPermissionGate.Instance,
            SecretScrubber.PatternsOnly,
            TimeProvider.System,
            new ToolPipelineOptions { ServicesForPlugin = id => harness.Host.Loaded.TryGetValue(id, out var plugin) ? plugin.ServiceProvider : null });
        var outcome = await pipeline.InvokeAsync("progress_steps", """{"count":2,"label":"item"}""", new ToolCallContext("s-1", "c-1"));
        return (outcome.Status, outcome.Text, outcome.Structured is { } json ? System.Text.Json.JsonSerializer.Serialize(json) : null);
    }
}
