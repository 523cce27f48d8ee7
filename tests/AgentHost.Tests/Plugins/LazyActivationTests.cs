using System.Collections.Concurrent;
using System.Text.Json;
using AgentHost.Agent.Engine;
using AgentHost.Agent.Runs;
using AgentHost.Agent.Tools;
using AgentHost.Hosting;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Installed;
using AgentHost.Hosting.Security;
using AgentHost.Permissions;
using AgentHost.Permissions.Gate;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Events;
using AgentHost.Tests.Support;
using Microsoft.Extensions.Logging;
using static AgentHost.Tests.Support.PluginCopies;
using static AgentHost.Tests.Support.PluginRuntimes;

namespace AgentHost.Tests.Plugins;

/// <summary>
/// #25: plugins with <c>activation: lazy</c> start from the plugin snapshot (tools only, keyed by the plugin's files,
/// settings and the host build), load their code when one of their tools is called (or named in a model's answer), and load eagerly whenever the snapshot is
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

        await using var warm = await DormantAfterAColdRunAsync(temp, "files");
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
    public async Task ADormantPlugin_KeepsEachToolsDeferral_FromTheSnapshot()
    {
        using var temp = new TempDirectory();
        CopyCatalogPlugin("files", temp);

        await using var warm = await DormantAfterAColdRunAsync(temp, "files");
        using var pipeline = AgentRunner.CreatePipeline(warm, AllowAllPermissionGate.Instance, SecretScrubber.PatternsOnly, TimeProvider.System, deferral: ToolDeferral.Default);
        var toolSet = pipeline.GetToolSet();

        Assert.False(warm.Host.Loaded["files"].IsActive);
        Assert.Contains("view", toolSet.Declarations.Select(d => d.Name));
        Assert.Contains("grep", toolSet.Declarations.Select(d => d.Name));
        Assert.Empty(toolSet.Deferred); // every files tool says Deferred = false; a stand-in that forgot would be deferred
    }

    /// <summary>
    /// The stand-in of a dormant shell says it runs in the host's sandbox, as the real tool does: the pipeline decides the
    /// sandbox from the metadata before the call activates the plugin, so a stand-in that forgot ran the first command of
    /// a warm run unsandboxed (format 1 snapshots did not record it).
    /// </summary>
    [Fact]
    public async Task ADormantShellPack_KeepsItsToolsSandboxed_FromTheSnapshot()
    {
        using var temp = new TempDirectory();
        CopyCatalogPlugin("shell", temp);

        await using var warm = await DormantAfterAColdRunAsync(temp, "shell");
        var shell = (ToolCapability)warm.Registry.Find(CapabilityKind.Tool, "shell")!.Capability;

        Assert.False(warm.Host.Loaded["shell"].IsActive);
        Assert.True(shell.Metadata.Sandboxed, "the dormant shell's stand-in lost ToolMetadata.Sandboxed");
        Assert.False(((ToolCapability)warm.Registry.Find(CapabilityKind.Tool, "job_list")!.Capability).Metadata.Sandboxed);
    }

    [Fact]
    public async Task ActivateInBackground_LoadsThatPluginsCodeWithoutAToolCall_AndLeavesTheOthersDormant()
    {
        using var temp = new TempDirectory();
        CopyCatalogPlugin("files", temp);
        CopyCatalogPlugin("git", temp);
        await using var warm = await DormantAfterAColdRunAsync(temp, "files", "git");
        Assert.False(warm.Host.Loaded["files"].IsActive);

        Assert.True(warm.Host.ActivateInBackground("files")); // returns at once; a session calls it when the model's answer calls a files tool
        Assert.False(warm.Host.ActivateInBackground("files")); // already under way (or done): not started twice
        var deadline = DateTime.UtcNow.AddSeconds(60); // no tool is called: only the background activation can make it active
        while (!warm.Host.Loaded["files"].IsActive && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.True(warm.Host.Loaded["files"].IsActive, "the background activation loaded the plugin's code");
        Assert.Equal("files", warm.Registry.Find(CapabilityKind.Tool, "view")!.PluginId);
        Assert.False(warm.Host.Loaded["git"].IsActive); // nothing named a git tool: its code is not loaded
        Assert.False(warm.Host.ActivateInBackground("files")); // active: nothing to do
        Assert.False(warm.Host.ActivateInBackground("no-such-plugin"));
    }

    [Fact]
    public async Task ActivateInBackground_AndAToolCallMeanwhile_ShareOneActivation_AndTheCallGetsTheRealResult()
    {
        using var temp = new TempDirectory();
        CopyCatalogPlugin("files", temp);
        File.WriteAllText(temp.Combine("work", "notes.txt").EnsureFolder(), "first line\nsecond line\n");
        var logs = new RecordingLoggerFactory();
        await LoadOnceAsync(temp);

        await using var warm = InHome(temp, loggers: logs);
        await warm.LoadForRunAsync(["files"], temp.Path);
        Assert.False(warm.Host.Loaded["files"].IsActive);

        // The session starts the activation when the call appears in the answer; the call itself follows at once.
        warm.Host.ActivateInBackground("files");
        using var pipeline = AgentRunner.CreatePipeline(warm, AllowAllPermissionGate.Instance, SecretScrubber.PatternsOnly, TimeProvider.System);
        var outcome = await pipeline.InvokeAsync("view", """{"path": "notes.txt"}""", new ToolCallContext("s1", "c1") { WorkspaceRoot = temp.Combine("work") });

        Assert.True(outcome.Status == ToolCallStatus.Succeeded, outcome.Text);
        Assert.Contains("second line", outcome.Text, StringComparison.Ordinal);
        Assert.True(warm.Host.Loaded["files"].IsActive);
        Assert.Single(logs.Lines, l => l.Text.StartsWith("Activated plugin files", StringComparison.Ordinal));
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
        Assert.Equal(2, rewritten.RootElement.GetProperty("version").GetInt32());
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
        var (request, snapshotFile) = await InstalledFilesPluginTamperedAfterItsSnapshotAsync(temp);
        await using var second = WithSnapshots(snapshotFile);
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
    public async Task FailedBackgroundActivation_ACallOfItsToolAfterwards_FailsWithTheReason_NotAsAnUnknownTool()
    {
        using var temp = new TempDirectory();
        await using var second = await HostAfterAFailedBackgroundActivationAsync(temp);
        Assert.Null(second.Registry.Find(CapabilityKind.Tool, "view"));
        using var pipeline = AgentRunner.CreatePipeline(second, AllowAllPermissionGate.Instance, SecretScrubber.PatternsOnly, TimeProvider.System);
        var outcome = await pipeline.InvokeAsync("view", """{"path": "notes.txt"}""", new ToolCallContext("s1", "c1") { WorkspaceRoot = temp.Path });
        var qualified = await pipeline.InvokeAsync("files/view", """{"path": "notes.txt"}""", new ToolCallContext("s1", "c2") { WorkspaceRoot = temp.Path });

        Assert.Equal(ToolCallStatus.Failed, outcome.Status);
        Assert.Contains("was modified after it was installed", outcome.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("unknown tool", outcome.Text, StringComparison.Ordinal);
        Assert.Contains("was modified after it was installed", qualified.Text, StringComparison.Ordinal);
        Assert.Null(second.Host.ActivationFailure("grep_nothing_such"));
    }

    [Fact]
    public async Task FailedBackgroundActivation_AStandInCalledJustBefore_ActivatesAfterTheUnload_AndFailsWithTheReason()
    {
        // The race a tool call can lose: it found the stand-in, then the failed background activation unloaded the
        // plugin before the stand-in asked for the activation. The activation it asks for fails with the reason.
        using var temp = new TempDirectory();
        await using var second = await HostAfterAFailedBackgroundActivationAsync(temp);
        var late = await Assert.ThrowsAsync<AgentHostException>(() => second.Host.ActivateAsync("files"));
        var never = await Assert.ThrowsAsync<AgentHostException>(() => second.Host.ActivateAsync("nothing-such"));

        Assert.Contains("was modified after it was installed", late.Message, StringComparison.Ordinal);
        Assert.Equal("plugin 'nothing-such' is not loaded.", never.Message);
    }

    [Fact]
    public async Task PluginWithAnEventSubscriber_NeverStartsDormant_AndStillReceivesEvents()
    {
        using var temp = new TempDirectory();
        var folder = Fixtures.CopyTo("Fixture.Echo", temp.Combine("catalog", "fixture-echo"));
        File.AppendAllText(Path.Combine(folder, "plugin.yaml"), "activation: lazy\n");
        await LoadOnceAsync(temp, id: "fixture-echo");

        await using var runtime = InHome(temp);
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
        await using var runtime = InHome(temp, settings, loggers);
        var result = Assert.Single(await runtime.LoadForRunAsync([id], temp.Path));
        Assert.True(result.Status == PluginLoadStatus.Loaded, result.Error);
        return runtime.Host.Loaded[id].IsActive;
    }

    /// <summary>
    /// A runtime whose files plugin, tampered after its snapshot, started dormant and was activated in the background:
    /// the activation refused it by its hash and unloaded it.
    /// </summary>
    private static async Task<PluginRuntime> HostAfterAFailedBackgroundActivationAsync(TempDirectory temp)
    {
        var (request, snapshotFile) = await InstalledFilesPluginTamperedAfterItsSnapshotAsync(temp);
        var runtime = WithSnapshots(snapshotFile);
        try
        {
            Assert.Equal(PluginLoadStatus.Loaded, (await runtime.Host.LoadAsync(request)).Status);
            Assert.True(runtime.Host.ActivateInBackground("files"));
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (runtime.Host.Loaded.ContainsKey("files") && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }

            Assert.False(runtime.Host.Loaded.ContainsKey("files")); // the failed activation unloaded it
            return runtime;
        }
        catch
        {
            await runtime.DisposeAsync();
            throw;
        }
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
