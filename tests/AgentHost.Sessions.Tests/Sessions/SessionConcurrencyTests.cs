using AgentHost.Sdk.Events;
using AgentHost.Sessions;
using AgentHost.Tests.Sessions;
using Microsoft.Extensions.AI;

namespace AgentHost.Sessions.Tests;

public sealed class SessionConcurrencyTests
{
    [Fact]
    public async Task TwentySessions_WritingFiveToolCallsEachAtOnce_LoseNoRows()
    {
        using var harness = await SessionTestStore.OpenAsync();
        const int Sessions = 20;
        const int ToolCalls = 5;
        var sessions = await Task.WhenAll(Enumerable.Range(0, Sessions).Select(i => harness.CreateAsync($"session {i}")));

        await Task.WhenAll(sessions.Select(session => Task.Run(async () =>
        {
            await harness.Store.Conversation.AppendMessageAsync(session.Id, new ChatMessage(ChatRole.User, "go"));
            for (var call = 0; call < ToolCalls; call++)
            {
                var callId = $"{session.Id}-{call}";
                await harness.Store.Conversation.AppendMessageAsync(session.Id, new ChatMessage(ChatRole.Assistant, [new FunctionCallContent(callId, "read")]));
                await harness.Store.Conversation.RecordToolEventAsync(new ToolEventRecord(session.Id, callId, "read", null, "{}", ToolCallStatus.Succeeded, 1));
                await harness.Store.Conversation.AppendMessageAsync(session.Id, new ChatMessage(ChatRole.Tool, [new FunctionResultContent(callId, "ok")]));
                await harness.Store.RecordUsageAsync(session.Id, new UsageDetails { InputTokenCount = 10, OutputTokenCount = 1 }, 0.001m);

                // Readers run alongside the writers.
                _ = await harness.Store.Conversation.GetHistoryAsync(session.Id, limit: 5);
            }

            await harness.Store.Conversation.AppendMessageAsync(session.Id, new ChatMessage(ChatRole.Assistant, "done"));
            await harness.Store.SetStatusAsync(session.Id, SessionStatus.Completed);
        })));

        using var connection = SessionMigrationTests.Open(harness.DatabasePath);
        Assert.Equal(Sessions * ((ToolCalls * 2) + 2), SessionMigrationTests.Scalar<long>(connection, "SELECT COUNT(*) FROM messages"));
        Assert.Equal(Sessions * ToolCalls, SessionMigrationTests.Scalar<long>(connection, "SELECT COUNT(*) FROM tool_events"));
        foreach (var session in sessions)
        {
            var stored = await harness.Store.GetSessionAsync(session.Id);
            Assert.Equal((ToolCalls * 2) + 2, stored.MessageCount);
            Assert.Equal(ToolCalls, stored.ToolEventCount);
            Assert.Equal(ToolCalls * 10, stored.InputTokens);
            Assert.Equal(ToolCalls * 0.001m, stored.Cost);
            Assert.Equal(SessionStatus.Completed, stored.Status);
            var messages = await harness.Store.Conversation.LoadConversationAsync(session.Id);
            Assert.Equal("go", messages[0].Text);
            Assert.Equal("done", messages[^1].Text);
            var calls = messages.SelectMany(m => m.Contents.OfType<FunctionCallContent>()).Select(c => c.CallId);
            Assert.Equal(Enumerable.Range(0, ToolCalls).Select(i => $"{session.Id}-{i}"), calls);
        }
    }

    [Fact]
    public async Task TwoStoresOnOneFile_LikeTwoProcesses_ShareTheWriteLock()
    {
        using var first = await SessionTestStore.OpenAsync();
        using var second = await SessionTestStore.OpenAsync(databasePath: first.DatabasePath);
        var a = await first.CreateAsync("a");
        var b = await second.CreateAsync("b");

        await Task.WhenAll(
            Task.Run(async () =>
            {
                for (var i = 0; i < 50; i++)
                {
                    await first.Store.Conversation.AppendMessageAsync(a.Id, new ChatMessage(ChatRole.User, $"a{i}"));
                }
            }),
            Task.Run(async () =>
            {
                for (var i = 0; i < 50; i++)
                {
                    await second.Store.Conversation.AppendMessageAsync(b.Id, new ChatMessage(ChatRole.User, $"b{i}"));
                }
            }));

        Assert.Equal(50, (await first.Store.GetSessionAsync(b.Id)).MessageCount);
        Assert.Equal(50, (await second.Store.GetSessionAsync(a.Id)).MessageCount);
    }
}
