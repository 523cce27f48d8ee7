using AgentHost.Hosting;
using AgentHost.Sdk.Events;
using AgentHost.Sessions;
using AgentHost.Sessions.Journal;
using AgentHost.Tests.Sessions;
using Microsoft.Extensions.AI;

namespace AgentHost.Sessions.Tests;

public sealed class SessionHistoryTests
{
    [Fact]
    public async Task HistoryPages_CoverEveryMessageOnce_InOrder_WithoutGaps()
    {
        using var harness = await SessionTestStore.OpenAsync();
        var session = await harness.CreateAsync();
        var other = await harness.CreateAsync();
        const int Count = 3001;
        for (var i = 1; i <= Count; i++)
        {
            await harness.Store.Conversation.AppendMessageAsync(session.Id, new ChatMessage(i % 2 == 1 ? ChatRole.User : ChatRole.Assistant, $"m{i}"));
            if (i % 500 == 0)
            {
                await harness.Store.Conversation.AppendMessageAsync(other.Id, new ChatMessage(ChatRole.User, $"other {i}"));
            }
        }

        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await harness.Store.Conversation.GetHistoryAsync(session.Id, HistoryKind.Messages, limit: 250, cursor);
            Assert.True(page.Messages.Count is > 0 and <= 250);
            seen.AddRange(page.Messages.Select(m => m.Message.Text));
            cursor = page.NextCursor;
            pages++;
        }
        while (cursor is not null);

        Assert.Equal(Enumerable.Range(1, Count).Select(i => $"m{i}"), seen);
        Assert.Equal(13, pages);
        var exact = await harness.Store.Conversation.GetHistoryAsync(session.Id, HistoryKind.Messages, limit: 1000, "2001");
        Assert.Equal(1000, exact.Messages.Count);
        Assert.Null(exact.NextCursor);
    }

    [Fact]
    public async Task MessagePageQuery_SeeksTheSessionSequenceIndex()
    {
        using var harness = await SessionTestStore.OpenAsync();
        var session = await harness.CreateAsync();
        await harness.Store.Conversation.AppendMessageAsync(session.Id, new ChatMessage(ChatRole.User, "x"));

        using var connection = SessionMigrationTests.Open(harness.DatabasePath);
        using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + ConversationLog.MessagePageSql;
        command.Parameters.AddWithValue("$id", session.Id);
        command.Parameters.AddWithValue("$after", 0);
        command.Parameters.AddWithValue("$limit", 10);
        using var reader = command.ExecuteReader();
        var plan = new List<string>();
        while (reader.Read())
        {
            plan.Add(reader.GetString(3));
        }

        Assert.Contains(plan, step => step.Contains("SEARCH messages USING INDEX ix_messages_session_seq (session_id=? AND seq>?)", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, step => step.Contains("TEMP B-TREE", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ToolHistory_PagesTheToolEvents_WithTheirDetails()
    {
        using var harness = await SessionTestStore.OpenAsync();
        var session = await harness.CreateAsync();
        for (var i = 1; i <= 7; i++)
        {
            await harness.Store.Conversation.RecordToolEventAsync(new ToolEventRecord(session.Id, $"c{i}", "edit", "core", $"{{\"i\":{i}}}", i == 3 ? ToolCallStatus.Denied : ToolCallStatus.Succeeded, i)
            {
                Error = i == 3 ? "denied by rule" : null,
                DiffSummary = "+1 -0",
                Files = [$"f{i}.cs"],
            });
        }

        var first = await harness.Store.Conversation.GetHistoryAsync(session.Id, HistoryKind.Tools, limit: 4);
        var second = await harness.Store.Conversation.GetHistoryAsync(session.Id, HistoryKind.Tools, limit: 4, first.NextCursor);

        Assert.Equal("4", first.NextCursor);
        Assert.Null(second.NextCursor);
        var all = first.ToolEvents.Concat(second.ToolEvents).ToList();
        Assert.Equal(Enumerable.Range(1, 7).Select(i => $"c{i}"), all.Select(t => t.CallId));
        Assert.Equal(ToolCallStatus.Denied, all[2].Status);
        Assert.Equal("denied by rule", all[2].Error);
        Assert.Equal(["f7.cs"], all[6].Files);
        Assert.Equal("+1 -0", all[6].DiffSummary);
        Assert.Equal("core", all[0].Plugin);
    }

    [Fact]
    public async Task History_RejectsABadCursorOrPageSize_AsUsageErrors()
    {
        using var harness = await SessionTestStore.OpenAsync();
        var session = await harness.CreateAsync();

        var cursor = await Assert.ThrowsAsync<AgentHostException>(() => harness.Store.Conversation.GetHistoryAsync(session.Id, cursor: "abc"));
        var size = await Assert.ThrowsAsync<AgentHostException>(() => harness.Store.Conversation.GetHistoryAsync(session.Id, limit: 0));

        Assert.Equal(ErrorKind.Usage, cursor.Kind);
        Assert.Contains("not a history cursor", cursor.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorKind.Usage, size.Kind);
    }

    [Fact]
    public async Task Fork_AtAMessage_CopiesThatPrefixAndTheToolEventsOfIt_AndLinksTheParent()
    {
        using var harness = await SessionTestStore.OpenAsync();
        var source = await harness.CreateAsync("plan the work");
        await harness.Store.SetSettingAsync(source.Id, "max_steps", "12");
        var ids = new List<string>
        {
            await harness.Store.Conversation.AppendMessageAsync(source.Id, new ChatMessage(ChatRole.User, "plan the work")),
            await harness.Store.Conversation.AppendMessageAsync(source.Id, new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c1", "read")])),
        };
        await harness.Store.Conversation.RecordToolEventAsync(new ToolEventRecord(source.Id, "c1", "read", null, "{}", ToolCallStatus.Succeeded, 3));
        ids.Add(await harness.Store.Conversation.AppendMessageAsync(source.Id, new ChatMessage(ChatRole.Tool, [new FunctionResultContent("c1", "contents")])));
        ids.Add(await harness.Store.Conversation.AppendMessageAsync(source.Id, new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c2", "write")])));
        await harness.Store.Conversation.RecordToolEventAsync(new ToolEventRecord(source.Id, "c2", "write", null, "{}", ToolCallStatus.Succeeded, 3));
        ids.Add(await harness.Store.Conversation.AppendMessageAsync(source.Id, new ChatMessage(ChatRole.Assistant, "done")));

        var fork = await harness.Store.Transfer.ForkAsync(source.Id, ids[2][..20]);
        var whole = await harness.Store.Transfer.ForkAsync(source.Id);

        Assert.NotEqual(source.Id, fork.Id);
        Assert.Equal(source.Id, fork.ParentId);
        Assert.Equal(ids[2], fork.ForkMessageId);
        Assert.Equal(3, fork.MessageCount);
        Assert.Equal(1, fork.ToolEventCount);
        Assert.Equal("12", fork.Settings["max_steps"]);
        Assert.Equal("plan the work (fork)", fork.Title);
        Assert.Equal(SessionStatus.Completed, fork.Status);
        var copied = await harness.Store.Conversation.LoadConversationAsync(fork.Id);
        Assert.Equal(["plan the work", string.Empty, string.Empty], copied.Select(m => m.Text));
        Assert.Equal("contents", Assert.IsType<FunctionResultContent>(copied[2].Contents[0]).Result!.ToString());
        Assert.Empty(copied.Select(m => m.MessageId).Intersect(ids));
        Assert.Equal(5, whole.MessageCount);
        Assert.Equal(2, whole.ToolEventCount);
        Assert.Equal(ids[4], whole.ForkMessageId);

        // Appending to the fork leaves the source alone; deleting the source keeps the fork.
        await harness.Store.Conversation.AppendMessageAsync(fork.Id, new ChatMessage(ChatRole.User, "a different direction"));
        Assert.Equal(5, (await harness.Store.GetSessionAsync(source.Id)).MessageCount);
        Assert.True(await harness.Store.DeleteSessionAsync(source.Id));
        var orphan = await harness.Store.GetSessionAsync(fork.Id);
        Assert.Null(orphan.ParentId);
        Assert.Equal(4, orphan.MessageCount);
    }

    [Fact]
    public async Task Fork_AtAnUnknownMessage_IsNotFound_AndCreatesNothing()
    {
        using var harness = await SessionTestStore.OpenAsync();
        var source = await harness.CreateAsync();
        await harness.Store.Conversation.AppendMessageAsync(source.Id, new ChatMessage(ChatRole.User, "x"));

        var error = await Assert.ThrowsAsync<AgentHostException>(() => harness.Store.Transfer.ForkAsync(source.Id, "01NOPE"));

        Assert.Equal(ErrorKind.NotFound, error.Kind);
        Assert.Contains("agent session history", error.Message, StringComparison.Ordinal);
        Assert.Single(await harness.Store.ListSessionsAsync());
    }

    [Fact]
    public async Task Delete_CascadesToMessagesAndToolEvents()
    {
        using var harness = await SessionTestStore.OpenAsync();
        var session = await harness.CreateAsync();
        await harness.Store.Conversation.AppendMessageAsync(session.Id, new ChatMessage(ChatRole.User, "x"));
        await harness.Store.Conversation.RecordToolEventAsync(new ToolEventRecord(session.Id, "c", "t", null, "{}", ToolCallStatus.Succeeded, 1));

        Assert.True(await harness.Store.DeleteSessionAsync(session.Id));
        Assert.False(await harness.Store.DeleteSessionAsync(session.Id));

        using var connection = SessionMigrationTests.Open(harness.DatabasePath);
        Assert.Equal(0, SessionMigrationTests.Scalar<long>(connection, "SELECT COUNT(*) FROM messages"));
        Assert.Equal(0, SessionMigrationTests.Scalar<long>(connection, "SELECT COUNT(*) FROM tool_events"));
        Assert.Null(await harness.Store.FindSessionAsync(session.Id));
    }

    [Fact]
    public async Task Prune_DeletesOnlySessionsNotUpdatedWithinTheAge_InEveryWorkspace()
    {
        using var harness = await SessionTestStore.OpenAsync();
        var old = await harness.CreateAsync("old", workspace: harness.Temp.Combine("a"));
        var otherOld = await harness.CreateAsync("other old", workspace: harness.Temp.Combine("b"));
        var revived = await harness.CreateAsync("revived");
        harness.Time.Advance(TimeSpan.FromDays(20));
        await harness.Store.Conversation.AppendMessageAsync(revived.Id, new ChatMessage(ChatRole.User, "still here"));
        harness.Time.Advance(TimeSpan.FromDays(15));
        var recent = await harness.CreateAsync("recent");

        Assert.Equal(2, await harness.Store.CountOlderThanAsync(TimeSpan.FromDays(30)));
        var pruned = await harness.Store.PruneAsync(TimeSpan.FromDays(30));

        Assert.Equal(2, pruned);
        var left = (await harness.Store.ListSessionsAsync()).Select(s => s.Id).ToList();
        Assert.Equal([recent.Id, revived.Id], left);
        Assert.Null(await harness.Store.FindSessionAsync(old.Id));
        Assert.Null(await harness.Store.FindSessionAsync(otherOld.Id));
    }

    [Fact]
    public async Task List_IsNewestFirst_AndFiltersByWorkspace()
    {
        using var harness = await SessionTestStore.OpenAsync();
        var a1 = await harness.CreateAsync("a1");
        harness.Time.Advance(TimeSpan.FromMinutes(1));
        var b1 = await harness.CreateAsync("b1", workspace: harness.Temp.Combine("other"));
        harness.Time.Advance(TimeSpan.FromMinutes(1));
        var a2 = await harness.CreateAsync("a2", workspace: harness.Workspace + Path.DirectorySeparatorChar);
        harness.Time.Advance(TimeSpan.FromMinutes(1));
        await harness.Store.Conversation.AppendMessageAsync(a1.Id, new ChatMessage(ChatRole.User, "bump"));

        var mine = await harness.Store.ListSessionsAsync(harness.Workspace);
        var all = await harness.Store.ListSessionsAsync();

        Assert.Equal([a1.Id, a2.Id], mine.Select(s => s.Id));
        Assert.Equal([a1.Id, a2.Id, b1.Id], all.Select(s => s.Id));
        Assert.Equal(2, (await harness.Store.ListSessionsAsync(limit: 2)).Count);
    }

    [Fact]
    public async Task ResolveId_AcceptsAUniquePrefixInAnyCase_AndSuggestsCloseIds()
    {
        using var harness = await SessionTestStore.OpenAsync();
        var session = await harness.CreateAsync();
        harness.Time.Advance(TimeSpan.FromDays(3));
        var other = await harness.CreateAsync();

        Assert.Equal(session.Id, await harness.Store.ResolveIdAsync(session.Id[..14].ToLowerInvariant()));
        Assert.Equal(other.Id, await harness.Store.ResolveIdAsync(other.Id));
        var typo = session.Id[..^2] + (session.Id[^2] == 'Z' ? "YY" : "ZZ");
        var missing = await Assert.ThrowsAsync<AgentHostException>(() => harness.Store.ResolveIdAsync(typo));
        var ambiguous = await Assert.ThrowsAsync<AgentHostException>(() => harness.Store.ResolveIdAsync(session.Id[..1]));

        Assert.Equal(ErrorKind.NotFound, missing.Kind);
        Assert.Contains($"Did you mean: {session.Id}?", missing.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorKind.Usage, ambiguous.Kind);
        Assert.Contains("matches several sessions", ambiguous.Message, StringComparison.Ordinal);
    }
}
