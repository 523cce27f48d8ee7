using AgentHost.Hosting;
using AgentHost.Hosting.Security;
using AgentHost.Sessions;
using AgentHost.Sessions.Store;
using AgentHost.Tests.Support;
using Microsoft.Extensions.AI;

namespace AgentHost.Tests.Sessions;

/// <summary>
/// Storage failures a user can fix (read-only data folder, full disk, a folder or file in the wrong place) name the
/// file and the fix, with no SQLite code or stack trace, and lose nothing already stored. The full database made with
/// the store's internal page cap is tested in tests/AgentHost.Sessions.Tests (a class of the same name).
/// </summary>
public sealed class SessionStorageErrorTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public SessionStorageErrorTests() => Directory.CreateDirectory(_temp.Combine("repo", ".git"));

    private HostEnvironment Environment => TestEnvironment.Create(_temp.Path, _temp.Combine("repo"));

    private string Database => SessionTestStore.DatabaseOf(Environment);

    public void Dispose() => _temp.Dispose();

    [ReadOnlyFolderTheory]
    [InlineData("folder", "rename")]
    [InlineData("folder", "import")]
    [InlineData("file", "rename")]
    [InlineData("file", "settings")]
    [InlineData("folder and file", "rename")]
    public async Task ReadOnlyData_NamesTheDatabaseAndTheFix_AndKeepsTheSessions(string readOnly, string command)
    {
        var id = await SeedAsync(Database);
        var export = _temp.Combine("export.jsonl");
        Assert.Equal(ExitCodes.Success, (await RunAsync("session", "export", id, "--format", "jsonl", "--output", export)).ExitCode);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools(); // As a new process would: no connection opened before the change.
        var folder = Path.GetDirectoryName(Database)!;
        var protect = readOnly switch
        {
            "folder" => [folder],
            "file" => new[] { Database },
            _ => [Database, folder],
        };
        CliResult result;
        try
        {
            foreach (var path in protect)
            {
                ReadOnlyFolders.Protect(path);
            }

            result = command switch
            {
                "rename" => await RunAsync("session", "rename", id, "A new title"),
                "import" => await RunAsync("session", "import", export),
                _ => await RunAsync("session", "settings", "set", id, "max_steps", "5"),
            };
        }
        finally
        {
            foreach (var path in protect)
            {
                ReadOnlyFolders.Release(path);
            }
        }

        Assert.True(result.ExitCode == ExitCodes.Storage, result.Error);
        Assert.Contains($"cannot write the session database {Database}: the folder is read-only", result.Error, StringComparison.Ordinal);
        Assert.Contains("set AGENT_HOME", result.Error, StringComparison.Ordinal);
        AssertNoInternals(result.Error);
        await AssertIntactAsync(id);
    }

    [Theory]
    [InlineData("database is a folder", "it is a folder, not a file")]
    [InlineData("data folder is a file", "is a file where a folder is expected")]
    public async Task MisplacedData_NamesThePathAndTheFix(string problem, string expected)
    {
        if (problem == "database is a folder")
        {
            Directory.CreateDirectory(Database);
        }
        else
        {
            File.WriteAllText(Path.GetDirectoryName(Database)!, "not a folder");
        }

        var list = await RunAsync("session", "list");

        Assert.Equal(ExitCodes.Storage, list.ExitCode);
        Assert.Contains(expected, list.Error, StringComparison.Ordinal);
        Assert.Contains(problem == "database is a folder" ? Database : Path.GetDirectoryName(Database)!, list.Error, StringComparison.Ordinal);
        Assert.Contains("AGENT_HOME", list.Error, StringComparison.Ordinal);
        AssertNoInternals(list.Error);
    }

    [TinyDiskFact]
    public async Task FullDisk_ThroughTheCli_SaysDiskFull_NamingTheFile_AndKeepsTheSessions()
    {
        using var disk = new TinyDisk(1024);
        var home = Path.Combine(disk.Path, "agent-home");
        var environment = TestEnvironment.Create(_temp.Path, _temp.Combine("repo"), new Dictionary<string, string> { ["AGENT_HOME"] = home });
        var database = SessionTestStore.DatabaseOf(environment);
        var id = await SeedAsync(database);
        var export = _temp.Combine("export.jsonl");
        Assert.Equal(ExitCodes.Success, (await AgentProcess.RunAsync(_temp.Path, new Dictionary<string, string> { ["AGENT_HOME"] = home }, "session", "export", id, "--format", "jsonl", "--output", export)).ExitCode);
        var filler = disk.Fill();

        var import = await AgentProcess.RunAsync(_temp.Path, new Dictionary<string, string> { ["AGENT_HOME"] = home }, "session", "import", export);
        File.Delete(filler);
        var show = await AgentProcess.RunAsync(_temp.Path, new Dictionary<string, string> { ["AGENT_HOME"] = home }, "session", "show", id);

        Assert.True(import.ExitCode == ExitCodes.Storage, import.Error);
        Assert.Contains($"disk full writing {database}; free space", import.Error, StringComparison.Ordinal);
        AssertNoInternals(import.Error);
        Assert.True(show.ExitCode == ExitCodes.Success, show.Error);
        Assert.Contains("Fix the build", show.Output, StringComparison.Ordinal);
    }

    private static void AssertNoInternals(string error)
    {
        Assert.DoesNotContain("SQLite Error", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", error, StringComparison.Ordinal);
    }

    private async Task AssertIntactAsync(string id)
    {
        using var store = await SessionStore.OpenAsync(Database, SecretScrubber.PatternsOnly);
        var session = await store.GetSessionAsync(id);
        Assert.Equal("Fix the build", session.Title);
        Assert.Equal(2, session.MessageCount);
        Assert.Single(await store.ListSessionsAsync());
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

    private Task<CliResult> RunAsync(params string[] args) => CliRunner.RunAsync(Environment, args);
}
