using System.Collections.Concurrent;
using AgentHost.Hosting.Capabilities;
using AgentHost.Hosting.Events;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Loading;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Events;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentHost.Tests.Support;

/// <summary>
/// A real event bus, registry and plugin host, recording every event. Plugins load into non-collectible contexts, the
/// host's default: the tests load and unload plugins over a thousand times per run, and with collectible contexts the
/// test host died of GC heap corruption in about half the runs (docs/testing.md, "When the test host dies"). Tests of
/// unloading itself pass <c>unloadable: true</c>.
/// </summary>
public sealed class PluginHarness : IAsyncDisposable
{
    private readonly IDisposable _recording;

    public PluginHarness(SharedAssemblies? shared = null, bool unloadable = false)
    {
        Bus = new EventBus(NullLogger<EventBus>.Instance);
        Registry = new CapabilityRegistry(Bus);
        Host = new PluginHost(Registry, Bus, NullLoggerFactory.Instance, shared, unloadable);
        _recording = Bus.Subscribe<AgentEvent>((e, _) =>
        {
            Events.Enqueue(e);
            return ValueTask.CompletedTask;
        });
    }

    public EventBus Bus { get; }

    public CapabilityRegistry Registry { get; }

    public PluginHost Host { get; }

    public ConcurrentQueue<AgentEvent> Events { get; } = new();

    public Task<PluginLoadResult> LoadAsync(string directory, IReadOnlyDictionary<string, string>? settings = null, string? hash = null) =>
        Host.LoadAsync(new PluginLoadRequest(directory) { Settings = settings ?? new Dictionary<string, string>(), ExpectedHash = hash });

    public async Task<IReadOnlyList<AgentEvent>> DrainedEventsAsync()
    {
        await Bus.DrainAsync();
        return [.. Events];
    }

    public async Task<string?> InvokeToolAsync(string name, params (string Key, object? Value)[] args)
    {
        var tool = Registry.Find(CapabilityKind.Tool, name)?.Capability as ToolCapability
            ?? throw new InvalidOperationException($"tool {name} is not registered");
        var arguments = new AIFunctionArguments();
        foreach (var (key, value) in args)
        {
            arguments[key] = value;
        }

        var result = await tool.Function.InvokeAsync(arguments);
        return result?.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        _recording.Dispose();
        await Bus.DisposeAsync();
    }
}
