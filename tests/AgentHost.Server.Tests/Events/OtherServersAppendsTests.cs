using System.Text.Json;
using AgentHost.Sdk.Events;
using AgentHost.Server.Events;
using AgentHost.Sessions;
using AgentHost.Tests.Sessions;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentHost.Server.Tests;

/// <summary>
/// A session's stream on one server follows what another server appends to the shared store (a cluster's nodes): the
/// store tells the journal (<see cref="IJournalAppendListener"/>; PostgreSQL's LISTEN/NOTIFY in production, a real SQLite
/// store and a hand-driven notice here), and every live reader goes back to the store for those events, which this
/// server's in-memory tail does not have.
/// </summary>
public sealed class OtherServersAppendsTests
{
    [Fact]
    public async Task EveryLiveReader_GetsAnotherServersEvents_AfterItsNotice()
    {
        using var db = await SessionTestStore.OpenAsync();
        var id = (await db.CreateAsync()).Id;
        var shared = new NoticedJournal(db.Store.Journal);
        await using var journal = new SessionEventJournal(shared, NullLogger.Instance);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await journal.FollowOtherServersAsync(timeout.Token);
        using var log = new ServerEventLog(new ServerEventLogOptions()) { Appended = journal.Enqueue };
        await using var first = journal.ReadAsync(id, 0, timeout.Token).GetAsyncEnumerator(timeout.Token);
        await using var second = journal.ReadAsync(id, 0, timeout.Token).GetAsyncEnumerator(timeout.Token);

        // This server's own event: both readers catch up with the store and go on from the tail.
        log.Append(new MessageDeltaEvent(id, 1, "own"));
        Assert.Equal("own", await NextTextAsync(first));
        Assert.Equal("own", await NextTextAsync(second));

        // Another server appends to the same store and the store says so: both readers get it.
        await db.Store.Journal.AppendEventsAsync(id, [("message.delta", JsonSerializer.Serialize(new { type = "message.delta", sessionId = id, text = "elsewhere" }))], timeout.Token);
        shared.Notice(id);
        Assert.Equal("elsewhere", await NextTextAsync(first));
        Assert.Equal("elsewhere", await NextTextAsync(second));

        // And this server's next one follows on both, with the next id.
        log.Append(new MessageDeltaEvent(id, 1, "own again"));
        Assert.Equal(("own again", 3L), (await NextTextAsync(first), first.Current.Id));
        Assert.Equal(("own again", 3L), (await NextTextAsync(second), second.Current.Id));
    }

    private static async Task<string> NextTextAsync(IAsyncEnumerator<LoggedEvent> reader)
    {
        Assert.True(await reader.MoveNextAsync());
        return JsonDocument.Parse(reader.Current.Json).RootElement.GetProperty("text").GetString()!;
    }

    /// <summary>The real store's journal, with the notices of another server's appends given by the test.</summary>
    private sealed class NoticedJournal(ISessionJournal inner) : ISessionJournal, IJournalAppendListener
    {
        private Action<string?>? _appended;

        public void Notice(string sessionId) => _appended?.Invoke(sessionId);

        public Task<IAsyncDisposable?> ListenAsync(Action<string?> appended, CancellationToken cancellationToken = default)
        {
            _appended = appended;
            return Task.FromResult<IAsyncDisposable?>(null);
        }

        public Task<long> AppendEventsAsync(string sessionId, IReadOnlyList<(string Type, string Json)> events, CancellationToken cancellationToken = default) =>
            inner.AppendEventsAsync(sessionId, events, cancellationToken);

        public Task<IReadOnlyList<JournalEvent>> WriteEventsAsync(string sessionId, IReadOnlyList<(string Type, string Json)> events, CancellationToken cancellationToken = default) =>
            inner.WriteEventsAsync(sessionId, events, cancellationToken);

        public Task<IReadOnlyList<JournalEvent>> ReadEventsAsync(string sessionId, long afterId = 0, int limit = 1000, CancellationToken cancellationToken = default) =>
            inner.ReadEventsAsync(sessionId, afterId, limit, cancellationToken);

        public Task<long> LastEventIdAsync(string sessionId, CancellationToken cancellationToken = default) => inner.LastEventIdAsync(sessionId, cancellationToken);

        public Task SaveRunAsync(StoredRun run, CancellationToken cancellationToken = default) => inner.SaveRunAsync(run, cancellationToken);

        public Task<StoredRun?> FindRunAsync(string runId, CancellationToken cancellationToken = default) => inner.FindRunAsync(runId, cancellationToken);

        public Task<IReadOnlyList<StoredRun>> FindRunningRunsAsync(string sessionId, CancellationToken cancellationToken = default) =>
            inner.FindRunningRunsAsync(sessionId, cancellationToken);
    }
}
