using AgentHost.Hosting.Security;
using AgentHost.Sessions;
using AgentHost.Sessions.Postgres;
using AgentHost.Tests.Sessions;
using AgentHost.Tests.Support;

namespace AgentHost.Sessions.Postgres.Tests;

/// <summary>
/// The store contract (<see cref="SessionStoreContract"/>) against the PostgreSQL store: every store of a test opens one
/// fresh database on the test run's PostgreSQL server (a second store is a second node).
/// </summary>
[RequiresPostgres]
public sealed class PostgresSessionStoreContractTests : SessionStoreContract
{
    private string? _database;

    protected override async Task<ISessionStore> OpenStoreAsync(TimeSpan leaseDuration)
    {
        _database ??= await (await PostgresServer.SharedAsync()).CreateDatabaseAsync("contract");
        return await PostgresSessionStore.OpenAsync(PostgresConnectionString.Parse(_database), SecretScrubber.PatternsOnly, Time, new SessionStoreOptions { LeaseDuration = leaseDuration });
    }
}
