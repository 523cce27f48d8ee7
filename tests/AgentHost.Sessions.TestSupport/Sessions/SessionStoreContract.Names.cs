using AgentHost.Hosting;
using AgentHost.Sessions;

namespace AgentHost.Tests.Sessions;

/// <content>Named sessions: stored, found by name, unique per owner, an id winning over a name.</content>
public abstract partial class SessionStoreContract
{
    [StoreFact]
    public async Task NamedSession_IsStoredListedAndResolvedByName_FromAnotherStore()
    {
        var store = await OpenAsync();
        var other = await OpenAsync();
        var named = await store.CreateSessionAsync(new NewSession(Workspace) { Name = "  payment retries " });
        var unnamed = await store.CreateSessionAsync(new NewSession(Workspace));

        Assert.Equal("payment retries", named.Name);
        Assert.Equal("payment retries", (await other.GetSessionAsync(named.Id)).Name);
        Assert.Null((await other.GetSessionAsync(unnamed.Id)).Name);
        Assert.Equal(["payment retries"], (await other.ListSessionsAsync(Workspace)).Select(s => s.Name).OfType<string>());
        Assert.Equal(named.Id, await other.ResolveIdAsync("payment retries"));
        Assert.Equal(named.Id, (await other.FindSessionByNameAsync("payment retries"))?.Id);
        Assert.Null(await other.FindSessionByNameAsync("Payment Retries"));
        var missing = await Assert.ThrowsAsync<AgentHostException>(() => other.ResolveIdAsync("no such name"));
        Assert.Equal(ErrorKind.NotFound, missing.Kind);
    }

    [StoreFact]
    public async Task NamedSession_ATakenName_IsRefusedNamingTheSessionThatHasIt_StoringNothing_ButAnotherOwnerMayUseIt()
    {
        var store = await OpenAsync();
        var first = await store.CreateSessionAsync(new NewSession(Workspace) { Name = "nightly" });

        var refused = await Assert.ThrowsAsync<AgentHostException>(() => store.CreateSessionAsync(new NewSession(Workspace) { Name = "nightly" }));
        var leasedRefused = await Assert.ThrowsAsync<AgentHostException>(() => store.CreateLeasedSessionAsync(new NewSession(Workspace) { Name = "nightly" }));
        var alices = await store.CreateSessionAsync(new NewSession(Workspace) { Name = "nightly", Owner = "alice" });
        var alicesAgain = await Assert.ThrowsAsync<AgentHostException>(() => store.CreateSessionAsync(new NewSession(Workspace) { Name = "nightly", Owner = "alice" }));

        Assert.Equal(ErrorKind.Usage, refused.Kind);
        Assert.Contains($"a session named 'nightly' exists already: {first.Id}", refused.Message, StringComparison.Ordinal);
        Assert.Contains("--session nightly", refused.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorKind.Usage, leasedRefused.Kind);
        Assert.Contains(alices.Id, alicesAgain.Message, StringComparison.Ordinal);
        Assert.Equal(2, (await store.ListSessionsAsync()).Count);
        Assert.Equal(alices.Id, (await store.FindSessionByNameAsync("nightly", "alice"))?.Id);
        Assert.Equal(first.Id, (await store.FindSessionByNameAsync("nightly"))?.Id);

        // Two owners' sessions of one name: the CLI's resolution asks for the id.
        var ambiguous = await Assert.ThrowsAsync<AgentHostException>(() => store.ResolveIdAsync("nightly"));
        Assert.Equal(ErrorKind.Usage, ambiguous.Kind);
        Assert.Contains("give the id instead", ambiguous.Message, StringComparison.Ordinal);
    }

    [StoreFact]
    public async Task NamedSession_AnIdOrUniqueIdPrefix_WinsOverAName()
    {
        var store = await OpenAsync();
        var target = await store.CreateSessionAsync(new NewSession(Workspace));
        var prefix = target.Id[..24];
        var named = await store.CreateSessionAsync(new NewSession(Workspace) { Name = prefix });

        Assert.Equal(target.Id, await store.ResolveIdAsync(prefix));
        Assert.Equal(named.Id, (await store.FindSessionByNameAsync(prefix))?.Id);
    }

    [StoreFact]
    public async Task NamedSession_ABadName_IsRefusedWithTheRule_StoringNothing()
    {
        var store = await OpenAsync();

        foreach (var (bad, rule) in new[]
        {
            ("   ", "cannot be empty"),
            ("evil\u001b[2Jname", "printable"),
            ("right\u202eto left", "printable"),
            (new string('x', SessionNames.MaxLength + 1), "at most 64"),
            ("-rf", "starts with '-'"),
            (NewSession.NewId(Time), "looks like a session id"),
        })
        {
            var refused = await Assert.ThrowsAsync<AgentHostException>(() => store.CreateSessionAsync(new NewSession(Workspace) { Name = bad }));
            Assert.Equal(ErrorKind.Usage, refused.Kind);
            Assert.Contains(rule, refused.Message, StringComparison.Ordinal);
            Assert.DoesNotContain('\u001b', refused.Message);
        }

        Assert.Empty(await store.ListSessionsAsync());
        Assert.Equal("déjà vu 🚀 #2", (await store.CreateSessionAsync(new NewSession(Workspace) { Name = "déjà vu 🚀 #2" })).Name);
    }
}
