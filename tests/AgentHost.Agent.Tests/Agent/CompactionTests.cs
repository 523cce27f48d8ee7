using AgentHost.Agent.Engine;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Events;
using AgentHost.Sessions;
using AgentHost.Tests.Agent;
using Microsoft.Extensions.AI;
using static AgentHost.Tests.Agent.ScriptedChatClient;

namespace AgentHost.Agent.Tests;

public sealed class CompactionTests
{
    private static readonly ModelDescriptor SmallModel = new("tiny", ContextWindow: 1000, MaxOutputTokens: 200);

    [Fact]
    public async Task NearTheWindow_OlderHistoryIsSummarised_AndTheNextRequestStartsFromTheSummary()
    {
        await using var harness = new AgentHarness();
        harness.Client.Summary("Goal: port the parser. Files: src/Parser.cs. Open: tests.").Answer("Continuing with the tests.");
        var history = LongHistory(6);

        var result = await harness.RunAsync("continue", r => r with { History = history, Model = SmallModel });

        Assert.Equal(RunOutcome.Completed, result.Outcome);
        var sent = harness.Client.Requests.Single();
        Assert.Equal(3, sent.Length);
        Assert.Equal(ChatRole.System, sent[0].Role);
        Assert.True(IsSummary(sent[1]));
        Assert.Contains("Goal: port the parser.", sent[1].Text, StringComparison.Ordinal);
        Assert.Equal("continue", sent[2].Text);

        var summaryRequest = harness.Client.SummaryRequests.Single();
        Assert.Contains("Open tasks", summaryRequest[0].Text, StringComparison.Ordinal);
        Assert.Contains("message 0 ", summaryRequest[1].Text, StringComparison.Ordinal);
        Assert.DoesNotContain("You are a test agent.", summaryRequest[1].Text, StringComparison.Ordinal);

        var compaction = (await harness.EventsAsync()).OfType<CompactionEvent>().Single();
        Assert.Equal(6, compaction.MessagesSummarized);
        Assert.True(compaction.TokensBefore > 800);
        Assert.True(compaction.TokensAfter < compaction.TokensBefore);

        var recorded = harness.Recorder.Messages;
        var summaryIndex = recorded.ToList().FindIndex(IsSummary);
        Assert.True(summaryIndex > 0);
        Assert.Equal("continue", recorded[summaryIndex + 1].Text);
        Assert.Equal(true, recorded[summaryIndex + 1].AdditionalProperties?[AgentLoop.CarriedMessageMarker]);
    }

    [Fact]
    public async Task TheSmallModel_WritesTheSummary_AndTheRunsModelStepsInWhenItFails()
    {
        await using var harness = new AgentHarness();
        var small = new ScriptedChatClient().Summary("Goal (by the small model): port the parser.");
        harness.Client.Answer("Continuing.");

        var result = await harness.RunAsync("continue", r => r with { History = LongHistory(6), Model = SmallModel, Summarizer = () => (small, null) });

        Assert.Equal(RunOutcome.Completed, result.Outcome);
        Assert.Single(small.SummaryRequests);
        Assert.Empty(harness.Client.SummaryRequests);
        Assert.Contains("by the small model", harness.Client.Requests.Single()[1].Text, StringComparison.Ordinal);

        await using var fallback = new AgentHarness();
        var broken = new ScriptedChatClient(); // no summary scripted: the request fails
        fallback.Client.Summary("Goal (by the run's model).").Answer("Continuing.");

        var second = await fallback.RunAsync("continue", r => r with { History = LongHistory(6), Model = SmallModel, Summarizer = () => (broken, null) });

        Assert.Equal(RunOutcome.Completed, second.Outcome);
        Assert.Contains("by the run's model", fallback.Client.Requests.Single()[1].Text, StringComparison.Ordinal);
        Assert.Contains((await fallback.EventsAsync()).OfType<WarningEvent>(), w => w.Message.Contains("small model could not summarise", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Compaction_KeepsToolCallsWithTheirResults()
    {
        await using var harness = new AgentHarness();
        harness.Client.Summary("Summary.").Answer("done");
        var history = LongHistory(4).Concat(
        [
            // The result fits the recent budget but its (long) call does not: the cut moves back to keep them together.
            new ChatMessage(ChatRole.Assistant, [new TextContent(new string('t', 1000)), Call("c9", "read_file", """{"path":"a"}""")]),
            new ChatMessage(ChatRole.Tool, [new FunctionResultContent("c9", new string('r', 500))]),
        ]).ToArray();

        await harness.RunAsync("go on", r => r with { History = history, Model = SmallModel });

        var sent = harness.Client.Requests.Single();
        Assert.True(IsSummary(sent[1]));
        Assert.IsType<FunctionCallContent>(sent[2].Contents[1]);
        Assert.Equal("c9", Assert.IsType<FunctionResultContent>(sent[3].Contents.Single()).CallId);
        Assert.Equal("go on", sent[4].Text);
    }

    [Fact]
    public async Task NoCompact_SendsTheWholeHistory()
    {
        await using var harness = new AgentHarness();
        harness.Client.Answer("done");

        await harness.RunAsync("continue", r => r with { History = LongHistory(6), Model = SmallModel, Compaction = false });

        Assert.Equal(8, harness.Client.Requests.Single().Length);
        Assert.Empty(harness.Client.SummaryRequests);
        Assert.Empty((await harness.EventsAsync()).OfType<CompactionEvent>());
    }

    [Fact]
    public async Task ReportedUsage_TriggersCompaction_BeforeTheNextStep()
    {
        await using var harness = new AgentHarness();
        harness.Add(AgentHarness.Tool("read_file", (string path) => "short"));
        harness.Client
            .Step(Call("c1", "read_file", """{"path":"a"}"""), Usage(900, 20))
            .Summary("Summary of the work.")
            .Answer("done");

        // About 530 tokens by characters: under the 800-token threshold until the provider reports 920.
        await harness.RunAsync("start", r => r with { History = LongHistory(2), Model = SmallModel });

        Assert.Single(harness.Client.SummaryRequests);
        Assert.False(IsSummary(harness.Client.Requests[0][1]));
        Assert.True(IsSummary(harness.Client.Requests[1][1]));
        Assert.Equal("start", harness.Client.Requests[1][2].Text);
    }

    private static ChatMessage[] LongHistory(int count) =>
        Enumerable.Range(0, count)
            .Select(i => new ChatMessage(i % 2 == 0 ? ChatRole.User : ChatRole.Assistant, $"message {i} " + new string('x', 1000)))
            .ToArray();

    private static bool IsSummary(ChatMessage message) =>
        message.AdditionalProperties?.TryGetValue(IConversationRecorder.SummaryMarker, out var value) == true && value is true;
}
