using AgentHost.Hosting.Security;
using AgentHost.Sessions;
using AgentHost.Sessions.Sqlite;
using AgentHost.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentHost.Sessions.Tests;

/// <summary>
/// Disposing the database while a write is in flight (issue #44, class 6): the dispose waits for the write gate, so the
/// write commits on its connection instead of losing it halfway; later writes see the database disposed.
/// </summary>
public sealed class SessionDatabaseDisposeTests
{
    [Fact]
    public async Task Dispose_DuringAWrite_WaitsForItToCommit_ThenRefusesTheNextWrite()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("sessions.db");
        var database = SqliteSessionDatabase.Open(path, SecretScrubber.PatternsOnly, TimeProvider.System, new SessionStoreOptions(), NullLogger.Instance, (_, _) => { });
        using var entered = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var write = Task.Run(() => database.WriteAsync(
            (connection, transaction) =>
            {
                database.Execute(connection, transaction, "CREATE TABLE IF NOT EXISTS dispose_probe (x TEXT)");
                entered.Set();
                release.Wait();
                return database.Execute(connection, transaction, "INSERT INTO dispose_probe (x) VALUES ($x)", ("$x", "written"));
            },
            CancellationToken.None));
        entered.Wait();

        // Dispose on a thread of its own; go on once it has finished or is blocked (waiting for the write gate).
        var disposer = new Thread(database.Dispose);
        disposer.Start();
        SpinWait.SpinUntil(() => !disposer.IsAlive || (disposer.ThreadState & ThreadState.WaitSleepJoin) != 0);
        release.Set();

        Assert.Equal(1, await write);
        disposer.Join();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => database.WriteAsync((_, _) => 0, CancellationToken.None));
        using var reader = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        reader.Open();
        using var count = reader.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM dispose_probe";
        Assert.Equal(1L, count.ExecuteScalar());
    }
}
