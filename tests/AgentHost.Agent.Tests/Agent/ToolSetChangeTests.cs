using AgentHost.Agent.Engine;
using AgentHost.Sdk.Events;
using AgentHost.Tests.Agent;
using static AgentHost.Tests.Agent.ScriptedChatClient;

namespace AgentHost.Agent.Tests;

/// <summary>The tools offered to the model follow the tool set between the steps of one run (an MCP server's list_changed).</summary>
public sealed class ToolSetChangeTests
{
    [Fact]
    public async Task AToolAddedDuringAStep_IsOfferedInTheNextRequest_AndEarlierRequestsKeepWhatTheyOffered()
    {
        await using var harness = new AgentHarness();
        harness.Add(AgentHarness.Tool("install", () =>
        {
            harness.Add("late-plugin", AgentHarness.Tool("late", () => "late ran"));
            return "installed";
        }));
        harness.Client
            .Step(Call("c1", "install"))
            .Step(Call("c2", "late"))
            .Answer("done");

        var result = await harness.RunAsync();

        Assert.Equal(RunOutcome.Completed, result.Outcome);
        Assert.Equal(["install"], Names(0));
        Assert.Equal(["install", "late"], Names(1));
        Assert.Equal("late ran", harness.ResultsSeenBy(2)["c2"]);

        List<string> Names(int request) => [.. harness.Client.Options[request]!.Tools!.Select(t => t.Name).Order(StringComparer.Ordinal)];
    }

    [Fact]
    public async Task WithoutAChange_EveryRequestOffersTheSameToolList()
    {
        await using var harness = new AgentHarness();
        harness.Add(AgentHarness.Tool("look", () => "seen"));
        harness.Client.Step(Call("c1", "look")).Answer("done");

        await harness.RunAsync();

        Assert.Same(harness.Client.Options[0]!.Tools, harness.Client.Options[1]!.Tools);
    }
}
