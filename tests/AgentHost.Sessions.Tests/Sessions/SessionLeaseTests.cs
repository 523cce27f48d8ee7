using AgentHost.Hosting;
using AgentHost.Hosting.Security;
using AgentHost.Sessions;
namespace AgentHost.Tests.Sessions;

/// <summary>The session lease in one process: exclusive, released on dispose, and what the store does with it on open, delete and prune.</summary>
public sealed class SessionLeaseTests
{
    [Fact]
    public async Task Acquire_IsExclusive_NamesThisProcess_AndIsFreeAfterDispose()
    {
        using var test = await SessionTestStore.OpenAsync();
        var session = await test.Store.CreateSessionAsync(new NewSession(test.Workspace));

        var lease = test.Store.AcquireSession(session.Id);
        var busy = Assert.Throws<AgentHostException>(() => test.Store.AcquireSession(session.Id));
        var deleteBusy = await Assert.ThrowsAsync<AgentHostException>(() => test.Store.DeleteSessionAsync(session.Id));
        lease.Dispose();
        using var again = test.Store.AcquireSession(session.Id);

        Assert.Equal(ErrorKind.InUse, busy.Kind);
        Assert.StartsWith($"session {session.Id} is in use by process {Environment.ProcessId} (started ", busy.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorKind.InUse, deleteBusy.Kind);
        Assert.NotNull(await test.Store.FindSessionAsync(session.Id));
    }

    [Fact]
    public async Task Open_MarksActiveSessionsWithoutAHolderInterrupted_AndLeavesHeldOnesActive()
    {
        using var test = await SessionTestStore.OpenAsync();
        var held = await test.Store.CreateSessionAsync(new NewSession(test.Workspace));
        var orphan = await test.Store.CreateSessionAsync(new NewSession(test.Workspace));
        var done = await test.Store.CreateSessionAsync(new NewSession(test.Workspace));
        await test.Store.SetStatusAsync(done.Id, SessionStatus.Completed);
        using var lease = test.Store.AcquireSession(held.Id);

        using var reopened = await SessionStore.OpenAsync(test.DatabasePath, SecretScrubber.PatternsOnly);

        Assert.Equal(SessionStatus.Active, (await reopened.GetSessionAsync(held.Id)).Status);
        Assert.Equal(SessionStatus.Interrupted, (await reopened.GetSessionAsync(orphan.Id)).Status);
        Assert.Equal(SessionStatus.Completed, (await reopened.GetSessionAsync(done.Id)).Status);
    }

    [Fact]
    public async Task CreateLeased_HoldsTheLeaseBeforeTheRowExists_SoAnotherProcessOpeningTheStoreLeavesTheNewSessionActive()
    {
        using var test = await SessionTestStore.OpenAsync();
        // The race this closes: created, not yet leased, and another process opens the store in between.
        var unleased = await test.Store.CreateSessionAsync(new NewSession(test.Workspace));
        var (leased, lease) = await test.Store.CreateLeasedSessionAsync(new NewSession(test.Workspace));
        using (lease)
        {
            using var other = await SessionStore.OpenAsync(test.DatabasePath, SecretScrubber.PatternsOnly);

            Assert.Equal(SessionStatus.Interrupted, (await other.GetSessionAsync(unleased.Id)).Status);
            Assert.Equal(SessionStatus.Active, (await other.GetSessionAsync(leased.Id)).Status);
            Assert.Equal(leased.Id, lease.SessionId);
            Assert.Equal(ErrorKind.InUse, Assert.Throws<AgentHostException>(() => other.AcquireSession(leased.Id)).Kind);
        }

        using var free = test.Store.AcquireSession(leased.Id);
        Assert.Equal(leased.Id, free.SessionId);
    }

    [Fact]
    public async Task DeleteAndPrune_RemoveTheSessionsLockFiles()
    {
        using var test = await SessionTestStore.OpenAsync();
        var deleted = await test.Store.CreateSessionAsync(new NewSession(test.Workspace));
        var pruned = await test.Store.CreateSessionAsync(new NewSession(test.Workspace));
        test.Store.AcquireSession(deleted.Id).Dispose();
        test.Store.AcquireSession(pruned.Id).Dispose();
        var before = Directory.GetFiles(test.Store.LocksDirectory).Length;

        await test.Store.DeleteSessionAsync(deleted.Id);
        test.Time.Advance(TimeSpan.FromDays(2));
        Assert.Equal(1, await test.Store.PruneAsync(TimeSpan.FromDays(1)));

        Assert.Equal(2, before);
        Assert.Empty(Directory.GetFiles(test.Store.LocksDirectory));
    }
}
