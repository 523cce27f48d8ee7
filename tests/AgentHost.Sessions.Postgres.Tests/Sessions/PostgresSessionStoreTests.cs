using AgentHost.Hosting;
using AgentHost.Hosting.Security;
using AgentHost.Sessions;
using AgentHost.Sessions.Store;
using AgentHost.Sessions.Postgres;
using AgentHost.Tests.Sessions;
using AgentHost.Tests.Support;
using Microsoft.Extensions.AI;
using Npgsql;

namespace AgentHost.Sessions.Postgres.Tests;

/// <summary>What only the PostgreSQL store has to get right: parallel writers, its errors, its schema, its scrubbing on a server.</summary>
public sealed class PostgresSessionStoreTests : IAsyncLifetime
{
    private const string OpenAiKey = "sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z";
    private readonly List<SessionStore> _stores = [];
    private readonly TempDirectory _temp = new();
    private string _database = string.Empty;

    public async Task InitializeAsync()
    {
        if (PostgresServer.SkipReason is null)
        {
            _database = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync("store");
        }
    }

    public Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            store.Dispose();
        }

        _temp.Dispose();
        return Task.CompletedTask;
    }

    [PostgresFact]
    public async Task ParallelWritesOfOneSession_FromTwoStores_KeepDenseSequenceNumbers()
    {
        // Two writers of one process (the parallel tool calls of one turn) and an administrative one: the writes of one
        // session are serialised by its row lock, so every message gets the next number and none fails on the unique index.
        var first = await OpenAsync();
        var second = await OpenAsync();
        var session = await first.CreateSessionAsync(new NewSession(_temp.Path));

        await Task.WhenAll(Enumerable.Range(0, 40).Select(i =>
            (i % 2 == 0 ? first : second).Conversation.AppendMessageAsync(session.Id, new ChatMessage(ChatRole.User, $"message {i}")).AsTask()));
        var page = await first.Conversation.GetHistoryAsync(session.Id, HistoryKind.Messages, limit: 100);

        Assert.Equal(Enumerable.Range(1, 40).Select(i => (long)i), page.Messages.Select(m => m.Sequence));
        Assert.Equal(40, page.Messages.Select(m => m.Message.Text).Distinct().Count());
    }

    [PostgresFact]
    public async Task WritesOfAHundredSessionsAtOnce_AllComplete_WithDenseSequenceNumbers()
    {
        // A team server's load (issue #45): 100 sessions writing at the same moment, each from a thread-pool thread as
        // the server's runs do — far more writers than the pool has threads (two cores here). Each session write is one
        // batch; executed synchronously, Npgsql sends a batch's later commands from a thread-pool work item, so every
        // thread waited for a send no thread was free to make, and the writes failed with "Timeout during reading
        // attempt" after 30 s (the load benchmark's 500s).
        const int Sessions = 100;
        const int MessagesEach = 3;
        var store = await OpenAsync();
        var sessions = new List<SessionInfo>();
        for (var i = 0; i < Sessions; i++)
        {
            sessions.Add(await store.CreateSessionAsync(new NewSession(_temp.Path)));
        }

        await Task.WhenAll(sessions.Select(session => Task.Run(async () =>
        {
            for (var m = 0; m < MessagesEach; m++)
            {
                await store.Conversation.AppendMessageAsync(session.Id, new ChatMessage(ChatRole.User, $"message {m}"));
                await store.Journal.AppendEventsAsync(session.Id, [("message.delta", $"{{\"m\":{m}}}"), ("message.delta", "{}")]);
            }
        })));

        foreach (var session in sessions)
        {
            var page = await store.Conversation.GetHistoryAsync(session.Id, HistoryKind.Messages);
            Assert.Equal(Enumerable.Range(1, MessagesEach).Select(i => (long)i), page.Messages.Select(m => m.Sequence));
            Assert.Equal(Enumerable.Range(1, 2 * MessagesEach).Select(i => (long)i), (await store.Journal.ReadEventsAsync(session.Id)).Select(e => e.Id));
        }
    }

    [PostgresFact]
    public async Task TakeOver_WaitsForTheSessionsWriteInFlight_ThenHasTheNextEpoch()
    {
        // A write of the session in flight holds its row (as every session write does first); the take-over of the
        // expired lease must wait for it to commit, so no write of the old epoch can land after the new epoch exists.
        var time = new ManualTimeProvider(DateTimeOffset.UtcNow);
        var stale = await OpenAsync(time);
        var fresh = await OpenAsync(time);
        var (session, old) = await stale.CreateLeasedSessionAsync(new NewSession(_temp.Path));
        time.Advance(TimeSpan.FromHours(2));

        await using var inFlight = new NpgsqlConnection(PostgresConnectionString.Parse(_database).Builder.ConnectionString);
        await inFlight.OpenAsync();
        await using var write = await inFlight.BeginTransactionAsync();
        await using (var hold = new NpgsqlCommand("SELECT 1 FROM sessions WHERE id = @id FOR NO KEY UPDATE", inFlight, write))
        {
            hold.Parameters.AddWithValue("id", session.Id);
            await hold.ExecuteScalarAsync();
        }

        // On a worker: the take-over's statements run synchronously once its connection is open (docs/sessions.md).
        var takeOver = Task.Run(() => fresh.Leases.AcquireAsync(session.Id));
        var waited = await WaitsForALockAsync(takeOver);
        await write.CommitAsync();
        var lease = await takeOver;

        Assert.True(waited, "the take-over did not wait for the session's write in flight");
        Assert.Equal(2, lease.Epoch);
        await Assert.ThrowsAsync<SessionLeaseLostException>(() => stale.SetTitleAsync(session.Id, "stale"));
        await lease.DisposeAsync();
        await old.DisposeAsync();
    }

    [PostgresFact]
    public async Task TakeOver_IsAtOnce_WhenTheHoldersProcessIsGone_ButNotWhileItLives()
    {
        // The holder's lease has a minute to run. While its process lives (its holder lock is held) nobody takes it; once
        // its process is gone — here its connections end as they do when a process is killed — it is free at once.
        var holder = await OpenAsync();
        var other = await OpenAsync();
        var (session, lease) = await holder.CreateLeasedSessionAsync(new NewSession(_temp.Path));

        var inUse = await Assert.ThrowsAsync<AgentHostException>(() => other.Leases.AcquireAsync(session.Id));
        Assert.Equal(ErrorKind.InUse, inUse.Kind);
        Assert.True((await other.Leases.GetAsync(session.Id))!.IsLive);

        Assert.Equal(1, await TerminateHolderAsync(session.Id));
        Assert.False((await other.Leases.GetAsync(session.Id))!.IsLive);
        var taken = await other.Leases.AcquireAsync(session.Id);

        Assert.Equal(2, taken.Epoch);
        await Assert.ThrowsAsync<SessionLeaseLostException>(() => holder.SetTitleAsync(session.Id, "stale"));
        Assert.True((await other.Leases.GetAsync(session.Id))!.IsLive);
        await taken.DisposeAsync();
        await lease.DisposeAsync();
    }

    [PostgresFact]
    public async Task StoredTexts_AreScrubbedOfSecrets_InTheDatabaseItself()
    {
        var store = await OpenAsync();
        var session = await store.CreateSessionAsync(new NewSession(_temp.Path) { Prompt = "deploy with " + OpenAiKey });
        await store.Conversation.AppendMessageAsync(session.Id, new ChatMessage(ChatRole.User, "the key is " + OpenAiKey));
        await store.SetSettingAsync(session.Id, "note", OpenAiKey);

        await using var connection = new NpgsqlConnection(PostgresConnectionString.Parse(_database).Builder.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT string_agg(title || settings, '') FROM sessions UNION ALL SELECT string_agg(parts, '') FROM messages", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var raw = new List<string>();
        while (await reader.ReadAsync())
        {
            raw.Add(reader.GetString(0));
        }

        Assert.Equal(2, raw.Count);
        Assert.All(raw, text => Assert.DoesNotContain(OpenAiKey, text, StringComparison.Ordinal));
        Assert.Contains("the key is", raw[1], StringComparison.Ordinal);
    }

    [PostgresFact]
    public async Task StoresOpenedTogether_MigrateOnce_AndRecordTheSchemaVersion()
    {
        var opened = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => PostgresSessionStore.OpenAsync(PostgresConnectionString.Parse(_database), SecretScrubber.PatternsOnly)));
        _stores.AddRange(opened);

        await using var connection = new NpgsqlConnection(PostgresConnectionString.Parse(_database).Builder.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT version FROM agent_schema", connection);
        Assert.Equal(PostgresMigrations.CurrentVersion, await command.ExecuteScalarAsync());
    }

    [PostgresFact]
    public async Task ASchemaAtVersion6_IsMigratedToNamedSessions_KeepingItsSessionsUnnamed_AndTheIndexKeepsNamesUnique()
    {
        var builder = PostgresConnectionString.Parse(_database).Builder.ConnectionString;
        await using (var old = new NpgsqlConnection(builder))
        {
            await old.OpenAsync();
            var v6 = string.Join('\n', PostgresMigrations.Scripts.Take(6)) + """

                CREATE TABLE agent_schema (version integer NOT NULL);
                INSERT INTO agent_schema (version) VALUES (6);
                INSERT INTO sessions (id, title, workspace, status, created_at, updated_at)
                VALUES ('01JOLDSESSION0000000000000', 'Old session', '/work/old', 'completed', 1700000000000, 1700000001000);
                """;
            await using var create = new NpgsqlCommand(v6, old);
            await create.ExecuteNonQueryAsync();
        }

        var store = await PostgresSessionStore.OpenAsync(PostgresConnectionString.Parse(_database), SecretScrubber.PatternsOnly);
        _stores.Add(store);

        Assert.Null((await store.GetSessionAsync("01JOLDSESSION0000000000000")).Name);
        var named = await store.CreateSessionAsync(new NewSession(_temp.Path) { Name = "release" });
        Assert.Equal(named.Id, await store.ResolveIdAsync("release"));
        await using var connection = new NpgsqlConnection(builder);
        await connection.OpenAsync();
        await using var version = new NpgsqlCommand("SELECT version FROM agent_schema", connection);
        Assert.Equal(PostgresMigrations.CurrentVersion, await version.ExecuteScalarAsync());
        await using var duplicate = new NpgsqlCommand(
            "INSERT INTO sessions (id, title, workspace, status, created_at, updated_at, name) VALUES ('01JOTHERSESSION00000000000', '', '/w', 'completed', 1, 1, 'release')",
            connection);
        var refused = await Assert.ThrowsAsync<PostgresException>(() => duplicate.ExecuteNonQueryAsync());
        Assert.Equal(PostgresErrorCodes.UniqueViolation, refused.SqlState);
    }

    [Fact]
    public async Task UnreachableDatabase_IsAnErrorNamingHostPortAndSetting_WithoutThePassword()
    {
        var port = Ports.Free();
        var setting = PostgresConnectionString.Parse($"postgres://agent:s3cret-pass@127.0.0.1:{port}/sessions", "AGENT_SERVER__STORE");

        var error = await Assert.ThrowsAsync<AgentHostException>(() => PostgresSessionStore.OpenAsync(setting, SecretScrubber.PatternsOnly, settingName: "AGENT_SERVER__STORE"));

        Assert.Equal(ErrorKind.Storage, error.Kind);
        Assert.Contains($"cannot reach the PostgreSQL session store at 127.0.0.1:{port}", error.Message, StringComparison.Ordinal);
        Assert.Contains("AGENT_SERVER__STORE", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", error.Message, StringComparison.Ordinal);
        Assert.Equal($"postgres://agent@127.0.0.1:{port}/sessions", setting.Location);
    }

    [Theory]
    [InlineData("postgres://user:pw@/sessions", "not a well-formed URI")]
    [InlineData("Database=x", "names no host")]
    [InlineData("postgres://user:pw@db.example:5432/", "names no database")]
    [InlineData("Host=db;Database=x;Bogus Key=1", "Bogus Key")]
    public void MalformedSetting_IsAConfigurationErrorNamingTheSettingAndTheForm_WithoutTheValue(string value, string why)
    {
        var error = Assert.Throws<AgentHostException>(() => PostgresConnectionString.Parse(value, "server.store"));

        Assert.Equal(ErrorKind.Configuration, error.Kind);
        Assert.StartsWith("server.store is not a usable PostgreSQL connection setting", error.Message, StringComparison.Ordinal);
        Assert.Contains(why, error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("postgres://user:password@host:5432/database", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(":pw@", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Uri_IsParsedIntoHostPortDatabaseUserPasswordAndOptions()
    {
        var parsed = PostgresConnectionString.Parse("postgresql://team%40corp:p%3Ass@db.internal:6543/agent_sessions?sslmode=require");

        Assert.Equal(("db.internal", 6543, "agent_sessions", "team@corp", "p:ss"), (parsed.Host, parsed.Port, parsed.Builder.Database, parsed.Builder.Username, parsed.Builder.Password));
        Assert.Equal(SslMode.Require, parsed.Builder.SslMode);
        Assert.Equal("postgres://team%40corp@db.internal:6543/agent_sessions", parsed.Location);
        Assert.True(PostgresConnectionString.IsPostgresUri("postgres://x/y"));
        Assert.False(PostgresConnectionString.IsPostgresUri("/home/me/sessions.db"));
    }

    /// <summary>
    /// Ends the connection that holds the holder lock of <paramref name="sessionId"/>'s lease, as a killed process's ends, and
    /// waits (up to 10 s) until its backend has exited: pg_terminate_backend alone only signals it, and the lock goes
    /// with the process (CI once saw the lease still live right after). Returns how many ended.
    /// </summary>
    private async Task<long> TerminateHolderAsync(string sessionId)
    {
        await using var connection = new NpgsqlConnection(PostgresConnectionString.Parse(_database).Builder.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            SELECT COUNT(*) FILTER (WHERE pg_terminate_backend(k.pid, 10000)) FROM pg_locks k JOIN session_leases l ON k.objid = (l.file_lock)::oid
            WHERE l.session_id = @id AND k.locktype = 'advisory' AND k.granted AND k.objsubid = 2 AND k.classid = (@space)::oid
            """,
            connection);
        command.Parameters.AddWithValue("id", sessionId);
        command.Parameters.AddWithValue("space", (long)PostgresSessionDatabase.HolderLockSpace);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Whether <paramref name="task"/> is seen waiting for a row lock in PostgreSQL before it completes.</summary>
    private async Task<bool> WaitsForALockAsync(Task task)
    {
        await using var connection = new NpgsqlConnection(PostgresConnectionString.Parse(_database).Builder.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT COUNT(*) FROM pg_locks WHERE NOT granted", connection);
        while (!task.IsCompleted)
        {
            if ((long)(await command.ExecuteScalarAsync())! > 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A writer stopped inside a transaction cannot keep a session's row lock: PostgreSQL ends its connection.</summary>
    [PostgresFact]
    public async Task TheStoresConnections_EndATransactionLeftIdle_SoAStoppedWriterFreesTheSessionsLock()
    {
        using var database = new PostgresSessionDatabase(PostgresConnectionString.Parse(_database + "?options=-c%20statement_timeout%3D60000"), "server.store", SecretScrubber.PatternsOnly, TimeProvider.System, new SessionStoreOptions(), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);

        var settings = await database.ReadAsync(
            connection =>
            {
                using var command = connection.CreateCommand();
                command.CommandText = "SELECT current_setting('idle_in_transaction_session_timeout') || ' ' || current_setting('statement_timeout')";
                return (string)command.ExecuteScalar()!;
            },
            CancellationToken.None);

        // The limit, and what the setting already asked of the server kept.
        Assert.Equal("15s 1min", settings);
    }

    [PostgresFact]
    public async Task RunSlots_OfAHolderWhoseProcessEnded_AreReclaimedAtOnce_WithoutWaitingForTheirExpiry()
    {
        // A node killed with a run in flight: its connections end, so its holder lock is free (as after kill -9).
        var killed = await OpenAsync();
        var node = await OpenAsync();
        var request = new RunSlotRequest("alice", RunKind.Send) { MaxRuns = 1 };
        Assert.NotNull((await killed.RunSlots.TryTakeAsync(request)).Slot);
        Assert.Equal(RunLimit.Runs, (await node.RunSlots.TryTakeAsync(request)).Refused);

        killed.Dispose();
        var taken = await node.RunSlots.TryTakeAsync(request);

        Assert.NotNull(taken.Slot);
        Assert.Equal(0, taken.Counts.Runs);
    }

    private async Task<SessionStore> OpenAsync(TimeProvider? time = null)
    {
        var store = await PostgresSessionStore.OpenAsync(PostgresConnectionString.Parse(_database), SecretScrubber.PatternsOnly, time);
        _stores.Add(store);
        return store;
    }
}
