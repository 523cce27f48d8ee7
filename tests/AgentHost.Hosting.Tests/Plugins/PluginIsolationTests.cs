using System.Runtime.Loader;
using AgentHost.Hosting;
using AgentHost.Hosting.Capabilities;
using AgentHost.Hosting.Events;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Installed;
using AgentHost.Hosting.Plugins.Loading;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Events;
using AgentHost.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentHost.Hosting.Tests.Plugins;

public sealed class PluginIsolationTests
{
    [Fact]
    public async Task Load_TwoPluginsWithDifferentMajorVersionsOfOneLibrary_BothWorkInOneHost()
    {
        await using var harness = new PluginHarness();

        var old = await harness.LoadAsync(Fixtures.PathOf("Fixture.JsonOld"));
        var @new = await harness.LoadAsync(Fixtures.PathOf("Fixture.JsonNew"));

        Assert.Equal(PluginLoadStatus.Loaded, old.Status);
        Assert.Equal(PluginLoadStatus.Loaded, @new.Status);
        Assert.Equal("12.0.0.0|{\"value\":\"a\"}", await harness.InvokeToolAsync("json_old", ("value", "a")));
        Assert.Equal("13.0.0.0|{\"value\":\"b\"}", await harness.InvokeToolAsync("json_new", ("value", "b")));
        Assert.NotSame(harness.Host.Loaded["fixture-json-old"].LoadContext, harness.Host.Loaded["fixture-json-new"].LoadContext);
    }

    [Fact]
    public async Task Load_PluginWithNativeDependency_ResolvesItThroughItsOwnDepsJson()
    {
        await using var harness = new PluginHarness();

        var result = await harness.LoadAsync(Fixtures.PathOf("Fixture.Native"));

        Assert.True(result.Status == PluginLoadStatus.Loaded, result.Error);
        Assert.Matches(@"^3\.\d+\.\d+$", await harness.InvokeToolAsync("sqlite_version"));
        var context = harness.Host.Loaded["fixture-native"].LoadContext!;
        var pluginSqlite = context.Assemblies.Single(a => a.GetName().Name == "Microsoft.Data.Sqlite");
        Assert.Same(context, AssemblyLoadContext.GetLoadContext(pluginSqlite));
    }

    [Fact]
    public async Task Load_SharesTheSdkWithThePlugin_ByTypeIdentity()
    {
        await using var harness = new PluginHarness();

        await harness.LoadAsync(Fixtures.PathOf("Fixture.Echo"));

        var tool = Assert.IsType<ToolCapability>(harness.Registry.Find(CapabilityKind.Tool, "echo")!.Capability);
        Assert.Same(AssemblyLoadContext.Default, AssemblyLoadContext.GetLoadContext(tool.GetType().Assembly));
        var pluginAssembly = harness.Host.Loaded["fixture-echo"].LoadContext!.Assemblies.Single();
        Assert.Equal("Fixture.Echo", pluginAssembly.GetName().Name);
    }

    [Fact]
    public async Task Load_PluginThatThrowsWhileRegistering_IsReportedFailed_AndOthersKeepWorking()
    {
        await using var harness = new PluginHarness();

        var throwing = await harness.LoadAsync(Fixtures.PathOf("Fixture.Throwing"));
        var echo = await harness.LoadAsync(Fixtures.PathOf("Fixture.Echo"));

        Assert.Equal(PluginLoadStatus.Failed, throwing.Status);
        Assert.Contains("fixture-throwing", throwing.Error, StringComparison.Ordinal);
        Assert.Contains("ACME_TOKEN is not set", throwing.Error, StringComparison.Ordinal);
        Assert.Null(harness.Registry.Find(CapabilityKind.Tool, "half_registered"));
        Assert.False(harness.Host.Loaded.ContainsKey("fixture-throwing"));
        Assert.Equal(PluginLoadStatus.Loaded, echo.Status);
        Assert.Equal("echo: hi", await harness.InvokeToolAsync("echo", ("text", "hi")));
        var failed = (await harness.DrainedEventsAsync()).OfType<PluginFailedEvent>().Single();
        Assert.Equal("fixture-throwing", failed.PluginId);
    }

    [Fact]
    public async Task Load_PluginRequiringUnsupportedSdkRange_IsRefusedBeforeItsCodeLoads()
    {
        await using var harness = new PluginHarness();

        var result = await harness.LoadAsync(Fixtures.PathOf("Fixture.FutureSdk"));

        Assert.Equal(PluginLoadStatus.Refused, result.Status);
        Assert.Contains("requires SDK '>=2.0 <3.0'", result.Error, StringComparison.Ordinal);
        Assert.Contains("this host provides SDK 1.0.0", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(AssemblyLoadContext.All, c => c.Name == "plugin:fixture-future-sdk");
        Assert.Null(harness.Registry.Find(CapabilityKind.Tool, "future"));
    }

    [Fact]
    public async Task Load_PluginBuiltAgainstNewerSdkAssembly_IsRefusedWithClearMessage()
    {
        var olderHost = SharedAssemblies.FromVersions(new Dictionary<string, Version> { ["AgentHost.Sdk"] = new(0, 9, 0, 0) });
        await using var harness = new PluginHarness(olderHost);

        var result = await harness.LoadAsync(Fixtures.PathOf("Fixture.Echo"));

        Assert.Equal(PluginLoadStatus.Refused, result.Status);
        Assert.Contains("was built against AgentHost.Sdk 1.0.0.0, but this host has 0.9.0.0", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadedPlugin_HasItsOwnServicesAndSettings_AndItsStoppingTokenIsCancelledAtUnload()
    {
        await using var harness = new PluginHarness();
        await harness.LoadAsync(Fixtures.PathOf("Fixture.Echo"), new Dictionary<string, string> { ["prefix"] = "cfg" });
        var services = harness.Host.Loaded["fixture-echo"].ServiceProvider;
        var context = (AgentHost.Sdk.PluginContext)services.GetService(typeof(AgentHost.Sdk.PluginContext))!;
        var stopping = context.Stopping;

        Assert.Equal("cfg: a", await harness.InvokeToolAsync("echo", ("text", "a")));
        Assert.Equal("fixture-echo", context.Id);
        Assert.NotNull(services.GetService(typeof(Microsoft.Extensions.Logging.ILogger<PluginIsolationTests>)));
        Assert.False(stopping.IsCancellationRequested);

        await harness.Host.UnloadAsync("fixture-echo");

        Assert.True(stopping.IsCancellationRequested);
    }

    [Fact]
    public async Task UnloadedPlugin_EventSubscriptionsEnd()
    {
        await using var harness = new PluginHarness();
        await harness.LoadAsync(Fixtures.PathOf("Fixture.Echo"));
        harness.Bus.Publish(new WarningEvent("test", "one"));
        await harness.Bus.DrainAsync();
        Assert.Equal("1", await harness.InvokeToolAsync("warnings_seen"));
        var counter = (ToolCapability)harness.Registry.Find(CapabilityKind.Tool, "warnings_seen")!.Capability;

        await harness.Host.UnloadAsync("fixture-echo");
        harness.Bus.Publish(new WarningEvent("test", "two"));
        await harness.Bus.DrainAsync();

        Assert.Equal("1", (await counter.Function.InvokeAsync())?.ToString());
    }

    [Fact]
    public async Task PluginHostAndRuntime_LoadIntoNonCollectibleContexts_UnlessAskedTo()
    {
        // Their own defaults, not the harness's: collectible loads and unloads at volume corrupted the GC heap on .NET 10.
        await using var bus = new EventBus(NullLogger<EventBus>.Instance);
        await using var host = new PluginHost(new CapabilityRegistry(bus), bus, NullLoggerFactory.Instance);
        await using var runtime = PluginRuntime.Create(
            new PluginStore(new AgentPaths(Path.GetTempPath(), Path.GetTempPath()), Path.GetTempPath()), null, _ => new Dictionary<string, string>(), NullLoggerFactory.Instance);

        var loaded = await host.LoadAsync(new PluginLoadRequest(Fixtures.PathOf("Fixture.Echo")));

        Assert.Equal(PluginLoadStatus.Loaded, loaded.Status);
        Assert.False(host.Unloadable);
        Assert.False(host.Loaded["fixture-echo"].LoadContext!.IsCollectible);
        Assert.False(runtime.Host.Unloadable);
    }

    [Fact]
    public async Task NonUnloadableHost_KeepsPluginsIsolated_InNonCollectibleContexts()
    {
        await using var harness = new PluginHarness(unloadable: false);

        var old = await harness.LoadAsync(Fixtures.PathOf("Fixture.JsonOld"));
        var @new = await harness.LoadAsync(Fixtures.PathOf("Fixture.JsonNew"));

        Assert.Equal((PluginLoadStatus.Loaded, PluginLoadStatus.Loaded), (old.Status, @new.Status));
        Assert.Equal("12.0.0.0|{\"value\":\"a\"}", await harness.InvokeToolAsync("json_old", ("value", "a")));
        Assert.Equal("13.0.0.0|{\"value\":\"b\"}", await harness.InvokeToolAsync("json_new", ("value", "b")));
        var oldContext = harness.Host.Loaded["fixture-json-old"].LoadContext!;
        var newContext = harness.Host.Loaded["fixture-json-new"].LoadContext!;
        Assert.NotSame(oldContext, newContext);
        Assert.False(oldContext.IsCollectible);
        Assert.False(newContext.IsCollectible);
        Assert.NotSame(AssemblyLoadContext.Default, oldContext);
    }

    [Fact]
    public async Task NonUnloadableHost_UnloadRemovesCapabilitiesAndStopsThePlugin_WithoutThrowing()
    {
        await using var harness = new PluginHarness(unloadable: false);
        await harness.LoadAsync(Fixtures.PathOf("Fixture.Echo"));
        var context = (AgentHost.Sdk.PluginContext)harness.Host.Loaded["fixture-echo"].ServiceProvider.GetService(typeof(AgentHost.Sdk.PluginContext))!;

        Assert.True(await harness.Host.UnloadAsync("fixture-echo"));

        Assert.True(context.Stopping.IsCancellationRequested);
        Assert.Null(harness.Registry.Find(CapabilityKind.Tool, "echo"));
        Assert.False(harness.Host.Loaded.ContainsKey("fixture-echo"));
        Assert.Contains(await harness.DrainedEventsAsync(), e => e is PluginUnloadedEvent { PluginId: "fixture-echo" });
    }

    [Fact]
    public async Task NonUnloadableHost_AFailingPluginIsReported_AndTheHostKeepsLoadingOthers()
    {
        await using var harness = new PluginHarness(unloadable: false);

        var failed = await harness.LoadAsync(Fixtures.PathOf("Fixture.Throwing"));
        var echo = await harness.LoadAsync(Fixtures.PathOf("Fixture.Echo"));

        Assert.Equal(PluginLoadStatus.Failed, failed.Status);
        Assert.Equal(PluginLoadStatus.Loaded, echo.Status);
        Assert.Equal("echo: y", await harness.InvokeToolAsync("echo", ("text", "y")));
    }
}
