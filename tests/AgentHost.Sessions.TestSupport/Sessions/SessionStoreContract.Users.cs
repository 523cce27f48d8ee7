using System.Security.Cryptography;
using AgentHost.Hosting;
using AgentHost.Sessions;
using Microsoft.Extensions.AI;

namespace AgentHost.Tests.Sessions;

/// <content>The users of a shared server: names, roles, token hashes, and the owner of each session.</content>
public abstract partial class SessionStoreContract
{
    [StoreFact]
    public async Task Users_AreAddedFoundByTokenHashListedAndRemoved_SeenByAnotherStoreAtOnce()
    {
        var admin = await OpenAsync();
        var server = await OpenAsync();
        var aliceHash = SHA256.HashData("alice-token"u8);
        var bobHash = SHA256.HashData("bob-token"u8);

        var alice = await admin.Users.AddUserAsync("alice", ServerRole.Member, aliceHash);
        await admin.Users.AddUserAsync("bob@example.com", ServerRole.Viewer, bobHash);
        var byToken = await server.Users.FindUserByTokenHashAsync(aliceHash);
        var unknown = await server.Users.FindUserByTokenHashAsync(SHA256.HashData("guess"u8));
        var listed = await server.Users.ListUsersAsync();
        var removed = await admin.Users.RemoveUserAsync("alice");
        var removedAgain = await admin.Users.RemoveUserAsync("alice");

        Assert.Equal(new ServerUser("alice", ServerRole.Member, Time.GetUtcNow(), Time.GetUtcNow()), alice);
        Assert.Equal(alice, byToken);
        Assert.Null(unknown);
        Assert.Equal([("alice", ServerRole.Member), ("bob@example.com", ServerRole.Viewer)], listed.Select(u => (u.Name, u.Role)));
        Assert.True(removed);
        Assert.False(removedAgain);
        Assert.Null(await server.Users.FindUserByTokenHashAsync(aliceHash));
        Assert.Equal(ServerRole.Viewer, (await server.Users.FindUserByTokenHashAsync(bobHash))?.Role);
    }

    [StoreFact]
    public async Task AddUser_RefusesATakenName_AndABadName_StoringNothing()
    {
        var store = await OpenAsync();
        await store.Users.AddUserAsync("alice", ServerRole.Member, SHA256.HashData("one"u8));

        var taken = await Assert.ThrowsAsync<AgentHostException>(() => store.Users.AddUserAsync("alice", ServerRole.Admin, SHA256.HashData("two"u8)));
        var bad = await Assert.ThrowsAsync<AgentHostException>(() => store.Users.AddUserAsync("-rf", ServerRole.Admin, SHA256.HashData("three"u8)));

        Assert.Equal(ErrorKind.InUse, taken.Kind);
        Assert.Contains("user 'alice' exists already", taken.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorKind.Usage, bad.Kind);
        Assert.Equal(ServerRole.Member, (await store.Users.FindUserAsync("alice"))?.Role);
        Assert.Null(await store.Users.FindUserByTokenHashAsync(SHA256.HashData("two"u8)));
        Assert.Single(await store.Users.ListUsersAsync());
    }

    [StoreFact]
    public async Task SetUserToken_ReplacesTheToken_TheOldOneStopsWorking()
    {
        var store = await OpenAsync();
        var old = SHA256.HashData("old"u8);
        var fresh = SHA256.HashData("new"u8);
        await store.Users.AddUserAsync("alice", ServerRole.Admin, old);
        Time.Advance(TimeSpan.FromMinutes(5));

        var replaced = await store.Users.SetUserTokenAsync("alice", fresh);
        var missing = await store.Users.SetUserTokenAsync("nobody", SHA256.HashData("x"u8));

        Assert.True(replaced);
        Assert.False(missing);
        Assert.Null(await store.Users.FindUserByTokenHashAsync(old));
        Assert.Equal(Time.GetUtcNow(), (await store.Users.FindUserByTokenHashAsync(fresh))?.TokenIssuedAt);
    }

    [StoreFact]
    public async Task RevokeTokens_RecordsTheMomentForAnyName_EndsAStoredUsersToken_AndALaterRevocationReplacesIt_SeenByAnotherStore()
    {
        var admin = await OpenAsync();
        var server = await OpenAsync();
        var token = SHA256.HashData("alice-token"u8);
        await admin.Users.AddUserAsync("alice", ServerRole.Member, token);
        Time.Advance(TimeSpan.FromMinutes(5));

        var stored = await admin.Users.RevokeTokensAsync("alice");
        var providers = await admin.Users.RevokeTokensAsync("dave@example.com");
        var first = Time.GetUtcNow();
        Time.Advance(TimeSpan.FromMinutes(5));
        var again = await admin.Users.RevokeTokensAsync("dave@example.com");
        var bad = await Assert.ThrowsAsync<AgentHostException>(() => admin.Users.RevokeTokensAsync("-rf"));

        Assert.Equal(first, stored);
        Assert.Equal(first, providers);
        Assert.Equal(Time.GetUtcNow(), again);
        Assert.Equal(ErrorKind.Usage, bad.Kind);
        Assert.Equal(first, await server.Users.FindRevocationAsync("alice"));
        Assert.Equal(Time.GetUtcNow(), await server.Users.FindRevocationAsync("dave@example.com"));
        Assert.Null(await server.Users.FindRevocationAsync("bob"));
        Assert.Null(await server.Users.FindUserByTokenHashAsync(token));
        Assert.Equal(ServerRole.Member, (await server.Users.FindUserAsync("alice"))?.Role);
        Assert.Equal(first, (await server.Users.FindUserAsync("alice"))?.TokenIssuedAt);
    }

    [StoreFact]
    public async Task SessionOwner_IsStoredWithTheSession_ListedAndChangeable()
    {
        var first = await OpenAsync();
        var second = await OpenAsync();
        var owned = await first.CreateSessionAsync(new NewSession(Workspace) { Owner = "alice" });
        var (leased, lease) = await first.CreateLeasedSessionAsync(new NewSession(Workspace) { Owner = "bob" });
        var ownerless = await first.CreateSessionAsync(new NewSession(Workspace));

        await second.Users.SetSessionOwnerAsync(ownerless.Id, "carol");
        var listed = await second.ListSessionsAsync(Workspace);
        var missing = await Assert.ThrowsAsync<AgentHostException>(() => second.Users.SetSessionOwnerAsync("01JNOSUCHSESSION0000000000", "alice"));

        Assert.Equal(("alice", "bob"), (owned.Owner, leased.Owner));
        Assert.Equal("alice", (await second.GetSessionAsync(owned.Id)).Owner);
        Assert.Equal(
            new[] { (owned.Id, "alice"), (leased.Id, "bob"), (ownerless.Id, "carol") }.OrderBy(s => s.Id, StringComparer.Ordinal),
            listed.Select(s => (s.Id, s.Owner!)).OrderBy(s => s.Id, StringComparer.Ordinal));
        Assert.Equal(ErrorKind.NotFound, missing.Kind);
        await lease.DisposeAsync();
    }

    [StoreFact]
    public async Task Usage_OfOwnedSessions_IsAddedPerUserAndDay_SessionsWithoutAnOwnerAreNotCounted()
    {
        var store = await OpenAsync();
        var reader = await OpenAsync();
        var alice = await store.CreateSessionAsync(new NewSession(Workspace) { Owner = "alice" });
        var alice2 = await store.CreateSessionAsync(new NewSession(Workspace) { Owner = "alice" });
        var bob = await store.CreateSessionAsync(new NewSession(Workspace) { Owner = "bob" });
        var nobody = await store.CreateSessionAsync(new NewSession(Workspace));
        var day1 = DateOnly.FromDateTime(Time.GetUtcNow().UtcDateTime);

        await store.RecordUsageAsync(alice.Id, new UsageDetails { InputTokenCount = 100, OutputTokenCount = 10 }, 0.25m);
        await store.RecordUsageAsync(alice2.Id, new UsageDetails { InputTokenCount = 50, OutputTokenCount = 5 }, null);
        await store.RecordUsageAsync(bob.Id, new UsageDetails { InputTokenCount = 7, OutputTokenCount = 3 }, 0.01m);
        await store.RecordUsageAsync(nobody.Id, new UsageDetails { InputTokenCount = 1000, OutputTokenCount = 1000 }, 9m);
        Time.Advance(TimeSpan.FromDays(1));
        await store.RecordUsageAsync(alice.Id, new UsageDetails { InputTokenCount = 1, OutputTokenCount = 2 }, 0.5m);
        var day2 = day1.AddDays(1);

        Assert.Equal(
            [new UserUsage("alice", day1, 150, 15, 0.25m), new UserUsage("alice", day2, 1, 2, 0.5m), new UserUsage("bob", day1, 7, 3, 0.01m)],
            await reader.Users.GetUsageAsync(null, day1, day2));
        Assert.Equal([new UserUsage("alice", day2, 1, 2, 0.5m)], await reader.Users.GetUsageAsync("alice", day2, day2));
        Assert.Empty(await reader.Users.GetUsageAsync("carol", day1, day2));
    }
}
