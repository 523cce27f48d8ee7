using AgentHost.Hosting.Security;
using AgentHost.Sessions;

namespace AgentHost.Tests.Sessions;

/// <summary>The store contract (<see cref="SessionStoreContract"/>) against the SQLite store: every store of a test opens one database file.</summary>
public sealed class SqliteSessionStoreContractTests : SessionStoreContract
{
    protected override async Task<ISessionStore> OpenStoreAsync(TimeSpan leaseDuration) =>
        await SessionStore.OpenAsync(Temp.Combine("data", "sessions.db"), SecretScrubber.PatternsOnly, Time, new SessionStoreOptions { LeaseDuration = leaseDuration });
}
