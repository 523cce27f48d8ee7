using System.Collections.Concurrent;
using AgentHost.Agent.Engine;
using AgentHost.Agent.Telemetry;
using AgentHost.Hosting.Capabilities;
using AgentHost.Hosting.Events;
using AgentHost.Hosting.Security;
using AgentHost.Permissions;
using AgentHost.Permissions.Gate;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Events;
using AgentHost.Sdk.Tools;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentHost.Tests.Agent;

/// <summary>A real event bus, registry and tool pipeline around an agent loop with a scripted model and an in-memory recorder.</summary>
public sealed class AgentHarness : IAsyncDisposable
{
    public const string SessionId = "s-1";
    private readonly IDisposable _subscription;

    public AgentHarness(IToolPermissionGate? gate = null, AgentLoopOptions? options = null, ToolPipelineOptions? toolOptions = null)
    {
        Bus = new EventBus(NullLogger<EventBus>.Instance, capacity: 100_000);
        Registry = new CapabilityRegistry(Bus);
        _subscription = Bus.Subscribe<AgentEvent>((e, _) =>
        {
            EventQueue.Enqueue(e);
            return ValueTask.CompletedTask;
        });
        Pipeline = new ToolPipeline(Registry, Bus, gate ?? AllowAllPermissionGate.Instance, SecretScrubber.PatternsOnly, TimeProvider.System, toolOptions, Telemetry);
        Loop = new AgentLoop(Client, Pipeline, Bus, Recorder, TimeProvider.System, options);
    }

    public EventBus Bus { get; }

    public CapabilityRegistry Registry { get; }

    public ScriptedChatClient Client { get; } = new();

    public InMemoryConversationRecorder Recorder { get; } = new();

    public AgentTelemetry Telemetry { get; } = new();

    public ToolPipeline Pipeline { get; }

    public AgentLoop Loop { get; }

    public ConcurrentQueue<AgentEvent> EventQueue { get; } = new();

    public static ToolCapability Tool(string name, Delegate implementation, ToolEffect effect = ToolEffect.Read, TimeSpan? timeout = null, string? description = null) =>
        new(AIFunctionFactory.Create(implementation, name, description), new ToolMetadata(effect) { Timeout = timeout });

    public AgentHarness Add(params Capability[] capabilities) => Add("test-plugin", capabilities);

    public AgentHarness Add(string pluginId, params Capability[] capabilities)
    {
        Registry.AddRange(pluginId, "1.0.0", capabilities);
        return this;
    }

    public Task<AgentRunResult> RunAsync(string prompt = "Do the task.", Func<AgentRunRequest, AgentRunRequest>? configure = null, CancellationToken cancellationToken = default)
    {
        var request = new AgentRunRequest(SessionId, prompt) { SystemPrompt = "You are a test agent.", ProviderName = "scripted" };
        return Loop.RunAsync(configure?.Invoke(request) ?? request, cancellationToken);
    }

    public async Task<IReadOnlyList<AgentEvent>> EventsAsync()
    {
        await Bus.DrainAsync();
        return [.. EventQueue];
    }

    /// <summary>The function results the model received in streaming request <paramref name="index"/>, by call id.</summary>
    public Dictionary<string, string> ResultsSeenBy(int index) =>
        Client.Requests[index].SelectMany(m => m.Contents).OfType<FunctionResultContent>().ToDictionary(r => r.CallId, r => r.Result?.ToString() ?? string.Empty);

    public async ValueTask DisposeAsync()
    {
        Pipeline.Dispose();
        _subscription.Dispose();
        await Bus.DisposeAsync();
        Telemetry.Dispose();
    }
}
