using AgentHost.Sessions;
using AgentHost.Sessions.Store;
using AgentHost.Tests.Sessions;
using AgentHost.Tests.Support;
using Microsoft.Extensions.AI;

namespace AgentHost.Sessions.Tests;

/// <summary>
/// <see cref="SessionStore.PrepareWritesAsync"/> (a front end calls it while plugins load) opens the write connection
/// early: it writes nothing and takes no lock, so another process's writes go on, and the first write works as before.
/// </summary>
public sealed class SessionPrepareWritesTests
{
    [Fact]
    public async Task PrepareWrites_WritesNothing_HoldsNoLock_AndTheFirstWriteWorksAsBefore()
    {
        using var harness = await SessionTestStore.OpenAsync();
        await harness.Store.PrepareWritesAsync();
        await harness.Store.PrepareWritesAsync(); // idempotent

        Assert.Empty(await harness.Store.ListSessionsAsync());

        // Another process's store on the same file writes meanwhile: the prepared connection holds no lock.
        using (var other = await SessionTestStore.OpenAsync(temp: new TempDirectory(), databasePath: harness.DatabasePath))
        {
            var theirs = await other.Store.CreateSessionAsync(new NewSession(harness.Workspace) { Prompt = "theirs" });
            await other.Store.Conversation.AppendMessageAsync(theirs.Id, new ChatMessage(ChatRole.User, "theirs"));
        }

        var (mine, lease) = await harness.Store.CreateLeasedSessionAsync(new NewSession(harness.Workspace) { Prompt = "mine" });
        await using (lease)
        {
            await harness.Store.Conversation.AppendMessageAsync(mine.Id, new ChatMessage(ChatRole.User, "mine"));
            Assert.Equal(2, (await harness.Store.ListSessionsAsync()).Count);
            Assert.Equal("mine", (await harness.Store.Conversation.LoadConversationAsync(mine.Id)).Single().Text);
        }
    }

    [Fact]
    public async Task PrepareWrites_OnADisposedStore_Throws_LikeEveryOtherCall()
    {
        var harness = await SessionTestStore.OpenAsync();
        harness.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => harness.Store.PrepareWritesAsync());
    }
}
