using AgentHost.Hosting.Security;
using AgentHost.Sessions;
using AgentHost.Sessions.Store;
using AgentHost.Tests.Sessions;

namespace AgentHost.Sessions.Tests;

/// <summary>The store contract (<see cref="SessionStoreContract"/>) against the SQLite store: every store of a test opens one database file.</summary>
public sealed class SqliteSessionStoreContractTests : SessionStoreContract
{
    protected override async Task<ISessionStore> OpenStoreAsync(TimeSpan leaseDuration) =>
        await SessionStore.OpenAsync(Temp.Combine("data", "sessions.db"), SecretScrubber.PatternsOnly, Time, new SessionStoreOptions { LeaseDuration = leaseDuration });

    [Fact]
    public async Task RunSlots_OfAStoreThatStoppedRenewing_StayCountedUntilTheyExpire()
    {
        // SQLite cannot tell a crashed holder from a paused one: its slot counts until its expiry (one lease duration).
        var stopped = await OpenAsync(TimeSpan.FromMinutes(1));
        var other = await OpenAsync(TimeSpan.FromMinutes(1));
        var request = new RunSlotRequest("alice", RunKind.Send) { MaxRuns = 1 };
        Assert.NotNull((await stopped.RunSlots.TryTakeAsync(request)).Slot);
        ((IDisposable)stopped).Dispose();

        var beforeExpiry = await other.RunSlots.TryTakeAsync(request);
        Time.Advance(TimeSpan.FromSeconds(61));
        var afterExpiry = await other.RunSlots.TryTakeAsync(request);

        Assert.Equal(RunLimit.Runs, beforeExpiry.Refused);
        Assert.NotNull(afterExpiry.Slot);
        await afterExpiry.Slot!.DisposeAsync();
    }
}
