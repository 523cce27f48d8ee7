using System.Diagnostics.Metrics;
using AgentHost.Hosting.Security;
using AgentHost.Sdk.Events;
using AgentHost.Sessions;
using AgentHost.Sessions.Store;
using AgentHost.Sessions.Postgres;
using AgentHost.Tests.Support;
using Microsoft.Extensions.AI;

namespace AgentHost.Sessions.Postgres.Tests;

/// <summary>
/// How many round trips the PostgreSQL store's writes of a run take (issue #45: each one is a wait for the database
/// process, and they were most of a run's time under load). Counted with Npgsql's own metric of executed commands
/// (<c>db.client.operation.duration</c>: one measurement per command or batch sent), for this class's database only.
/// Counts, not times.
/// </summary>
public sealed class PostgresRoundTripTests : IAsyncLifetime
{
    private readonly TempDirectory _temp = new();
    private SessionStore? _store;
    private string _database = string.Empty;

    public async Task InitializeAsync()
    {
        if (PostgresServer.SkipReason is null)
        {
            _database = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync("roundtrips");
            _store = await PostgresSessionStore.OpenAsync(PostgresConnectionString.Parse(_database), SecretScrubber.PatternsOnly);
        }
    }

    public Task DisposeAsync()
    {
        _store?.Dispose();
        _temp.Dispose();
        return Task.CompletedTask;
    }

    [PostgresFact]
    public async Task EachWriteOfARecordedStep_IsOneCommandToTheServer_WithTheLeaseChecked()
    {
        // The writes a scripted run makes, on a session whose lease this store holds (so every write checks its epoch):
        // the step's message with its usage, a tool call's result and event, the journal's events, the status.
        var store = _store!;
        var (session, lease) = await store.CreateLeasedSessionAsync(new NewSession(_temp.Path));
        await store.Conversation.AppendMessageAsync(session.Id, new ChatMessage(ChatRole.User, "warm up"));
        var answer = new ChatMessage(ChatRole.Assistant, "done");
        var usage = new UsageDetails { InputTokenCount = 10, OutputTokenCount = 5 };
        var tool = new ToolEventRecord(session.Id, "call-1", "view", null, "{}", ToolCallStatus.Succeeded, 1.5);
        const int Writes = 5;

        using var commands = new CommandCount(_database[(_database.LastIndexOf('/') + 1)..]);
        await store.Conversation.AppendMessageAsync(session.Id, answer, usage, 0.01m);
        await store.Conversation.AppendToolResultAsync(session.Id, new ChatMessage(ChatRole.Tool, "file contents"), tool);
        await store.Conversation.RecordToolEventAsync(tool);
        await store.Journal.AppendEventsAsync(session.Id, [.. Enumerable.Range(0, 8).Select(i => ("message.delta", $"{{\"i\":{i}}}"))]);
        await store.SetStatusAsync(session.Id, SessionStatus.Completed);
        var counted = commands.Count;

        // Each write: one batch (the session's lock, the lease's epoch and the write's statements), then its commit,
        // which Npgsql sends outside the metric. Before #45's change the first write alone took seven commands.
        Assert.True(
            counted == Writes,
            $"{Writes} session writes sent {counted} commands to PostgreSQL; each session write should be one batch (its lock, lease check and statements in one round trip), so the round trips per run have grown back.");
        var history = await store.Conversation.GetHistoryAsync(session.Id, HistoryKind.Messages);
        Assert.Equal([1L, 2L, 3L], history.Messages.Select(m => m.Sequence));
        Assert.Equal(8, (await store.Journal.ReadEventsAsync(session.Id)).Count);
        await lease.DisposeAsync();
    }

    /// <summary>Counts Npgsql's executed commands (a batch is one) on one database while it lives.</summary>
    private sealed class CommandCount : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly string _database;
        private int _count;

        public CommandCount(string database)
        {
            _database = database;
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "Npgsql" && instrument.Name == "db.client.operation.duration")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<double>(OnMeasurement);
            _listener.Start();
        }

        public int Count => Volatile.Read(ref _count);

        public void Dispose() => _listener.Dispose();

        private void OnMeasurement(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
        {
            foreach (var tag in tags)
            {
                if (tag.Value is string text && text.Contains(_database, StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref _count);
                    return;
                }
            }
        }
    }
}
