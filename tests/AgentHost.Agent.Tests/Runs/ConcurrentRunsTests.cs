using AgentHost.Agent.Engine;
using AgentHost.Hosting.Capabilities;
using AgentHost.Hosting.Events;
using AgentHost.Hosting.Security;
using AgentHost.Permissions;
using AgentHost.Permissions.Gate;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Events;
using AgentHost.Sdk.Tools;
using AgentHost.Sessions;
using AgentHost.Sessions.Store;
using AgentHost.Agent.Tests;
using AgentHost.Tests.Agent;
using AgentHost.Tests.Support;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentHost.Agent.Tests.Runs;

public sealed class ConcurrentRunsTests
{
    [Fact]
    public async Task TwentyAgentRunsAtOnce_FiveToolCallsEach_CompleteWithoutDeadlockOrLostRows()
    {
        const int Runs = 20;
        const int ToolCalls = 5;
        using var temp = new TempDirectory();
        using var store = await SessionStore.OpenAsync(temp.Combine("sessions.db"), SecretScrubber.PatternsOnly);
        await using var bus = new EventBus(NullLogger<EventBus>.Instance);
        var registry = new CapabilityRegistry(bus);
        var calls = 0;
        registry.AddRange("test", "1.0.0", [new ToolCapability(
            AIFunctionFactory.Create((int n) => { Interlocked.Increment(ref calls); return $"ok {n}"; }, "count"),
            new ToolMetadata(ToolEffect.Write))]);
        using var pipeline = new ToolPipeline(registry, bus, AllowAllPermissionGate.Instance, SecretScrubber.PatternsOnly, TimeProvider.System);

        var results = await Task.WhenAll(Enumerable.Range(0, Runs).Select(async i =>
        {
            var session = await store.CreateSessionAsync(new NewSession(temp.Path, "scripted", "test") { Prompt = $"run {i}" });
            var client = new ScriptedChatClient();
            for (var step = 0; step < ToolCalls; step++)
            {
                client.Step(ScriptedChatClient.Call($"c{i}-{step}", "count", $"{{\"n\":{step}}}"));
            }

            client.Answer($"done {i}");
            var loop = new AgentLoop(client, pipeline, bus, store.Conversation, TimeProvider.System);
            var result = await loop.RunAsync(new AgentRunRequest(session.Id, $"run {i}"));
            return (session.Id, result);
        }));

        Assert.All(results, r => Assert.Equal(RunOutcome.Completed, r.result.Outcome));
        Assert.Equal(Runs * ToolCalls, calls);
        foreach (var (sessionId, result) in results)
        {
            var stored = await store.GetSessionAsync(sessionId);
            Assert.Equal(ToolCalls, stored.ToolEventCount);
            Assert.Equal(2 + (2 * ToolCalls), stored.MessageCount);
            Assert.Equal(SessionStatus.Completed, stored.Status);
            var conversation = await store.Conversation.LoadConversationAsync(sessionId);
            Assert.Equal(result.FinalText, conversation[^1].Text);
        }
    }
}
