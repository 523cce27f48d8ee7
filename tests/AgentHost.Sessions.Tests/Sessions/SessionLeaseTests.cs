using AgentHost.Hosting;
using AgentHost.Hosting.Security;
using AgentHost.Sessions;
using AgentHost.Sessions.Sqlite;
using AgentHost.Sessions.Store;
using AgentHost.Tests.Sessions;
using AgentHost.Tests.Support;
namespace AgentHost.Sessions.Tests;

/// <summary>
/// What the SQLite store adds to the lease contract (<see cref="SqliteSessionStoreContractTests"/>): the lock file, its
/// one-machine fast path (a holder whose process is gone frees its session at once), the recovery when the store opens,
/// and the lock files' clean-up on delete and prune.
/// </summary>
public sealed class SessionLeaseTests
{
    [Fact]
    public async Task Acquire_IsExclusive_NamesThisProcess_AndIsFreeAfterDispose()
    {
        using var test = await SessionTestStore.OpenAsync();
        var session = await test.Store.CreateSessionAsync(new NewSession(test.Workspace));

        var lease = await test.Store.Leases.AcquireAsync(session.Id);
        var busy = await Assert.ThrowsAsync<AgentHostException>(() => test.Store.Leases.AcquireAsync(session.Id));
        var deleteBusy = await Assert.ThrowsAsync<AgentHostException>(() => test.Store.DeleteSessionAsync(session.Id));
        await lease.DisposeAsync();
        await using var again = await test.Store.Leases.AcquireAsync(session.Id);

        Assert.Equal(ErrorKind.InUse, busy.Kind);
        Assert.StartsWith($"session {session.Id} is in use by process {Environment.ProcessId} (started ", busy.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorKind.InUse, deleteBusy.Kind);
        Assert.NotNull(await test.Store.FindSessionAsync(session.Id));
        Assert.Equal(2, again.Epoch);
    }

    [Fact]
    public async Task HolderWhoseLockFileIsFree_IsGone_SoItsSessionIsTakenAtOnce_BeforeItsLeaseExpires()
    {
        using var test = await SessionTestStore.OpenAsync();
        var (session, lease) = await test.Store.CreateLeasedSessionAsync(new NewSession(test.Workspace));
        using var other = await SessionTestStore.OpenAsync(temp: new TempDirectory(), databasePath: test.DatabasePath);

        var whileHeld = await Assert.ThrowsAsync<AgentHostException>(() => other.Store.Leases.AcquireAsync(session.Id));
        // What the operating system does when the holder's process ends in any way (kill -9): its lock file is free,
        // its lease row untouched and unexpired.
        test.Store.Dispose();
        await using var taken = await other.Store.Leases.AcquireAsync(session.Id);

        Assert.Equal(ErrorKind.InUse, whileHeld.Kind);
        Assert.Equal(2, taken.Epoch);
        Assert.False(lease.IsReleased);
    }

    [Fact]
    public async Task Open_MarksActiveSessionsWithoutALiveHolderInterrupted_AndLeavesHeldOnesActive()
    {
        using var test = await SessionTestStore.OpenAsync();
        var held = await test.Store.CreateSessionAsync(new NewSession(test.Workspace));
        var orphan = await test.Store.CreateSessionAsync(new NewSession(test.Workspace));
        var done = await test.Store.CreateSessionAsync(new NewSession(test.Workspace));
        await test.Store.SetStatusAsync(done.Id, SessionStatus.Completed);
        await using var lease = await test.Store.Leases.AcquireAsync(held.Id);

        using var reopened = await SessionStore.OpenAsync(test.DatabasePath, SecretScrubber.PatternsOnly, test.Time);

        Assert.Equal(SessionStatus.Active, (await reopened.GetSessionAsync(held.Id)).Status);
        Assert.Equal(SessionStatus.Interrupted, (await reopened.GetSessionAsync(orphan.Id)).Status);
        Assert.Equal(SessionStatus.Completed, (await reopened.GetSessionAsync(done.Id)).Status);
    }

    [Fact]
    public async Task Open_LeavesTheSessionOfAHolderThatTookItOverWithoutTheLockFileActive_UntilItsLeaseExpires()
    {
        using var test = await SessionTestStore.OpenAsync(options: new SessionStoreOptions { LeaseDuration = TimeSpan.FromHours(1) });
        var (session, stale) = await test.Store.CreateLeasedSessionAsync(new NewSession(test.Workspace));
        using var fresh = await SessionTestStore.OpenAsync(temp: new TempDirectory(), databasePath: test.DatabasePath, time: test.Time, options: new SessionStoreOptions { LeaseDuration = TimeSpan.FromHours(1) });
        test.Time.Advance(TimeSpan.FromHours(2));
        await using var taken = await fresh.Store.Leases.AcquireAsync(session.Id);
        // The paused writer ends; its lock file is free now, but the session's holder is the fresh writer.
        await stale.DisposeAsync();
        test.Store.Dispose();

        using (var whileFreshRuns = await SessionStore.OpenAsync(test.DatabasePath, SecretScrubber.PatternsOnly, test.Time))
        {
            Assert.Equal(SessionStatus.Active, (await whileFreshRuns.GetSessionAsync(session.Id)).Status);
        }

        test.Time.Advance(TimeSpan.FromHours(2));
        using var afterExpiry = await SessionStore.OpenAsync(test.DatabasePath, SecretScrubber.PatternsOnly, test.Time);
        Assert.Equal(SessionStatus.Interrupted, (await afterExpiry.GetSessionAsync(session.Id)).Status);
    }

    [Fact]
    public async Task CreateLeased_WritesTheLeaseWithTheRow_SoAnotherProcessOpeningTheStoreLeavesTheNewSessionActive()
    {
        using var test = await SessionTestStore.OpenAsync();
        var unleased = await test.Store.CreateSessionAsync(new NewSession(test.Workspace));
        var (leased, lease) = await test.Store.CreateLeasedSessionAsync(new NewSession(test.Workspace));
        await using (lease)
        {
            using var other = await SessionStore.OpenAsync(test.DatabasePath, SecretScrubber.PatternsOnly, test.Time);

            Assert.Equal(SessionStatus.Interrupted, (await other.GetSessionAsync(unleased.Id)).Status);
            Assert.Equal(SessionStatus.Active, (await other.GetSessionAsync(leased.Id)).Status);
            Assert.Equal((leased.Id, 1L), (lease.SessionId, lease.Epoch));
            Assert.Equal(ErrorKind.InUse, (await Assert.ThrowsAsync<AgentHostException>(() => other.Leases.AcquireAsync(leased.Id))).Kind);
        }

        await using var free = await test.Store.Leases.AcquireAsync(leased.Id);
        Assert.Equal((leased.Id, 2L), (free.SessionId, free.Epoch));
    }

    [Fact]
    public async Task Open_MigratesAVersion5Database_ItsActiveSessionIsInterrupted_AndItsFirstLeaseIsEpochOne()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("sessions.db");
        using (var v5 = SessionMigrationTests.Open(path))
        {
            SessionMigrations.Apply(v5, path, targetVersion: 5);
            using var command = v5.CreateCommand();
            command.CommandText = "INSERT INTO sessions (id, title, workspace, status, created_at, updated_at) VALUES ('01JOLDSESSION0000000000000', 'Old', '/w', 'active', 1, 1)";
            command.ExecuteNonQuery();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        using var store = await SessionStore.OpenAsync(path, SecretScrubber.PatternsOnly);
        var before = await store.Leases.GetAsync("01JOLDSESSION0000000000000");
        await using var lease = await store.Leases.AcquireAsync("01JOLDSESSION0000000000000");

        Assert.Equal(SessionStatus.Interrupted, (await store.GetSessionAsync("01JOLDSESSION0000000000000")).Status);
        Assert.Null(before);
        Assert.Equal(1, lease.Epoch);
    }

    [Fact]
    public async Task DeleteAndPrune_RemoveTheSessionsLockFiles()
    {
        using var test = await SessionTestStore.OpenAsync();
        var deleted = await test.Store.CreateSessionAsync(new NewSession(test.Workspace));
        var pruned = await test.Store.CreateSessionAsync(new NewSession(test.Workspace));
        await (await test.Store.Leases.AcquireAsync(deleted.Id)).DisposeAsync();
        await (await test.Store.Leases.AcquireAsync(pruned.Id)).DisposeAsync();
        var before = Directory.GetFiles(test.Store.LocksDirectory!).Length;

        await test.Store.DeleteSessionAsync(deleted.Id);
        test.Time.Advance(TimeSpan.FromDays(2));
        Assert.Equal(1, await test.Store.PruneAsync(TimeSpan.FromDays(1)));

        Assert.Equal(2, before);
        Assert.Empty(Directory.GetFiles(test.Store.LocksDirectory!));
    }
}
