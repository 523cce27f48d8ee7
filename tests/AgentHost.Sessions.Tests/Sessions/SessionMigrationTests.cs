using AgentHost.Hosting;
using AgentHost.Hosting.Security;
using AgentHost.Sdk.Events;
using AgentHost.Sessions;
using AgentHost.Sessions.Sqlite;
using AgentHost.Sessions.Store;
using AgentHost.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.AI;

namespace AgentHost.Sessions.Tests;

public sealed class SessionMigrationTests
{
    [Fact]
    public async Task Open_CreatesTheLatestSchema_FromAnEmptyFolder_InWalModeWithForeignKeys()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("nested", "data", "sessions.db");

        using (var store = await SessionStore.OpenAsync(path, SecretScrubber.PatternsOnly))
        {
            var session = await store.CreateSessionAsync(new NewSession(temp.Path));
            await store.Conversation.AppendMessageAsync(session.Id, new ChatMessage(ChatRole.User, "hello"));
            await store.Conversation.RecordToolEventAsync(new ToolEventRecord(session.Id, "c1", "read", null, "{}", ToolCallStatus.Succeeded, 1));
        }

        using var connection = Open(path);
        Assert.Equal(SessionStore.SchemaVersion, Scalar<long>(connection, "PRAGMA user_version"));
        Assert.Equal(17, SessionStore.SchemaVersion);
        Assert.Equal("wal", Scalar<string>(connection, "PRAGMA journal_mode"));
        var tables = Strings(connection, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
        Assert.Equal(["file_checkpoints", "messages", "permission_audit", "permission_grants", "request_windows", "run_slots", "runs", "session_events", "session_leases", "sessions", "token_revocations", "tool_events", "user_usage", "users", "workflow_nodes", "workflow_runs"], tables);
        var indexes = Strings(connection, "SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'ix_%'");
        Assert.Contains("ix_messages_session_seq", indexes);
        Assert.Contains("ix_tool_events_session_seq", indexes);
        Assert.Contains("ix_permission_audit_session", indexes);
        Assert.Contains("ix_file_checkpoints_turn_path", indexes);
        Assert.Equal(1, Scalar<long>(connection, "SELECT COUNT(*) FROM tool_events"));
    }

    [Fact]
    public async Task Open_MigratesAVersion1Database_KeepingItsData_AndTheNewTablesWork()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("sessions.db");
        using (var v1 = Open(path))
        {
            SessionMigrations.Apply(v1, path, targetVersion: 1);
            Execute(v1, """
                INSERT INTO sessions (id, title, workspace, provider, model, status, created_at, updated_at)
                VALUES ('01JOLDSESSION0000000000000', 'Old session', '/work/old', 'openai', 'gpt-4o', 'completed', 1700000000000, 1700000001000);
                INSERT INTO messages (id, session_id, seq, role, parts, properties, created_at) VALUES
                    ('01JOLDMESSAGE0000000000001', '01JOLDSESSION0000000000000', 1, 'user', '[{"$type":"text","text":"first question"}]', NULL, 1700000000000),
                    ('01JOLDMESSAGE0000000000002', '01JOLDSESSION0000000000000', 2, 'assistant', '[{"$type":"text","text":"first answer"}]', NULL, 1700000000500),
                    ('01JOLDMESSAGE0000000000003', '01JOLDSESSION0000000000000', 3, 'user', '[{"$type":"text","text":"Summary: we talked"}]', '{"agenthost.summary":true}', 1700000000600),
                    ('01JOLDMESSAGE0000000000004', '01JOLDSESSION0000000000000', 4, 'assistant', '[{"$type":"text","text":"after the summary"}]', NULL, 1700000000700);
                """);
            Assert.Equal(1, Scalar<long>(v1, "PRAGMA user_version"));
        }

        SqliteConnection.ClearAllPools();
        using var store = await SessionStore.OpenAsync(path, SecretScrubber.PatternsOnly);

        var old = await store.GetSessionAsync("01JOLDSESSION0000000000000");
        Assert.Equal("Old session", old.Title);
        Assert.Equal(SessionStatus.Completed, old.Status);
        Assert.Equal(4, old.MessageCount);
        Assert.Equal(0, old.InputTokens);
        Assert.Empty(old.Settings);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1700000001000), old.UpdatedAt);

        // v2's backfill marks the old summary, so resume starts there.
        var resumed = await store.Conversation.LoadConversationAsync(old.Id);
        Assert.Equal(["Summary: we talked", "after the summary"], resumed.Select(m => m.Text));
        Assert.Equal(true, resumed[0].AdditionalProperties![IConversationRecorder.SummaryMarker]);

        // The v2 tables and columns work on the migrated session.
        await store.Conversation.AppendMessageAsync(old.Id, new ChatMessage(ChatRole.User, "a new question"));
        await store.Conversation.RecordToolEventAsync(new ToolEventRecord(old.Id, "c1", "grep", "core", "{\"pattern\":\"x\"}", ToolCallStatus.Succeeded, 12));
        await store.RecordUsageAsync(old.Id, new UsageDetails { InputTokenCount = 100, OutputTokenCount = 20, CachedInputTokenCount = 50 }, 0.0125m);
        await store.SetSettingAsync(old.Id, "max_steps", "7");
        var migrated = await store.GetSessionAsync(old.Id);
        Assert.Equal(5, migrated.MessageCount);
        Assert.Equal(1, migrated.ToolEventCount);
        Assert.Equal((100, 20, 50), (migrated.InputTokens, migrated.OutputTokens, migrated.CachedTokens));
        Assert.Equal(0.0125m, migrated.Cost);
        Assert.Equal("7", migrated.Settings["max_steps"]);
        var page = await store.Conversation.GetHistoryAsync(old.Id, HistoryKind.Messages, limit: 10);
        Assert.Equal(["first question", "first answer", "Summary: we talked", "after the summary", "a new question"], page.Messages.Select(m => m.Message.Text));

        // The v3 permission tables work on the migrated session, and go with it when it is deleted.
        await store.Audit.AddGrantsAsync(old.Id, ["shell(make test)"], "cli");
        await store.Audit.RecordDecisionAsync(new AgentHost.Permissions.Gate.PermissionAuditEntry(old.Id, "c2", "shell", "allow", "session", "cli") { Subject = "make test" });
        Assert.Equal(["shell(make test)"], await store.Audit.GetGrantsAsync(old.Id));
        Assert.Equal("make test", Assert.Single(await store.Audit.GetAuditAsync(old.Id)).Subject);
        await store.DeleteSessionAsync(old.Id);
        using var check = Open(path);
        Assert.Equal(0L, Scalar<long>(check, "SELECT COUNT(*) FROM permission_grants") + Scalar<long>(check, "SELECT COUNT(*) FROM permission_audit"));
    }

    [Fact]
    public async Task Open_MigratesAVersion12Database_ItsSessionsUnnamed_AndNamesAreUniqueAfterwards()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("sessions.db");
        using (var v12 = Open(path))
        {
            SessionMigrations.Apply(v12, path, targetVersion: 12);
            Execute(v12, """
                INSERT INTO sessions (id, title, workspace, status, created_at, updated_at)
                VALUES ('01JOLDSESSION0000000000000', 'Old session', '/work/old', 'completed', 1700000000000, 1700000001000);
                """);
        }

        SqliteConnection.ClearAllPools();
        using (var store = await SessionStore.OpenAsync(path, SecretScrubber.PatternsOnly))
        {
            Assert.Null((await store.GetSessionAsync("01JOLDSESSION0000000000000")).Name);
            var named = await store.CreateSessionAsync(new NewSession(temp.Path) { Name = "release" });
            Assert.Equal(named.Id, await store.ResolveIdAsync("release"));
        }

        using var check = Open(path);
        Assert.Equal((long)SessionStore.SchemaVersion, Scalar<long>(check, "PRAGMA user_version"));
        // The index, not only the store's check, keeps a name unique per owner.
        var duplicate = Assert.Throws<SqliteException>(() => Execute(check, """
            INSERT INTO sessions (id, title, workspace, status, created_at, updated_at, name)
            VALUES ('01JOTHERSESSION00000000000', '', '/work/old', 'completed', 1, 1, 'release');
            """));
        Assert.Contains("UNIQUE", duplicate.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_RefusesADatabaseFromANewerAgent_WithoutTouchingIt()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("sessions.db");
        using (var future = Open(path))
        {
            Execute(future, "CREATE TABLE future (x); PRAGMA user_version = 99;");
        }

        SqliteConnection.ClearAllPools();

        var error = await Assert.ThrowsAsync<AgentHostException>(() => SessionStore.OpenAsync(path, SecretScrubber.PatternsOnly));

        Assert.Equal(ErrorKind.Configuration, error.Kind);
        Assert.Contains("schema version 99", error.Message, StringComparison.Ordinal);
        Assert.Contains("newer agent", error.Message, StringComparison.Ordinal);
        using var check = Open(path);
        Assert.Equal(99, Scalar<long>(check, "PRAGMA user_version"));
    }

    [Fact]
    public async Task Open_ReportsAFileThatIsNotADatabase_WithTheFixInTheMessage()
    {
        using var temp = new TempDirectory();
        var path = temp.WriteFile("sessions.db", new string('x', 4096));

        var error = await Assert.ThrowsAsync<AgentHostException>(() => SessionStore.OpenAsync(path, SecretScrubber.PatternsOnly));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("not a readable session database", error.Message, StringComparison.Ordinal);
        Assert.Contains("Move the file away", error.Message, StringComparison.Ordinal);
    }

    internal static SqliteConnection Open(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    internal static T Scalar<T>(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (T)Convert.ChangeType(command.ExecuteScalar()!, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    internal static List<string> Strings(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var values = new List<string>();
        while (reader.Read())
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
