using AgentHost.Hosting;
using AgentHost.Sessions;

namespace AgentHost.Tests.Sessions;

/// <content>The durable event journal (ids per session) and stored runs: what a restarted server reads back.</content>
public abstract partial class SessionStoreContract
{
    private const string GitHubToken = "ghp_1234567890abcdefghijklmnopqrstuvwxyzAB";

    [StoreFact]
    public async Task Journal_IdsArePerSessionAndDense_AndAReopenedStoreResumesAfterAnId()
    {
        var store = await OpenAsync();
        var one = await store.CreateSessionAsync(new NewSession(Workspace));
        var two = await store.CreateSessionAsync(new NewSession(Workspace));

        var first = await store.Journal.AppendEventsAsync(one.Id, [("run.started", "{\"n\":1}"), ("message.completed", "{\"n\":2}")]);
        var other = await store.Journal.AppendEventsAsync(two.Id, [("run.started", "{\"n\":1}")]);
        var third = await store.Journal.AppendEventsAsync(one.Id, [("run.ended", "{\"n\":3}")]);
        var empty = await store.Journal.AppendEventsAsync(one.Id, []);
        var reopened = await OpenAsync();
        var resumed = await reopened.Journal.ReadEventsAsync(one.Id, afterId: 1);

        Assert.Equal((1L, 1L, 3L, 0L), (first, other, third, empty));
        Assert.Equal([2L, 3L], resumed.Select(e => e.Id));
        Assert.Equal(["message.completed", "run.ended"], resumed.Select(e => e.Type));
        Assert.Equal("{\"n\":3}", resumed[1].Json);
        Assert.Equal(Time.GetUtcNow().ToUnixTimeMilliseconds(), resumed[0].At.ToUnixTimeMilliseconds());
        Assert.Empty(await reopened.Journal.ReadEventsAsync(one.Id, afterId: 3));
        Assert.Single(await reopened.Journal.ReadEventsAsync(one.Id, limit: 1));
        Assert.Equal((3L, 1L, 0L), (await reopened.Journal.LastEventIdAsync(one.Id), await reopened.Journal.LastEventIdAsync(two.Id), await reopened.Journal.LastEventIdAsync("01JNOSUCHSESSION0000000000")));
        Assert.Equal(ErrorKind.NotFound, (await Assert.ThrowsAsync<AgentHostException>(() => store.Journal.AppendEventsAsync("01JNOSUCHSESSION0000000000", [("x", "{}")]))).Kind);
    }

    [StoreFact]
    public async Task Runs_AreStoredReplacedAndReadBackByAReopenedStore_ScrubbedOfSecrets()
    {
        var store = await OpenAsync();
        var session = await store.CreateSessionAsync(new NewSession(Workspace));

        await store.Journal.SaveRunAsync(new StoredRun("run_1", session.Id, "running", "{\"status\":\"running\"}"));
        Time.Advance(TimeSpan.FromSeconds(5));
        await store.Journal.SaveRunAsync(new StoredRun("run_1", session.Id, "completed", "{\"status\":\"completed\",\"finalText\":\"token " + GitHubToken + "\"}"));
        await store.Journal.AppendEventsAsync(session.Id, [("message.completed", "{\"text\":\"" + GitHubToken + "\"}")]);
        var reopened = await OpenAsync();
        var run = await reopened.Journal.FindRunAsync("run_1");
        var events = await reopened.Journal.ReadEventsAsync(session.Id);

        Assert.NotNull(run);
        Assert.Equal(("run_1", session.Id, "completed"), (run.Id, run.SessionId, run.Status));
        Assert.Equal(TimeSpan.FromSeconds(5), run.UpdatedAt - run.CreatedAt);
        Assert.Contains("\"finalText\":\"token ", run.Json, StringComparison.Ordinal);
        Assert.DoesNotContain(GitHubToken, run.Json, StringComparison.Ordinal);
        Assert.DoesNotContain(GitHubToken, Assert.Single(events).Json, StringComparison.Ordinal);
        Assert.Null(await reopened.Journal.FindRunAsync("run_none"));
        Assert.True(await reopened.DeleteSessionAsync(session.Id));
        Assert.Null(await reopened.Journal.FindRunAsync("run_1"));
        Assert.Empty(await reopened.Journal.ReadEventsAsync(session.Id));
    }

    [StoreFact]
    public async Task Journal_WritesOfAStaleWriter_AreRefused_StoringNothing()
    {
        var stale = await OpenAsync();
        var fresh = await OpenAsync();
        var (session, old) = await stale.CreateLeasedSessionAsync(new NewSession(Workspace));
        await stale.Journal.AppendEventsAsync(session.Id, [("run.started", "{}")]);
        Time.Advance(LongLease + TimeSpan.FromSeconds(1));
        var taken = await fresh.Leases.AcquireAsync(session.Id);

        await Assert.ThrowsAsync<SessionLeaseLostException>(() => stale.Journal.AppendEventsAsync(session.Id, [("message.delta", "{}")]));
        await Assert.ThrowsAsync<SessionLeaseLostException>(() => stale.Journal.SaveRunAsync(new StoredRun("run_s", session.Id, "completed", "{}")));
        var next = await fresh.Journal.AppendEventsAsync(session.Id, [("run.ended", "{\"status\":\"interrupted\"}")]);

        Assert.Equal(2, next);
        Assert.Equal(["run.started", "run.ended"], (await fresh.Journal.ReadEventsAsync(session.Id)).Select(e => e.Type));
        Assert.Null(await fresh.Journal.FindRunAsync("run_s"));
        await old.DisposeAsync();
        await taken.DisposeAsync();
    }
}
