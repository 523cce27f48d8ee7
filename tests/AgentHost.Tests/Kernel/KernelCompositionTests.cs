using AgentHost.Agent.Composition;
using AgentHost.Hosting.Capabilities;
using AgentHost.Hosting.Events;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Events;
using AgentHost.Tests.Cli;
using AgentHost.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AgentHost.Tests.Kernel;

public sealed class KernelCompositionTests
{
    [Fact]
    public async Task GenericHost_LoadsEnabledPluginsOnStart_WithTheirSettings_AndUnloadsThemOnStop()
    {
        using var temp = new TempDirectory();
        var env = TestEnvironment.Create(temp.Path, temp.Path);
        await PluginListCommandTests.InstallAsync(env, "Fixture.Echo");
        temp.WriteFile("agent-home/config.yaml", """
            plugins:
              settings:
                fixture-echo:
                  prefix: configured
            """);
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddAgentHost(o => o.Environment = env);
        using var host = builder.Build();
        var registry = host.Services.GetRequiredService<CapabilityRegistry>();
        var unloaded = new TaskCompletionSource<PluginUnloadedEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = host.Services.GetRequiredService<IEventBus>().Subscribe<PluginUnloadedEvent>((e, _) =>
        {
            unloaded.TrySetResult(e);
            return ValueTask.CompletedTask;
        });

        await host.StartAsync();
        var echo = (ToolCapability)registry.Find(CapabilityKind.Tool, "echo")!.Capability;
        var answer = await echo.Function.InvokeAsync(new() { ["text"] = "hi" });
        await host.StopAsync();

        Assert.Equal("configured: hi", answer?.ToString());
        Assert.Empty(registry.All());
        await host.Services.GetRequiredService<EventBus>().DrainAsync();
        Assert.Equal("fixture-echo", (await unloaded.Task).PluginId);
    }
}
