using System.Collections.Concurrent;
using System.Text.Json;
using AgentHost.Agent.Engine;
using AgentHost.Agent.Runs;
using AgentHost.Hosting;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Security;
using AgentHost.Permissions;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Events;
using AgentHost.Tests.Support;
using Microsoft.Extensions.Logging;

namespace AgentHost.Tests.Plugins;

/// <summary>
/// #25: plugins with <c>activation: lazy</c> start from the plugin snapshot (tools only, keyed by the plugin's files,
/// settings and the host build), load their code at the first tool call, and load eagerly whenever the snapshot is
/// missing, stale, corrupt, or the plugin registers more than tools.
/// </summary>
public sealed class LazyActivationTests
{
    [Fact]
    public async Task SecondRuntime_StartsTheFilesPackDormant_AndItsFirstToolCallActivatesIt_WithTheRealResult()
    {
        using var temp = new TempDirectory();
        CopyCatalogPlugin("files", temp);
        File.WriteAllText(temp.Combine("work", "notes.txt").EnsureFolder(), "first line\nsecond line\n");

        await using (var cold = Runtime(temp))
        {
            await cold.LoadForRunAsync(["files"], temp.Path);
            Assert.True(cold.Host.Loaded["files"].IsActive); // no snapshot yet: loaded and captured
        }

        await using var warm = Runtime(temp);
        await warm.LoadForRunAsync(["files"], temp.Path);
        var plugin = warm.Host.Loaded["files"];
        Assert.False(plugin.IsActive);
        Assert.NotNull(warm.Registry.Find(CapabilityKind.Tool, "view"));

        using var pipeline = AgentRunner.CreatePipeline(warm, AllowAllPermissionGate.Instance, SecretScrubber.PatternsOnly, TimeProvider.System);
        var outcome = await pipeline.InvokeAsync("view", """{"path": "notes.txt"}""", new ToolCallContext("s1", "c1") { WorkspaceRoot = temp.Combine("work") });

        Assert.True(outcome.Status == ToolCallStatus.Succeeded, outcome.Text);
        Assert.Contains("second line", outcome.Text, StringComparison.Ordinal);
        Assert.True(warm.Host.Loaded["files"].IsActive);
        Assert.Equal("files", warm.Registry.Find(CapabilityKind.Tool, "view")!.PluginId);
    }

    [Fact]
    public async Task ActivateDormantInBackground_LoadsTheCodeWithoutAToolCall_SoTheFirstCallDoesNotWaitForIt()
    {
        using var temp = new TempDirectory();
        CopyCatalogPlugin("files", temp);
        await LoadOnceAsync(temp); // cold: captures the snapshot

        await using var warm = Runtime(temp);
        await warm.LoadForRunAsync(["files"], temp.Path);
        Assert.False(warm.Host.Loaded["files"].IsActive);

        warm.Host.ActivateDormantInBackground(); // returns at once; a session calls it when its first turn starts
        var deadline = DateTime.UtcNow.AddSeconds(60); // no tool is called: only the background activation can make it active
        while (!warm.Host.Loaded["files"].IsActive && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.True(warm.Host.Loaded["files"].IsActive, "the background activation loaded the plugin's code");
        Assert.Equal("files", warm.Registry.Find(CapabilityKind.Tool, "view")!.PluginId);
        warm.Host.ActivateDormantInBackground(); // nothing dormant left: no-op
    }

    [Fact]
    public async Task ActivateDormantInBackground_WithSeveralPlugins_ActivatesEachInTurn_AndAToolCallMeanwhileGetsTheRealResult()
    {
        using var temp = new TempDirectory();
        CopyCatalogPlugin("files", temp);
        CopyCatalogPlugin("git", temp);
        File.WriteAllText(temp.Combine("work", "notes.txt").EnsureFolder(), "first line\nsecond line\n");
        await using (var cold = Runtime(temp))
        {
            await cold.LoadForRunAsync(["files", "git"], temp.Path);
        }

        await using var warm = Runtime(temp);
        await warm.LoadForRunAsync(["files", "git"], temp.Path);
        Assert.False(warm.Host.Loaded["files"].IsActive);
        Assert.False(warm.Host.Loaded["git"].IsActive);

        // One background thread activates them one after another (a session's first turn); a tool call that comes
        // meanwhile shares the activation of its plugin (or starts it) and gets the real tool.
        warm.Host.ActivateDormantInBackground();
        using var pipeline = AgentRunner.CreatePipeline(warm, AllowAllPermissionGate.Instance, SecretScrubber.PatternsOnly, TimeProvider.System);
        var outcome = await pipeline.InvokeAsync("view", """{"path": "notes.txt"}""", new ToolCallContext("s1", "c1") { WorkspaceRoot = temp.Combine("work") });

        Assert.True(outcome.Status == ToolCallStatus.Succeeded, outcome.Text);
        Assert.Contains("second line", outcome.Text, StringComparison.Ordinal);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!(warm.Host.Loaded["files"].IsActive && warm.Host.Loaded["git"].IsActive) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.True(warm.Host.Loaded["files"].IsActive, "files was activated");
        Assert.True(warm.Host.Loaded["git"].IsActive, "git was activated without a tool call");
        Assert.Equal("git", warm.Registry.Find(CapabilityKind.Tool, "git_status")!.PluginId);
    }

    [Fact]
    public async Task ChangedPluginFile_MissesTheSnapshot_AndThePluginLoadsEagerly()
    {
        using var temp = new TempDirectory();
        var folder = CopyCatalogPlugin("files", temp);
        await LoadOnceAsync(temp);
        Assert.False(await LoadOnceAsync(temp)); // warm: dormant

        File.AppendAllText(Path.Combine(folder, "plugin.yaml"), "\n# changed\n");

        Assert.True(await LoadOnceAsync(temp)); // the fingerprint differs: eager again (and captured anew)
        Assert.False(await LoadOnceAsync(temp));
    }

    [Fact]
    public async Task ChangedSettings_MissTheSnapshot()
    {
        using var temp = new TempDirectory();
        CopyCatalogPlugin("files", temp);
        await LoadOnceAsync(temp);

        Assert.True(await LoadOnceAsync(temp, new Dictionary<string, string> { ["read_before_edit"] = "false" }));
    }

    [Fact]
    public async Task CorruptSnapshotFile_IsIgnoredWithAWarning_AndRewritten()
    {
        using var temp = new TempDirectory();
        CopyCatalogPlugin("files", temp);
        var file = AgentPaths.Resolve(TestEnvironment.Create(temp.Path, temp.Path)).PluginSnapshotFile;
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, "{\"version\": 1, \"plugins\": {\"abc\": {\"tools\": [{\"name\": 3}]}}, garbage");
        var logs = new RecordingLoggerFactory();

        Assert.True(await LoadOnceAsync(temp, loggers: logs));

        Assert.Contains(logs.Lines, l => l.Level == LogLevel.Warning && l.Text.Contains("Plugin snapshot cache", StringComparison.Ordinal) && l.Text.Contains("ignored", StringComparison.Ordinal));
        using var rewritten = JsonDocument.Parse(File.ReadAllText(file));
        Assert.Equal(1, rewritten.RootElement.GetProperty("version").GetInt32());
        Assert.False(await LoadOnceAsync(temp)); // the rewritten file is used
    }

    [Fact]
    public async Task MalformedEntry_IsIgnoredWithAWarning_AndThePluginLoadsEagerly()
    {
        using var temp = new TempDirectory();
        CopyCatalogPlugin("files", temp);
        await LoadOnceAsync(temp);
        var file = AgentPaths.Resolve(TestEnvironment.Create(temp.Path, temp.Path)).PluginSnapshotFile;
        var text = File.ReadAllText(file);
        File.WriteAllText(file, text.Replace("\"effect\":", "\"effect\":\"write\",\"was\":", StringComparison.Ordinal));
        var logs = new RecordingLoggerFactory();

        Assert.True(await LoadOnceAsync(temp, loggers: logs));

        Assert.Contains(logs.Lines, l => l.Level == LogLevel.Warning && l.Text.Contains("malformed entry", StringComparison.Ordinal));
    }

    [Fact]
    public async Task InstalledPlugin_ChangedWithItsSizeAndTimeKept_IsRefusedByItsHashAtActivation_BeforeItsCodeRuns()
    {
        using var temp = new TempDirectory();
        var folder = CopyCatalogPlugin("files", temp);
        var hash = PluginHasher.ComputeHash(folder);
        var request = new PluginLoadRequest(folder) { ExpectedHash = hash };
        var snapshots = new PluginSnapshots(temp.Combine("cache", "plugin-snapshots.json"), new RecordingLoggerFactory().CreateLogger("test"));
        await using (var first = Host(snapshots))
        {
            Assert.Equal(PluginLoadStatus.Loaded, (await first.Host.LoadAsync(request)).Status);
            snapshots.SaveIfChanged();
        }

        // Same length, same modification time: the fingerprint matches, the content does not.
        var assembly = Path.Combine(folder, "AgentHost.Plugins.Files.dll");
        var written = File.GetLastWriteTimeUtc(assembly);
        var bytes = File.ReadAllBytes(assembly);
        bytes[^1] ^= 0xFF;
        File.WriteAllBytes(assembly, bytes);
        File.SetLastWriteTimeUtc(assembly, written);
        await using var second = Host(new PluginSnapshots(snapshots.FilePath, new RecordingLoggerFactory().CreateLogger("test")));
        var failures = new ConcurrentQueue<string>();
        using var watching = second.Events.Subscribe<PluginFailedEvent>((e, _) =>
        {
            failures.Enqueue(e.Error);
            return ValueTask.CompletedTask;
        });

        Assert.Equal(PluginLoadStatus.Loaded, (await second.Host.LoadAsync(request)).Status);
        Assert.False(second.Host.Loaded["files"].IsActive);
        var error = await Assert.ThrowsAsync<AgentHostException>(() => second.Host.ActivateAsync("files"));

        Assert.Contains("was modified after it was installed", error.Message, StringComparison.Ordinal);
        Assert.False(second.Host.Loaded.ContainsKey("files"));
        Assert.Null(second.Registry.Find(CapabilityKind.Tool, "view"));
        await second.Events.DrainAsync(CancellationToken.None);
        Assert.Contains(failures, f => f.Contains("was modified after it was installed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PluginWithAnEventSubscriber_NeverStartsDormant_AndStillReceivesEvents()
    {
        using var temp = new TempDirectory();
        var folder = Fixtures.CopyTo("Fixture.Echo", temp.Combine("catalog", "fixture-echo"));
        File.AppendAllText(Path.Combine(folder, "plugin.yaml"), "activation: lazy\n");
        await LoadOnceAsync(temp, id: "fixture-echo");

        await using var runtime = Runtime(temp);
        await runtime.LoadForRunAsync(["fixture-echo"], temp.Path);

        Assert.True(runtime.Host.Loaded["fixture-echo"].IsActive);
        var snapshots = AgentPaths.Resolve(TestEnvironment.Create(temp.Path, temp.Path)).PluginSnapshotFile;
        Assert.False(File.Exists(snapshots) && File.ReadAllText(snapshots).Contains("warnings_seen", StringComparison.Ordinal));
        runtime.Events.Publish(new WarningEvent("test", "one"));
        await runtime.Events.DrainAsync(CancellationToken.None);
        using var pipeline = AgentRunner.CreatePipeline(runtime, AllowAllPermissionGate.Instance, SecretScrubber.PatternsOnly, TimeProvider.System);
        var seen = await pipeline.InvokeAsync("warnings_seen", "{}", new ToolCallContext("s1", "c1"));
        Assert.Equal("1", seen.Text.Trim());
    }

    [Fact]
    public async Task WithoutLazyActivation_InTheManifest_APluginAlwaysLoadsItsCode()
    {
        using var temp = new TempDirectory();
        var folder = CopyCatalogPlugin("files", temp);
        var manifest = Path.Combine(folder, "plugin.yaml");
        File.WriteAllLines(manifest, File.ReadAllLines(manifest).Where(l => !l.StartsWith("activation:", StringComparison.Ordinal)));
        await LoadOnceAsync(temp);

        Assert.True(await LoadOnceAsync(temp));
    }

    /// <summary>Loads <paramref name="id"/> in a fresh runtime over the temp catalog; returns whether it came up active.</summary>
    private static async Task<bool> LoadOnceAsync(TempDirectory temp, IReadOnlyDictionary<string, string>? settings = null, ILoggerFactory? loggers = null, string id = "files")
    {
        await using var runtime = Runtime(temp, settings, loggers);
        var result = Assert.Single(await runtime.LoadForRunAsync([id], temp.Path));
        Assert.True(result.Status == PluginLoadStatus.Loaded, result.Error);
        return runtime.Host.Loaded[id].IsActive;
    }

    private static string CopyCatalogPlugin(string id, TempDirectory temp)
    {
        var source = Path.Combine(AppContext.BaseDirectory, "catalog", id);
        var target = temp.Combine("catalog", id);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var copy = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }

        return target;
    }

    private static PluginRuntime Runtime(TempDirectory temp, IReadOnlyDictionary<string, string>? settings = null, ILoggerFactory? loggers = null)
    {
        var environment = TestEnvironment.Create(temp.Path, temp.Path);
        var store = new PluginStore(AgentPaths.Resolve(environment), temp.Combine("catalog"));
        return PluginRuntime.Create(store, null, _ => settings ?? new Dictionary<string, string>(), loggers ?? new RecordingLoggerFactory(), unloadable: false);
    }

    private static PluginRuntime Host(PluginSnapshots snapshots)
    {
        var runtime = PluginRuntime.Create(
            new PluginStore(new AgentPaths(Path.GetTempPath(), Path.GetTempPath()), Path.GetTempPath()), null, _ => new Dictionary<string, string>(), new RecordingLoggerFactory(), unloadable: false);
        runtime.Host.Snapshots = snapshots;
        return runtime;
    }

    private sealed class RecordingLoggerFactory : ILoggerFactory
    {
        public ConcurrentQueue<(LogLevel Level, string Text)> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public void Dispose()
        {
        }

        private sealed class Logger(RecordingLoggerFactory owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                owner.Lines.Enqueue((logLevel, formatter(state, exception)));
        }
    }
}

internal static class PathExtensions
{
    /// <summary>Creates the file's folder; returns the path.</summary>
    public static string EnsureFolder(this string file)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        return file;
    }
}
