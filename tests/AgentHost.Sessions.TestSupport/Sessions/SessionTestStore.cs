using AgentHost.Hosting;
using AgentHost.Hosting.Security;
using AgentHost.Sessions;
using AgentHost.Sessions.Store;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Sessions;

/// <summary>A real session database in a temp folder, opened with a manual clock.</summary>
public sealed class SessionTestStore : IDisposable
{
    public static readonly DateTimeOffset Start = new(2025, 3, 1, 9, 0, 0, TimeSpan.Zero);

    private SessionTestStore(TempDirectory temp, SessionStore store, ManualTimeProvider time)
    {
        Temp = temp;
        Store = store;
        Time = time;
    }

    public TempDirectory Temp { get; }

    public SessionStore Store { get; }

    public ManualTimeProvider Time { get; }

    public string Workspace => Temp.Combine("repo");

    public string DatabasePath => Store.DatabasePath;

    public static async Task<SessionTestStore> OpenAsync(SecretScrubber? scrubber = null, SessionStoreOptions? options = null, TempDirectory? temp = null, string? databasePath = null, ManualTimeProvider? time = null)
    {
        temp ??= new TempDirectory();
        time ??= new ManualTimeProvider(Start);
        var path = databasePath ?? temp.Combine("data", "sessions.db");
        var store = await SessionStore.OpenAsync(path, scrubber ?? SecretScrubber.PatternsOnly, time, options);
        return new SessionTestStore(temp, store, time);
    }

    /// <summary>The database a CLI run in <paramref name="environment"/> uses.</summary>
    public static string DatabaseOf(HostEnvironment environment) => AgentPaths.Resolve(environment).SessionsDatabase;

    public Task<SessionInfo> CreateAsync(string? prompt = null, string? workspace = null) =>
        Store.CreateSessionAsync(new NewSession(workspace ?? Workspace, "openai", "gpt-4o") { Prompt = prompt });

    /// <summary>Every byte of the database files (main file, WAL, journal) after the pool released them.</summary>
    public byte[] RawBytes()
    {
        Store.Dispose();
        var directory = Path.GetDirectoryName(DatabasePath)!;
        return [.. Directory.GetFiles(directory, Path.GetFileName(DatabasePath) + "*").SelectMany(File.ReadAllBytes)];
    }

    public void Dispose()
    {
        Store.Dispose();
        Temp.Dispose();
    }
}
