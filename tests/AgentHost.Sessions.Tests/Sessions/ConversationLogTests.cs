using AgentHost.Hosting;
using AgentHost.Sdk.Events;
using AgentHost.Sessions;
using AgentHost.Sessions.Store;
using AgentHost.Tests.Sessions;
using Microsoft.Extensions.AI;

namespace AgentHost.Sessions.Tests;

/// <summary>The conversation log on its own (<see cref="SessionStore.Conversation"/>): what a run records and what a resume or a history page reads.</summary>
public sealed class ConversationLogTests
{
    [Fact]
    public async Task Append_NumbersEachSessionsMessages_AndPagesThemOldestFirst()
    {
        using var harness = await SessionTestStore.OpenAsync();
        var log = harness.Store.Conversation;
        var first = await harness.CreateAsync();
        var second = await harness.CreateAsync();

        var ids = new List<string>();
        foreach (var text in new[] { "one", "two", "three" })
        {
            ids.Add(await log.AppendMessageAsync(first.Id, new ChatMessage(ChatRole.User, text)));
        }

        await log.AppendMessageAsync(second.Id, new ChatMessage(ChatRole.User, "elsewhere"));

        var page = await log.GetHistoryAsync(first.Id, HistoryKind.Messages, limit: 2);
        var rest = await log.GetHistoryAsync(first.Id, HistoryKind.Messages, limit: 2, page.NextCursor);

        Assert.Equal([1L, 2L], page.Messages.Select(m => m.Sequence));
        Assert.Equal(["one", "two"], page.Messages.Select(m => m.Message.Text));
        Assert.Equal(ids[..2], page.Messages.Select(m => m.Id));
        Assert.Equal([3L], rest.Messages.Select(m => m.Sequence));
        Assert.Null(rest.NextCursor);
        Assert.Equal([1L], (await log.GetHistoryAsync(second.Id)).Messages.Select(m => m.Sequence));
    }

    [Fact]
    public async Task LoadConversation_StartsAtTheLastSummary_WithStoredIds()
    {
        using var harness = await SessionTestStore.OpenAsync();
        var log = harness.Store.Conversation;
        var session = await harness.CreateAsync();
        await log.AppendMessageAsync(session.Id, new ChatMessage(ChatRole.User, "old question"));
        await log.AppendMessageAsync(session.Id, new ChatMessage(ChatRole.Assistant, "old answer"));
        var summary = new ChatMessage(ChatRole.User, "summary of the above")
        {
            AdditionalProperties = new AdditionalPropertiesDictionary { [IConversationRecorder.SummaryMarker] = true },
        };
        var summaryId = await log.AppendMessageAsync(session.Id, summary);
        await log.AppendMessageAsync(session.Id, new ChatMessage(ChatRole.User, "new question"));

        var resumed = await log.LoadConversationAsync(session.Id);

        Assert.Equal(["summary of the above", "new question"], resumed.Select(m => m.Text));
        Assert.Equal(summaryId, resumed[0].MessageId);
        Assert.True((await log.GetHistoryAsync(session.Id)).Messages[2].IsSummary);
    }

    [Fact]
    public async Task ToolEvents_AreNumbered_AndPointAtTheMessageTheyFollowed()
    {
        using var harness = await SessionTestStore.OpenAsync();
        var log = harness.Store.Conversation;
        var session = await harness.CreateAsync();
        await log.AppendMessageAsync(session.Id, new ChatMessage(ChatRole.User, "list the files"));
        await log.AppendMessageAsync(session.Id, new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c1", "ls")]));
        await log.RecordToolEventAsync(new ToolEventRecord(session.Id, "c1", "ls", "files", "{}", ToolCallStatus.Succeeded, 12.5));
        await log.RecordToolEventAsync(new ToolEventRecord(session.Id, "c2", "view", "files", "{\"path\":\"a\"}", ToolCallStatus.Failed, 3) { Error = "not found" });

        var page = await log.GetHistoryAsync(session.Id, HistoryKind.Tools);

        Assert.Equal([1L, 2L], page.ToolEvents.Select(t => t.Sequence));
        Assert.All(page.ToolEvents, t => Assert.Equal(2, t.MessageSequence));
        Assert.Equal(ToolCallStatus.Failed, page.ToolEvents[1].Status);
        Assert.Equal("not found", page.ToolEvents[1].Error);
        Assert.Empty(page.Messages);
    }

    [Fact]
    public async Task AsTheRunsRecorder_StatusAndUsage_LandOnTheSessionRow()
    {
        using var harness = await SessionTestStore.OpenAsync();
        var session = await harness.CreateAsync();

        var recorder = Assert.IsAssignableFrom<IConversationRecorder>(harness.Store.Conversation);

        await recorder.AppendMessageAsync(session.Id, new ChatMessage(ChatRole.User, "Fix the build"));
        await recorder.RecordUsageAsync(session.Id, new UsageDetails { InputTokenCount = 100, OutputTokenCount = 20 }, 0.5m);
        await recorder.SetStatusAsync(session.Id, SessionStatus.Completed);

        var stored = await harness.Store.GetSessionAsync(session.Id);
        Assert.Equal(SessionStatus.Completed, stored.Status);
        Assert.Equal(100, stored.InputTokens);
        Assert.Equal(20, stored.OutputTokens);
        Assert.Equal(0.5m, stored.Cost);
        Assert.Equal(1, stored.MessageCount);
        Assert.Equal("Fix the build", stored.Title);
    }

    [Fact]
    public async Task StepWrites_StoreTheAnswerWithItsUsage_AndTheResultWithItsEvent()
    {
        using var harness = await SessionTestStore.OpenAsync();
        var session = await harness.CreateAsync();
        var recorder = Assert.IsAssignableFrom<IConversationRecorder>(harness.Store.Conversation);
        await recorder.AppendMessageAsync(session.Id, new ChatMessage(ChatRole.User, "list the files"));

        var answerId = await recorder.AppendMessageAsync(
            session.Id, new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c1", "ls")]), new UsageDetails { InputTokenCount = 7, OutputTokenCount = 3 }, 0.25m);
        var resultId = await recorder.AppendToolResultAsync(
            session.Id,
            new ChatMessage(ChatRole.Tool, [new FunctionResultContent("c1", "a.txt")]),
            new ToolEventRecord(session.Id, "c1", "ls", "files", "{}", ToolCallStatus.Succeeded, 2));
        await recorder.AppendMessageAsync(session.Id, new ChatMessage(ChatRole.Assistant, "done"), usage: null, cost: null);

        var messages = (await harness.Store.Conversation.GetHistoryAsync(session.Id)).Messages;
        var events = (await harness.Store.Conversation.GetHistoryAsync(session.Id, HistoryKind.Tools)).ToolEvents;
        var stored = await harness.Store.GetSessionAsync(session.Id);
        Assert.Equal([1L, 2L, 3L, 4L], messages.Select(m => m.Sequence));
        Assert.Equal([answerId, resultId], messages.Skip(1).Take(2).Select(m => m.Id));
        var tool = Assert.Single(events);
        Assert.Equal(3, tool.MessageSequence);
        Assert.Equal("c1", tool.CallId);
        Assert.Equal(7, stored.InputTokens);
        Assert.Equal(3, stored.OutputTokens);
        Assert.Equal(0.25m, stored.Cost);
        Assert.Equal(4, stored.MessageCount);
    }

    [Fact]
    public async Task StepWrites_AreOneTransaction_AFailingSecondPartKeepsNeither()
    {
        using var harness = await SessionTestStore.OpenAsync();
        var session = await harness.CreateAsync();
        var recorder = Assert.IsAssignableFrom<IConversationRecorder>(harness.Store.Conversation);

        // A cost too large to store fails the usage after the message was inserted, in the same transaction.
        await Assert.ThrowsAnyAsync<OverflowException>(async () => await recorder.AppendMessageAsync(
            session.Id, new ChatMessage(ChatRole.Assistant, "answer"), new UsageDetails { InputTokenCount = 1 }, decimal.MaxValue));
        // An event for a session that does not exist fails its foreign key after the result message was inserted.
        await Assert.ThrowsAnyAsync<Exception>(async () => await recorder.AppendToolResultAsync(
            session.Id,
            new ChatMessage(ChatRole.Tool, [new FunctionResultContent("c1", "a.txt")]),
            new ToolEventRecord("no-such-session", "c1", "ls", "files", "{}", ToolCallStatus.Succeeded, 2)));
        await recorder.AppendMessageAsync(session.Id, new ChatMessage(ChatRole.User, "still writable"));

        var messages = (await harness.Store.Conversation.GetHistoryAsync(session.Id)).Messages;
        var stored = await harness.Store.GetSessionAsync(session.Id);
        Assert.Equal(["still writable"], messages.Select(m => m.Message.Text));
        Assert.Equal(1L, messages[0].Sequence);
        Assert.Empty((await harness.Store.Conversation.GetHistoryAsync(session.Id, HistoryKind.Tools)).ToolEvents);
        Assert.Equal(0, stored.InputTokens);
    }

    [Fact]
    public async Task UnknownSession_IsNotFound_ForWritesAndReads()
    {
        using var harness = await SessionTestStore.OpenAsync();
        var log = harness.Store.Conversation;

        var append = await Assert.ThrowsAsync<AgentHostException>(async () => await log.AppendMessageAsync("nope", new ChatMessage(ChatRole.User, "x")));
        var tool = await Assert.ThrowsAsync<AgentHostException>(async () => await log.RecordToolEventAsync(new ToolEventRecord("nope", "c", "ls", null, "{}", ToolCallStatus.Succeeded, 1)));
        var history = await Assert.ThrowsAsync<AgentHostException>(() => log.GetHistoryAsync("nope"));

        Assert.All([append, tool, history], error => Assert.Equal(ErrorKind.NotFound, error.Kind));
    }
}
