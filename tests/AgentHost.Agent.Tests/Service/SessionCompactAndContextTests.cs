using AgentHost.Agent.Engine;
using AgentHost.Agent.Service;
using AgentHost.Hosting;
using AgentHost.Sessions;
using AgentHost.Tests.Service;
using Microsoft.Extensions.AI;

namespace AgentHost.Agent.Tests.Service;

/// <summary><see cref="AgentSession.CompactAsync"/> (the chat's /compact) and <see cref="AgentSession.GetContextAsync"/> (/context).</summary>
public sealed class SessionCompactAndContextTests
{
    private static readonly string Long = new('x', 4000);

    [Fact]
    public async Task CompactNow_StoresASummary_TheNextTurnSendsIt_AndTheOlderMessagesStayStored()
    {
        await using var fx = new ServiceFixture();
        var model = fx.Model("main").Reply("first answer " + Long).Reply("second answer").Reply("Goal: parse the files.").Reply("third answer");
        await using var session = await fx.Service.CreateAsync(fx.Options());
        await session.SendAsync(new TurnRequest("hello " + Long));
        await session.SendAsync(new TurnRequest("and again"));

        var compacted = await session.CompactAsync("the parser");

        Assert.Equal(session.Id, compacted.SessionId);
        Assert.Equal(3, compacted.MessagesSummarized); // hello, first answer, and again; the last answer is kept verbatim
        Assert.True(compacted.TokensAfter < compacted.TokensBefore, $"{compacted.TokensBefore} → {compacted.TokensAfter}");
        var summaryRequest = model.Requests[^1];
        Assert.Equal(ConversationCompactor.Instructions, summaryRequest[0].Text);
        Assert.Contains("The user asks the summary to focus on: the parser", summaryRequest[1].Text, StringComparison.Ordinal);
        Assert.Contains("[user]\nand again", summaryRequest[1].Text, StringComparison.Ordinal);

        var third = await session.SendAsync(new TurnRequest("go on"));

        Assert.Equal("third answer", third.Result.FinalText);
        var sent = model.Requests[^1].Where(m => m.Role != ChatRole.System).Select(m => m.Text).ToList();
        Assert.Equal(3, sent.Count);
        Assert.StartsWith(ConversationCompactor.SummaryHeading, sent[0], StringComparison.Ordinal);
        Assert.Contains("Goal: parse the files.", sent[0], StringComparison.Ordinal);
        Assert.Equal(["second answer", "go on"], sent[1..]);
        var stored = await fx.Store.Conversation.GetHistoryAsync(session.Id!, limit: 100);
        Assert.Equal(["hello " + Long, "first answer " + Long, "and again", "second answer"], stored.Messages.Take(4).Select(m => m.Message.Text));
        Assert.Single(stored.Messages, m => m.IsSummary);
    }

    [Fact]
    public async Task CompactNow_WithNothingToSummarise_SaysSo_AndChangesNothing()
    {
        await using var fx = new ServiceFixture();
        fx.Model("main").Reply("only answer");
        await using var session = await fx.Service.CreateAsync(fx.Options());

        var before = await Assert.ThrowsAsync<AgentHostException>(() => session.CompactAsync());
        await session.SendAsync(new TurnRequest("hello"));
        await using var reopened = await ReopenAsync(fx, session);
        var notBuilt = await Assert.ThrowsAsync<AgentHostException>(() => reopened.CompactAsync());

        Assert.Equal(ErrorKind.NotFound, before.Kind);
        Assert.Contains("no conversation yet", before.Message, StringComparison.Ordinal);
        Assert.Contains("send a prompt first", notBuilt.Message, StringComparison.Ordinal);
        Assert.Equal(["hello", "only answer"], (await reopened.LoadHistoryAsync()).Select(m => m.Text));
    }

    [Fact]
    public async Task CompactNow_WhenTheModelFails_KeepsTheHistory_AndSaysWhy()
    {
        await using var fx = new ServiceFixture();
        fx.Model("main").Reply("first answer").Reply("second answer"); // no step left for the summary
        await using var session = await fx.Service.CreateAsync(fx.Options());
        await session.SendAsync(new TurnRequest("hello"));
        await session.SendAsync(new TurnRequest("again"));

        var error = await Assert.ThrowsAsync<AgentHostException>(() => session.CompactAsync());

        Assert.Equal(ErrorKind.Provider, error.Kind);
        Assert.Contains("the model failed to summarise", error.Message, StringComparison.Ordinal);
        Assert.Equal(["hello", "first answer", "again", "second answer"], (await session.LoadHistoryAsync()).Select(m => m.Text));
    }

    [Fact]
    public async Task Context_ListsThePartsOfTheWindow_WithEstimates()
    {
        await using var fx = new ServiceFixture();
        File.WriteAllText(Path.Combine(fx.Root, "AGENTS.md"), "Run the tests with make test.\n" + new string('m', 2000));
        fx.Model("main").Reply("an answer " + Long);
        await using var session = await fx.Service.CreateAsync(fx.Options());

        Assert.Null(await session.GetContextAsync());
        await session.SendAsync(new TurnRequest("hello"));
        var report = await session.GetContextAsync();

        Assert.NotNull(report);
        Assert.Equal("fake/main", report.Model);
        Assert.Equal(new AgentLoopOptions().DefaultContextWindow, report.ContextWindow);
        Assert.False(report.WindowKnown);
        var parts = report.Parts.ToDictionary(p => p.Name.Split(" (")[0].Split(':')[0], p => p);
        Assert.InRange(parts["project memory"].Tokens, 500, 600); // ~2,030 characters at 4 a token, with the file's element
        Assert.InRange(parts["conversation"].Tokens, 1000, 1100);
        Assert.Contains("2 messages", parts["conversation"].Name, StringComparison.Ordinal);
        Assert.True(parts["tool schemas"].Tokens > 0);
        Assert.True(parts["system prompt"].Tokens > 100);
        Assert.Equal(report.Parts.Sum(p => p.Tokens), report.TotalTokens);
    }

    private static async Task<AgentSession> ReopenAsync(ServiceFixture fx, AgentSession session)
    {
        var id = session.Id!;
        await session.DisposeAsync();
        return await fx.Service.OpenAsync(id, fx.Options());
    }
}
