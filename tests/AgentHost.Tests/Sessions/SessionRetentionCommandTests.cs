using AgentHost.Hosting;
using AgentHost.Hosting.Security;
using AgentHost.Sessions;
using AgentHost.Sessions.Store;
using AgentHost.Tests.Support;
using Microsoft.Extensions.AI;

namespace AgentHost.Tests.Sessions;

/// <summary><c>agent session prune</c> by <c>session.retention_days</c> / <c>session.max_sessions</c>, and names in <c>session list/show</c>, through the real command line.</summary>
public sealed class SessionRetentionCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public SessionRetentionCommandTests() => Directory.CreateDirectory(_temp.Combine("repo", ".git"));

    private string Repo => _temp.Combine("repo");

    private HostEnvironment Environment => TestEnvironment.Create(_temp.Path, Repo);

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Prune_ByConfiguredDays_DryRunListsWithoutDeleting_ThenDeletesAndPrintsWhatItRemoved()
    {
        var old = await SeedAsync(daysAgo: 40, "an old question");
        var recent = await SeedAsync(daysAgo: 2, "a recent question");
        WriteUserConfig("session:\n  retention_days: 30\n");

        var dryRun = await RunAsync("session", "prune", "--dry-run");
        var stillThere = await RunAsync("session", "show", old);
        var pruned = await RunAsync("session", "prune", "--yes");

        Assert.True(dryRun.ExitCode == ExitCodes.Success, dryRun.Error);
        Assert.Contains("Would prune 1 sessions (not active for 30 days); nothing was deleted:", dryRun.Output, StringComparison.Ordinal);
        Assert.Contains(old, dryRun.Output, StringComparison.Ordinal);
        Assert.Contains("an old question", dryRun.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(recent, dryRun.Output, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Success, stillThere.ExitCode);
        Assert.True(pruned.ExitCode == ExitCodes.Success, pruned.Error);
        Assert.Contains(old, pruned.Output, StringComparison.Ordinal);
        Assert.Contains("Pruned 1 sessions (not active for 30 days).", pruned.Output, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.NotFound, (await RunAsync("session", "show", old)).ExitCode);
        Assert.Equal(ExitCodes.Success, (await RunAsync("session", "show", recent)).ExitCode);
    }

    [Fact]
    public async Task Prune_ByConfiguredCount_KeepsTheNewest()
    {
        var oldest = await SeedAsync(daysAgo: 3, "first");
        var middle = await SeedAsync(daysAgo: 2, "second");
        var newest = await SeedAsync(daysAgo: 1, "third");
        WriteUserConfig("session:\n  max_sessions: 1\n");

        var pruned = await RunAsync("session", "prune", "--yes");

        Assert.True(pruned.ExitCode == ExitCodes.Success, pruned.Error);
        Assert.Contains("Pruned 2 sessions (beyond the newest 1).", pruned.Output, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.NotFound, (await RunAsync("session", "show", oldest)).ExitCode);
        Assert.Equal(ExitCodes.NotFound, (await RunAsync("session", "show", middle)).ExitCode);
        Assert.Equal(ExitCodes.Success, (await RunAsync("session", "show", newest)).ExitCode);
    }

    [Theory]
    [InlineData("retention_days: 0", "session.retention_days")]
    [InlineData("retention_days: -3", "session.retention_days")]
    [InlineData("max_sessions: many", "session.max_sessions")]
    public async Task Prune_WithAnInvalidRetentionValue_IsAConfigurationError_AndDeletesNothing(string line, string key)
    {
        var old = await SeedAsync(daysAgo: 400, "old");
        WriteUserConfig($"session:\n  {line}\n");

        var result = await RunAsync("session", "prune", "--yes");
        var validate = await RunAsync("config", "validate");

        Assert.Equal(ExitCodes.Configuration, result.ExitCode);
        Assert.Contains(key, result.Error, StringComparison.Ordinal);
        Assert.Contains("1 or more", result.Error, StringComparison.Ordinal);
        Assert.NotEqual(ExitCodes.Success, validate.ExitCode);
        Assert.Equal(ExitCodes.Success, (await RunAsync("session", "show", old)).ExitCode);
    }

    [Fact]
    public async Task Prune_WithoutRetentionOrAge_SaysWhatToSet()
    {
        await SeedAsync(daysAgo: 400, "old");

        var result = await RunAsync("session", "prune", "--yes");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("set session.retention_days or session.max_sessions", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prune_IgnoresRetentionFromAnUntrustedProject_SoACloneCannotDeleteYourSessions()
    {
        var old = await SeedAsync(daysAgo: 400, "old");
        Directory.CreateDirectory(Path.Combine(Repo, ".agent"));
        File.WriteAllText(Path.Combine(Repo, ".agent", "config.yaml"), "session:\n  max_sessions: 1\n  retention_days: 1\n");

        var result = await RunAsync("session", "prune", "--yes");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("set session.retention_days or session.max_sessions", result.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Success, (await RunAsync("session", "show", old)).ExitCode);
    }

    [Fact]
    public async Task Prune_ByATrustedProjectsOwnCount_KeepsEveryOtherWorkspacesSessions()
    {
        var elsewhere = _temp.Combine("elsewhere");
        Directory.CreateDirectory(elsewhere);
        var others = new[] { await SeedAsync(daysAgo: 5, "other first", elsewhere), await SeedAsync(daysAgo: 4, "other second", elsewhere) };
        var oldest = await SeedAsync(daysAgo: 3, "first");
        var newest = await SeedAsync(daysAgo: 1, "second");
        Directory.CreateDirectory(Path.Combine(Repo, ".agent"));
        File.WriteAllText(Path.Combine(Repo, ".agent", "config.yaml"), "session:\n  max_sessions: 1\n");
        var trusted = await RunAsync("trust");
        Assert.True(trusted.ExitCode == ExitCodes.Success, trusted.Error);

        var pruned = await RunAsync("session", "prune", "--yes");

        Assert.True(pruned.ExitCode == ExitCodes.Success, pruned.Error);
        Assert.Contains("Pruned 1 sessions (beyond the newest 1 of ", pruned.Output, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.NotFound, (await RunAsync("session", "show", oldest)).ExitCode);
        Assert.Equal(ExitCodes.Success, (await RunAsync("session", "show", newest)).ExitCode);
        foreach (var other in others)
        {
            Assert.Equal(ExitCodes.Success, (await RunAsync("session", "show", other)).ExitCode);
        }
    }

    [Fact]
    public async Task NamedSession_IsShownInListAndShow_AndEverySessionCommandTakesItsName()
    {
        string named;
        using (var store = await OpenStoreAsync())
        {
            named = (await store.CreateSessionAsync(new NewSession(Repo) { Name = "release-notes", Prompt = "Write the notes" })).Id;
            await store.SetStatusAsync(named, SessionStatus.Completed);
            await store.CreateSessionAsync(new NewSession(Repo) { Prompt = "unnamed one" });
        }

        var list = await RunAsync("session", "list");
        var show = await RunAsync("session", "show", "release-notes");
        var json = await RunAsync("session", "show", "release-notes", "--json");
        var rename = await RunAsync("session", "rename", "release-notes", "Release notes v2");
        var delete = await RunAsync("session", "delete", "release-notes", "--yes");

        Assert.Matches(@"ID\s+NAME\s+UPDATED\s+STATUS\s+MESSAGES\s+TITLE", list.Output);
        Assert.Matches($@"{named}\s+release-notes\s+", list.Output);
        Assert.True(show.ExitCode == ExitCodes.Success, show.Error);
        Assert.Contains($"{named}  Write the notes", show.Output, StringComparison.Ordinal);
        Assert.Contains("name:        release-notes", show.Output, StringComparison.Ordinal);
        Assert.Contains("\"name\": \"release-notes\"", json.Output, StringComparison.Ordinal);
        Assert.Contains($"Renamed {named}: Release notes v2", rename.Output, StringComparison.Ordinal);
        Assert.True(delete.ExitCode == ExitCodes.Success, delete.Error);
        Assert.Equal(ExitCodes.NotFound, (await RunAsync("session", "show", named)).ExitCode);
    }

    private async Task<string> SeedAsync(int daysAgo, string prompt, string? workspace = null)
    {
        // The store's clock sets the session's last activity in the past.
        using var store = await OpenStoreAsync(new ManualTimeProvider(DateTimeOffset.UtcNow.AddDays(-daysAgo)));
        var session = await store.CreateSessionAsync(new NewSession(workspace ?? Repo) { Prompt = prompt });
        await store.Conversation.AppendMessageAsync(session.Id, new ChatMessage(ChatRole.User, prompt));
        await store.SetStatusAsync(session.Id, SessionStatus.Completed);
        return session.Id;
    }

    private void WriteUserConfig(string yaml)
    {
        var path = AgentPaths.Resolve(Environment).GlobalConfigFile;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, yaml);
    }

    private Task<SessionStore> OpenStoreAsync(TimeProvider? time = null) =>
        SessionStore.OpenAsync(SessionTestStore.DatabaseOf(Environment), SecretScrubber.PatternsOnly, time);

    private Task<CliResult> RunAsync(params string[] args) => CliRunner.RunAsync(Environment, args);
}
