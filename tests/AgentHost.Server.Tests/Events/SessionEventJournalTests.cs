using System.Text.Json;
using AgentHost.Sdk.Events;
using AgentHost.Server;
using AgentHost.Server.Events;
using AgentHost.Sessions;
using AgentHost.Sessions.Store;
using AgentHost.Tests.Sessions;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentHost.Server.Tests;

/// <summary>
/// The server's session event journal over a real SQLite store: what the log records goes to each session's journal
/// (ids per session, in log order, secrets scrubbed), live readers wake on writes, and a new journal over the reopened
/// store (a restarted server) reads it all back.
/// </summary>
public sealed class SessionEventJournalTests
{
    private const string GitHubToken = "ghp_1234567890abcdefghijklmnopqrstuvwxyzAB";

    [Fact]
    public async Task LoggedEvents_GoToTheirSessionsJournal_WithIdsPerSession_ScrubbedOfSecrets_AndALiveReaderGetsThem()
    {
        using var db = await SessionTestStore.OpenAsync();
        var one = (await db.CreateAsync()).Id;
        var two = (await db.CreateAsync()).Id;
        await using var journal = new SessionEventJournal(db.Store.Journal, NullLogger.Instance);
        using var log = new ServerEventLog(new ServerEventLogOptions { FirstId = 100 }) { Appended = journal.Enqueue };
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var reader = journal.ReadAsync(one, 0, timeout.Token).GetAsyncEnumerator(timeout.Token);
        var first = reader.MoveNextAsync();

        log.Append(new MessageDeltaEvent(one, 1, "a"));
        log.Append(new WarningEvent("agent", "of no session"));
        log.Append(new MessageDeltaEvent(two, 1, "b"));
        log.Append(new MessageDeltaEvent(one, 1, $"token {GitHubToken}"));
        log.Append(new MessageDeltaEvent(one, 1, "c"));
        var read = new List<LoggedEvent>();
        Assert.True(await first);
        read.Add(reader.Current);
        while (read.Count < 3 && await reader.MoveNextAsync())
        {
            read.Add(reader.Current);
        }

        Assert.Equal([1L, 2L, 3L], read.Select(e => e.Id));
        Assert.All(read, e => Assert.Equal(("message.delta", one), (e.Type, e.SessionId)));
        var texts = read.Select(e => JsonDocument.Parse(e.Json).RootElement.GetProperty("text").GetString()!).ToList();
        Assert.Equal(("a", "c"), (texts[0], texts[2]));
        Assert.StartsWith("token ", texts[1], StringComparison.Ordinal);
        Assert.DoesNotContain(GitHubToken, string.Concat(read.Select(e => e.Json)), StringComparison.Ordinal);
        Assert.Equal((3L, 1L), (await journal.LastIdAsync(one), await journal.LastIdAsync(two)));
        Assert.Equal(104, log.LastId);
    }

    [Fact]
    public async Task ARestartedServersJournal_ReadsBackWhatTheStoppedOneWrote_AfterAnId_ThenNewEventsFollowOn()
    {
        using var db = await SessionTestStore.OpenAsync();
        var id = (await db.CreateAsync()).Id;
        await using (var stopped = new SessionEventJournal(db.Store.Journal, NullLogger.Instance))
        {
            using var log = new ServerEventLog(new ServerEventLogOptions()) { Appended = stopped.Enqueue };
            for (var i = 1; i <= 5; i++)
            {
                log.Append(new MessageDeltaEvent(id, 1, $"t{i}"));
            }

            // Disposing writes what is still queued (the server's shutdown).
        }

        using var reopened = await SessionStore.OpenAsync(db.DatabasePath, Hosting.Security.SecretScrubber.PatternsOnly);
        await using var journal = new SessionEventJournal(reopened.Journal, NullLogger.Instance);
        using var again = new ServerEventLog(new ServerEventLogOptions()) { Appended = journal.Enqueue };
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var reader = journal.ReadAsync(id, 2, timeout.Token).GetAsyncEnumerator(timeout.Token);
        var read = new List<LoggedEvent>();
        while (read.Count < 3 && await reader.MoveNextAsync())
        {
            read.Add(reader.Current);
        }

        var live = reader.MoveNextAsync();
        again.Append(new MessageDeltaEvent(id, 2, "after the restart"));
        Assert.True(await live);

        Assert.Equal([3L, 4L, 5L], read.Select(e => e.Id));
        Assert.Equal(["t3", "t4", "t5"], read.Select(e => JsonDocument.Parse(e.Json).RootElement.GetProperty("text").GetString()));
        Assert.Equal((6L, "after the restart"), (reader.Current.Id, JsonDocument.Parse(reader.Current.Json).RootElement.GetProperty("text").GetString()));
    }

    [Fact]
    public async Task AReaderResumingFromAnIdTheSessionNeverReached_GetsAGap_ThenTheEventsAfterTheSessionsNewest()
    {
        using var db = await SessionTestStore.OpenAsync();
        var id = (await db.CreateAsync()).Id;
        await using var journal = new SessionEventJournal(db.Store.Journal, NullLogger.Instance);
        using var log = new ServerEventLog(new ServerEventLogOptions()) { Appended = journal.Enqueue };
        log.Append(new MessageDeltaEvent(id, 1, "one"));
        log.Append(new MessageDeltaEvent(id, 1, "two"));
        await journal.FlushAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));

        // An id of the all-sessions stream (server-wide, far larger) given to a session's stream.
        await using var reader = journal.ReadAsync(id, log.LastId, timeout.Token).GetAsyncEnumerator(timeout.Token);
        Assert.True(await reader.MoveNextAsync());
        var gap = reader.Current;
        var next = reader.MoveNextAsync();
        log.Append(new MessageDeltaEvent(id, 1, "three"));
        Assert.True(await next);

        Assert.Equal((EventsGapEvent.TypeName, 2L), (gap.Type, gap.Id));
        Assert.Contains($"event {log.LastId - 1} was never sent on this session's stream (its newest is 2", JsonDocument.Parse(gap.Json).RootElement.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(3L, reader.Current.Id);
    }

    [Fact]
    public async Task LiveReadersOfOneSession_TakeLaterBatchesFromMemory_WithoutReadingTheStoreAgain()
    {
        using var db = await SessionTestStore.OpenAsync();
        var id = (await db.CreateAsync()).Id;
        await using var journal = new SessionEventJournal(db.Store.Journal, NullLogger.Instance);
        using var log = new ServerEventLog(new ServerEventLogOptions()) { Appended = journal.Enqueue };
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var readers = Enumerable.Range(0, 3).Select(_ => journal.ReadAsync(id, 0, timeout.Token).GetAsyncEnumerator(timeout.Token)).ToList();
        var firsts = readers.Select(r => r.MoveNextAsync().AsTask()).ToList();
        log.Append(new MessageDeltaEvent(id, 1, "0"));
        Assert.All(await Task.WhenAll(firsts), moved => Assert.True(moved));
        var storeReads = journal.StorePages;

        // Five more batches (each flushed before the next), read by all three.
        var texts = readers.Select(_ => new List<string>()).ToList();
        for (var batch = 1; batch <= 5; batch++)
        {
            log.Append(new MessageDeltaEvent(id, 1, batch.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            await journal.FlushAsync(timeout.Token);
            for (var r = 0; r < readers.Count; r++)
            {
                Assert.True(await readers[r].MoveNextAsync());
                Assert.Equal(batch + 1L, readers[r].Current.Id);
                texts[r].Add(JsonDocument.Parse(readers[r].Current.Json).RootElement.GetProperty("text").GetString()!);
            }
        }

        Assert.All(texts, t => Assert.Equal(["1", "2", "3", "4", "5"], t));
        Assert.Equal(storeReads, journal.StorePages);
        foreach (var reader in readers)
        {
            await reader.DisposeAsync();
        }
    }

    [Fact]
    public async Task Dispose_EndsReadersThatHaveReadEverything()
    {
        using var db = await SessionTestStore.OpenAsync();
        var id = (await db.CreateAsync()).Id;
        var journal = new SessionEventJournal(db.Store.Journal, NullLogger.Instance);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var reader = journal.ReadAsync(id, 0, timeout.Token).GetAsyncEnumerator(timeout.Token);
        var next = reader.MoveNextAsync();

        await journal.DisposeAsync();

        Assert.False(await next);
    }

    [Fact]
    public async Task WhenRunEndWritten_CompletesOnceThatRunsEndIsInTheStore_NotForAnotherRuns_AndWhenTheJournalStops()
    {
        using var db = await SessionTestStore.OpenAsync();
        var id = (await db.CreateAsync()).Id;
        var journal = new SessionEventJournal(db.Store.Journal, NullLogger.Instance);
        using var log = new ServerEventLog(new ServerEventLogOptions()) { Appended = journal.Enqueue };
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var first = journal.WhenRunEndWrittenAsync(id, "run-1", timeout.Token);
        var never = journal.WhenRunEndWrittenAsync(id, "run-3", timeout.Token);

        log.Append(new RunEndedEvent(id, "run-2", "completed", null));
        await journal.FlushAsync(timeout.Token);
        var afterAnother = first.IsCompleted;
        log.Append(new MessageDeltaEvent(id, 1, "run-1"));
        log.Append(new RunEndedEvent(id, "run-1", "completed", null));
        await first;
        var stored = await db.Store.Journal.ReadEventsAsync(id, 0, 10, timeout.Token);
        var neverBeforeStop = never.IsCompleted;
        await journal.DisposeAsync();
        await never;

        Assert.False(afterAnother);
        Assert.Equal(["run.ended", "message.delta", "run.ended"], stored.Select(e => e.Type));
        Assert.Contains("\"runId\":\"run-1\"", stored[^1].Json, StringComparison.Ordinal);
        Assert.False(neverBeforeStop);
    }
}
