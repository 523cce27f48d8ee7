using AgentHost.Agent.Engine;
using AgentHost.Sdk.Events;
using AgentHost.Sdk.Tools;
using AgentHost.Tests.Agent;
using Microsoft.Extensions.AI;
using static AgentHost.Tests.Agent.ScriptedChatClient;

namespace AgentHost.Agent.Tests;

/// <summary>
/// Older long tool results are sent as a marker (docs/agent-loop.md, "What is sent"): the last 4 steps' results stay
/// whole, the boundary moves in blocks of 4 steps (so requests between two moves repeat the one before as a prefix),
/// short results and skill instructions are never trimmed, and the stored conversation keeps everything.
/// </summary>
public sealed class ToolResultTrimmingTests
{
    private static readonly string Long = string.Join('\n', Enumerable.Range(1, 100).Select(i => $"line {i:000} of a long file"));

    [Fact]
    public async Task ResultsOlderThanFourSteps_AreSentAsAMarker_InBlocksOfFourSteps_AndStoredWhole()
    {
        await using var harness = new AgentHarness();
        harness.Add(AgentHarness.Tool("view", (string path) => path + "\n" + Long));
        harness.Add(AgentHarness.Tool("short", () => "small result"));
        for (var i = 1; i <= 12; i++)
        {
            harness.Client.Step(i == 2 ? Call("c2", "short") : Call($"c{i}", "view", $$"""{"path":"f{{i}}.txt"}"""));
        }

        harness.Client.Answer("done");

        var result = await harness.RunAsync();

        Assert.Equal(RunOutcome.Completed, result.Outcome);
        // Request k (0-based) follows k steps; results of steps 1..boundary are trimmed, boundary = (k - 4) / 4 * 4.
        Assert.Equal([], Trimmed(7));
        Assert.Equal(["c1", "c3", "c4"], Trimmed(8));
        Assert.Equal(["c1", "c3", "c4"], Trimmed(11));
        Assert.Equal(["c1", "c3", "c4", "c5", "c6", "c7", "c8"], Trimmed(12));
        Assert.Equal("small result", harness.ResultsSeenBy(12)["c2"]);
        Assert.Equal("[trimmed: an older result, " + ("f1.txt\n" + Long).Length.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) +
            " characters; view the file again to see it]", harness.ResultsSeenBy(12)["c1"]);
        Assert.Equal("f9.txt\n" + Long, harness.ResultsSeenBy(12)["c9"]);

        // Between two moves of the boundary each request starts with the one before it, message for message.
        for (var k = 9; k <= 11; k++)
        {
            var before = harness.Client.Requests[k - 1];
            Assert.Equal(before.Select(Text), harness.Client.Requests[k].Take(before.Length).Select(Text));
        }

        // What the run keeps and records is whole.
        Assert.All(result.Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>(), r => Assert.DoesNotContain("[trimmed:", r.Result?.ToString(), StringComparison.Ordinal));

        List<string> Trimmed(int request) =>
            [.. harness.Client.Requests[request].SelectMany(m => m.Contents).OfType<FunctionResultContent>()
                .Where(r => r.Result?.ToString()?.Contains("[trimmed:", StringComparison.Ordinal) == true).Select(r => r.CallId)];

        static string Text(ChatMessage message) =>
            string.Join("|", message.Contents.Select(c => c is FunctionResultContent r ? r.CallId + ":" + r.Result : c is FunctionCallContent f ? f.CallId : c.ToString()));
    }

    [Fact]
    public async Task SkillInstructions_AreNeverTrimmed_AndZeroStepsSendsEverythingWhole()
    {
        await using var harness = new AgentHarness();
        harness.Add(AgentHarness.Tool("skill", () => "instructions\n" + Long));
        harness.Add(AgentHarness.Tool("view", (int n) => Long));
        harness.Client.Step(Call("s1", "skill"));
        for (var i = 2; i <= 9; i++)
        {
            harness.Client.Step(Call($"c{i}", "view", $$"""{"n":{{i}}}"""));
        }

        harness.Client.Answer("done");

        await harness.RunAsync();

        Assert.Equal("instructions\n" + Long, harness.ResultsSeenBy(9)["s1"]);
        Assert.StartsWith("[trimmed:", harness.ResultsSeenBy(9)["c2"], StringComparison.Ordinal);

        await using var whole = new AgentHarness(options: new AgentLoopOptions { KeepToolResultSteps = 0 });
        whole.Add(AgentHarness.Tool("view", (int n) => Long));
        for (var i = 1; i <= 9; i++)
        {
            whole.Client.Step(Call($"c{i}", "view", $$"""{"n":{{i}}}"""));
        }

        whole.Client.Answer("done");
        await whole.RunAsync();
        Assert.Equal(Long, whole.ResultsSeenBy(9)["c1"]);
    }

    [Fact]
    public async Task WithAHead_TheFirstLinesAreKept_BeforeTheMarker()
    {
        await using var harness = new AgentHarness(options: new AgentLoopOptions { TrimmedHeadCharacters = 60 });
        harness.Add(AgentHarness.Tool("grep", (int n) => Long, ToolEffect.Read));
        for (var i = 1; i <= 8; i++)
        {
            harness.Client.Step(Call($"c{i}", "grep", $$"""{"n":{{i}}}"""));
        }

        harness.Client.Answer("done");

        await harness.RunAsync();

        Assert.Equal(
            "line 001 of a long file\nline 002 of a long file\n[trimmed: the rest of an older result, " +
            (Long.Length - 47).ToString("N0", System.Globalization.CultureInfo.InvariantCulture) + " characters; call grep again to see it]",
            harness.ResultsSeenBy(8)["c1"]);
    }
}
