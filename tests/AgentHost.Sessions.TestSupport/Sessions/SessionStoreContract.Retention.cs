using AgentHost.Sessions;
using Microsoft.Extensions.AI;

namespace AgentHost.Tests.Sessions;

/// <content>Retention: sessions expired by last activity and by count, deleted as <c>DeleteSessionAsync</c> deletes them.</content>
public abstract partial class SessionStoreContract
{
    [StoreFact]
    public async Task Retention_ByDays_DeletesSessionsNotActiveSinceWithEverythingStoredOfThem_SparingTheOpenedOne()
    {
        var store = await OpenAsync();
        var old = await CompletedSessionAsync(store, "old work");
        var spared = await CompletedSessionAsync(store, "old but opened");
        Time.Advance(TimeSpan.FromDays(20));
        var touched = await CompletedSessionAsync(store, "touched later");
        Time.Advance(TimeSpan.FromDays(15));
        await store.Conversation.AppendMessageAsync(touched.Id, new ChatMessage(ChatRole.User, "still going"));
        var retention = new SessionRetention(TimeSpan.FromDays(30), null);

        var expired = await retention.FindExpiredAsync(store, Time, [spared.Id]);
        var pruned = await retention.PruneAsync(store, Time, [spared.Id]);

        Assert.Equal([old.Id], expired.Select(s => s.Id));
        Assert.Equal([old.Id], pruned.Select(s => s.Id));
        Assert.Null(await store.FindSessionAsync(old.Id));
        Assert.Equal(0, await store.Journal.LastEventIdAsync(old.Id));
        Assert.NotNull(await store.FindSessionAsync(spared.Id));
        Assert.NotNull(await store.FindSessionAsync(touched.Id));
        Assert.Empty(await retention.FindExpiredAsync(store, Time, [spared.Id]));
    }

    [StoreFact]
    public async Task Retention_ByCount_KeepsTheNewestPerOwner_AndNeverASessionAWriterHolds()
    {
        var store = await OpenAsync();
        var other = await OpenAsync();
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add((await CompletedSessionAsync(store, $"session {i}")).Id);
            Time.Advance(TimeSpan.FromMinutes(1));
        }

        var alices = await store.CreateSessionAsync(new NewSession(Workspace) { Owner = "alice" });
        await store.SetStatusAsync(alices.Id, SessionStatus.Completed);

        // The oldest is held by another process's writer (a turn starting on it): it is left.
        await using var running = await other.Leases.AcquireAsync(ids[0]);
        var retention = new SessionRetention(null, 2);

        var expired = await retention.FindExpiredAsync(store, Time);
        var pruned = await retention.PruneAsync(store, Time);

        Assert.Equal([ids[2], ids[1], ids[0]], expired.Select(s => s.Id));
        Assert.Equal([ids[2], ids[1]], pruned.Select(s => s.Id));
        Assert.Equal([alices.Id, ids[4], ids[3], ids[0]], (await store.ListSessionsAsync()).Select(s => s.Id));
    }

    private async Task<SessionInfo> CompletedSessionAsync(ISessionStore store, string prompt)
    {
        var session = await store.CreateSessionAsync(new NewSession(Workspace) { Prompt = prompt });
        await store.Conversation.AppendMessageAsync(session.Id, new ChatMessage(ChatRole.User, prompt));
        await store.Journal.AppendEventsAsync(session.Id, [("run.started", "{}")]);
        await store.Audit.RecordDecisionAsync(new AgentHost.Permissions.Gate.PermissionAuditEntry(session.Id, "c1", "shell", "allow", "rule", "config") { Subject = "ls" });
        await store.SetStatusAsync(session.Id, SessionStatus.Completed);
        return session;
    }
}
