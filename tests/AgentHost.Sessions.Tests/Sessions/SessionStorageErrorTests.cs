using AgentHost.Hosting;
using AgentHost.Hosting.Security;
using AgentHost.Sessions;
using AgentHost.Sessions.Store;
using AgentHost.Tests.Sessions;
using AgentHost.Tests.Support;
using Microsoft.Extensions.AI;

namespace AgentHost.Sessions.Tests;

/// <summary>
/// The storage failure that needs the store's internals (a page cap for a real SQLITE_FULL) names the file and the fix
/// and loses nothing already stored. The failures a user meets through the CLI are in tests/AgentHost.Tests (the class
/// of the same name there); this one keeps its class and namespace so the filters select both.
/// </summary>
public sealed class SessionStorageErrorTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public SessionStorageErrorTests() => Directory.CreateDirectory(_temp.Combine("repo", ".git"));

    private HostEnvironment Environment => TestEnvironment.Create(_temp.Path, _temp.Combine("repo"));

    private string Database => SessionTestStore.DatabaseOf(Environment);

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task FullDatabase_SaysDiskFull_NamingTheFile_AndKeepsWhatWasStored()
    {
        // A real SQLITE_FULL: the database may not grow past the pages it has (PRAGMA max_page_count).
        var id = await SeedAsync(Database);
        using (var full = await SessionStore.OpenAsync(Database, SecretScrubber.PatternsOnly, options: new SessionStoreOptions { MaxPageCount = await PageCountAsync(), Pooling = false }))
        {
            var error = await Assert.ThrowsAsync<AgentHostException>(async () =>
                await full.Conversation.AppendMessageAsync(id, new ChatMessage(ChatRole.User, new string('x', 200_000))));

            Assert.Equal(ErrorKind.Storage, error.Kind);
            Assert.StartsWith($"disk full writing {Database}; free space", error.Message, StringComparison.Ordinal);
            Assert.Contains("AGENT_HOME", error.Message, StringComparison.Ordinal);
        }

        await AssertIntactAsync(id);
    }

    private async Task AssertIntactAsync(string id)
    {
        using var store = await SessionStore.OpenAsync(Database, SecretScrubber.PatternsOnly);
        var session = await store.GetSessionAsync(id);
        Assert.Equal("Fix the build", session.Title);
        Assert.Equal(2, session.MessageCount);
        Assert.Single(await store.ListSessionsAsync());
    }

    private async Task<long> PageCountAsync()
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Database};Pooling=False");
        await connection.OpenAsync();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA page_count;";
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task<string> SeedAsync(string database)
    {
        using var store = await SessionStore.OpenAsync(database, SecretScrubber.PatternsOnly, options: new SessionStoreOptions { Pooling = false });
        var session = await store.CreateSessionAsync(new NewSession(_temp.Combine("repo"), "openai", "gpt-4o") { Prompt = "Fix the build" });
        await store.Conversation.AppendMessageAsync(session.Id, new ChatMessage(ChatRole.User, "Fix the build"));
        await store.Conversation.AppendMessageAsync(session.Id, new ChatMessage(ChatRole.Assistant, "Fixed."));
        await store.SetStatusAsync(session.Id, SessionStatus.Completed);
        return session.Id;
    }
}
