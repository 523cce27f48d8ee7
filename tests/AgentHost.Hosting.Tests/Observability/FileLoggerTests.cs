using System.Text.Json;
using AgentHost.Hosting;
using AgentHost.Hosting.Logging;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Loading;
using AgentHost.Hosting.Security;
using AgentHost.Tests.Observability;
using AgentHost.Tests.Sessions;
using AgentHost.Tests.Support;
using Microsoft.Extensions.Logging;

namespace AgentHost.Hosting.Tests.Observability;

/// <summary>The file logger: JSON lines with structured state, rotation, scrubbing, levels and disk errors, on real files.</summary>
public sealed class FileLoggerTests : IDisposable
{
    private const string ApiKey = "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789";
    private const string BearerToken = "eyZ1c2VyOjEyMzQ1Njc4OTA.secretpart";

    private readonly TempDirectory _temp = new();

    private string Logs => _temp.Combine("data", "logs");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Log_WritesOneJsonLinePerEntry_WithLevelCategoryEventAndStructuredState()
    {
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 11, 22, 6, 0, 0, TimeSpan.Zero));
        using (var factory = new FileLoggerFactory(new FileLoggerOptions(Logs) { TimeProvider = time }))
        {
            var logger = factory.CreateLogger("AgentHost.Tests.Tools");
            using (logger.BeginScope(new Dictionary<string, object?> { ["SessionId"] = "01JABC" }))
            {
                TestLog.ToolFinished(logger, "view", 12.5, 3);
            }

            time.Advance(TimeSpan.FromSeconds(1));
            TestLog.PlainWarning(logger, 2);
        }

        var lines = File.ReadAllLines(Path.Combine(Logs, "agent.log"));
        Assert.Equal(2, lines.Length);
        using var first = JsonDocument.Parse(lines[0]);
        var entry = first.RootElement;
        Assert.Equal("2026-11-22T06:00:00.000Z", entry.GetProperty("timestamp").GetString());
        Assert.Equal("information", entry.GetProperty("level").GetString());
        Assert.Equal("AgentHost.Tests.Tools", entry.GetProperty("category").GetString());
        Assert.Equal("Tool view finished in 12.5 ms with 3 lines", entry.GetProperty("message").GetString());
        Assert.Equal(4711, entry.GetProperty("eventId").GetInt32());
        Assert.Equal("ToolFinished", entry.GetProperty("eventName").GetString());
        var state = entry.GetProperty("state");
        Assert.Equal("view", state.GetProperty("Tool").GetString());
        Assert.Equal(12.5, state.GetProperty("DurationMs").GetDouble());
        Assert.Equal(3, state.GetProperty("Lines").GetInt32());
        Assert.False(state.TryGetProperty("{OriginalFormat}", out _));
        Assert.Equal("01JABC", entry.GetProperty("scopes")[0].GetProperty("SessionId").GetString());
        Assert.False(entry.TryGetProperty("exception", out _));

        var read = LogFileReader.ReadTail(Logs, 10);
        Assert.Equal(2, read.Count);
        Assert.Equal(LogLevel.Warning, read[1].Level);
        Assert.Equal("plain 2 warning", read[1].Message);
        Assert.Equal(2, read[1].State["Count"].GetInt32());
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 6, 0, 1, TimeSpan.Zero), read[1].Timestamp);
    }

    [Fact]
    public void Rotation_StartsANewFileAtTheSizeLimit_AndKeepsOnlyMaxFiles()
    {
        using (var factory = new FileLoggerFactory(new FileLoggerOptions(Logs) { MaxFileBytes = 2_000, MaxFiles = 3 }))
        {
            var logger = factory.CreateLogger("rotation");
            var padding = new string('x', 40);
            for (var i = 0; i < 200; i++)
            {
                TestLog.Padded(logger, i, padding);
                if (i % 17 == 0)
                {
                    factory.Flush();
                }
            }
        }

        Assert.Equal(
            ["agent.log", "agent.1.log", "agent.2.log"],
            LogFiles.Existing(Logs).Select(f => Path.GetFileName(f)).ToArray());
        Assert.False(File.Exists(Path.Combine(Logs, "agent.3.log")));
        foreach (var file in LogFiles.Existing(Logs))
        {
            Assert.InRange(new FileInfo(file).Length, 1, 2_000);
            Assert.All(File.ReadAllLines(file), line => Assert.NotNull(LogFileReader.Parse(line)));
        }

        // The kept files hold the newest entries, in order, without gaps: oldest in agent.2.log, newest in agent.log.
        var numbers = LogFileReader.ReadTail(Logs, int.MaxValue).Select(e => e.State["Number"].GetInt32()).ToList();
        Assert.Equal(199, numbers[^1]);
        Assert.True(numbers.Count >= 12, $"only {numbers.Count} entries kept");
        Assert.Equal(Enumerable.Range(numbers[0], numbers.Count), numbers);
    }

    [Fact]
    public void Secrets_AreScrubbedFromMessageExceptionAndState_BeforeReachingTheFile()
    {
        var environment = TestEnvironment.Create(_temp.Path, _temp.Path, new Dictionary<string, string> { ["MY_SERVICE_TOKEN"] = "hunter2-very-private" });
        using (var factory = new FileLoggerFactory(new FileLoggerOptions(Logs) { Scrubber = new SecretScrubber(environment) }))
        {
            var logger = factory.CreateLogger("secrets");
            var failure = new InvalidOperationException($"request failed: Authorization: Bearer {BearerToken}");
            TestLog.KeyFailed(logger, failure, ApiKey);
            TestLog.Text(logger, LogLevel.Information, "configured with hunter2-very-private");
        }

        var text = File.ReadAllText(Path.Combine(Logs, "agent.log"));
        Assert.DoesNotContain(ApiKey, text, StringComparison.Ordinal);
        Assert.DoesNotContain(BearerToken, text, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2-very-private", text, StringComparison.Ordinal);
        var entries = LogFileReader.ReadTail(Logs, 10);
        Assert.Equal($"calling the provider with key {SecretScrubber.Mask} failed", entries[0].Message);
        Assert.Equal(SecretScrubber.Mask, entries[0].State["Key"].GetString());
        Assert.Contains($"Bearer {SecretScrubber.Mask}", entries[0].Exception, StringComparison.Ordinal);
        Assert.Contains(nameof(InvalidOperationException), entries[0].Exception, StringComparison.Ordinal);
        Assert.Equal($"configured with {SecretScrubber.Mask}", entries[1].Message);
    }

    [Fact]
    public void MinimumLevel_DropsLessSevereEntries()
    {
        using (var factory = new FileLoggerFactory(new FileLoggerOptions(Logs) { MinimumLevel = LogLevel.Warning }))
        {
            var logger = factory.CreateLogger("levels");
            Assert.False(logger.IsEnabled(LogLevel.Information));
            foreach (var level in new[] { LogLevel.Trace, LogLevel.Debug, LogLevel.Information, LogLevel.Warning, LogLevel.Error, LogLevel.Critical })
            {
                var name = level.ToString().ToLowerInvariant();
                TestLog.Text(logger, level, name);
            }
        }

        Assert.Equal(["warning", "error", "critical"], LogFileReader.ReadTail(Logs, 10).Select(e => e.Message).ToArray());
    }

    [Fact]
    public void LevelNone_WritesNothing_AndCreatesNoFolder()
    {
        using (var factory = new FileLoggerFactory(new FileLoggerOptions(Logs) { MinimumLevel = LogLevel.None }))
        {
            var logger = factory.CreateLogger("none");
            TestLog.Text(logger, LogLevel.Critical, "not written");
        }

        Assert.False(Directory.Exists(Logs));
    }

    [Fact]
    public void DiskError_WhenTheLogsFolderIsAFile_NeverThrows_AndWarnsOnce()
    {
        var blocked = _temp.WriteFile("blocked", "a file where the logs folder should be");
        var warnings = new List<string>();
        using (var factory = new FileLoggerFactory(new FileLoggerOptions(blocked) { OnError = warnings.Add }))
        {
            var logger = factory.CreateLogger("disk");
            TestLog.Text(logger, LogLevel.Error, "first");
            TestLog.Text(logger, LogLevel.Information, "second");
            TestLog.Text(logger, LogLevel.Error, "third");
            factory.Flush();

            Assert.True(factory.Provider.Failed);
            Assert.False(logger.IsEnabled(LogLevel.Error));
        }

        var warning = Assert.Single(warnings);
        Assert.Contains("logging is off", warning, StringComparison.Ordinal);
        Assert.Contains($"{blocked} is a file, not a folder", warning, StringComparison.Ordinal);
        Assert.Equal("a file where the logs folder should be", File.ReadAllText(blocked));
    }

    [Fact]
    public void PluginLoggers_WriteToTheSameFile_UnderPluginCategories()
    {
        using (var factory = new FileLoggerFactory(new FileLoggerOptions(Logs)))
        {
            using var pluginLoggers = new PrefixedLoggerFactory(factory, "plugin.demo");
            var plugin = pluginLoggers.CreateLogger("Demo.Tools");
            var host = factory.CreateLogger("host");
            TestLog.PluginSays(plugin, "hello");
            TestLog.Text(host, LogLevel.Information, "host says hello");
        }

        var entries = LogFileReader.ReadTail(Logs, 10);
        Assert.Equal(["plugin.demo.Demo.Tools", "host"], entries.Select(e => e.Category).ToArray());
        Assert.Equal("hello", entries[0].State["What"].GetString());
    }

    [Fact]
    public async Task ConcurrentWriters_ManyProvidersOnOneFolder_LoseNoLines()
    {
        // Each provider stands for a process: its own handles on agent.log, no shared in-process lock.
        const int Writers = 8;
        const int PerWriter = 1000;
        var factories = Enumerable.Range(0, Writers).Select(_ => new FileLoggerFactory(new FileLoggerOptions(Logs) { BufferBytes = 1 })).ToList();
        try
        {
            await Task.WhenAll(factories.Select((factory, writer) => Task.Run(() =>
            {
                var logger = factory.CreateLogger("worker");
                for (var i = 0; i < PerWriter; i++)
                {
                    TestLog.Worker(logger, writer, i);
                }
            })));
        }
        finally
        {
            factories.ForEach(f => f.Dispose());
        }

        var entries = File.ReadAllLines(Path.Combine(Logs, "agent.log")).Select(LogFileReader.Parse).ToList();
        Assert.All(entries, Assert.NotNull);
        Assert.Equal(Writers * PerWriter, entries.Count);
        foreach (var writer in entries.GroupBy(e => e!.State["Worker"].GetInt32()))
        {
            // Each writer's entries keep their order.
            Assert.Equal(Enumerable.Range(0, PerWriter), writer.Select(e => e!.State["Number"].GetInt32()));
        }
    }

    [Fact]
    public void AgentPaths_PutsLogsInTheDataDirectory()
    {
        var paths = AgentPaths.Resolve(TestEnvironment.Create(_temp.Path, _temp.Path));

        Assert.Equal(Path.Combine(paths.DataDirectory, "logs"), paths.LogsDirectory);
        Assert.Equal(Path.Combine(paths.LogsDirectory, "agent.log"), LogFiles.PathOf(paths.LogsDirectory, 0));
        Assert.Equal(Path.Combine(paths.LogsDirectory, "agent.2.log"), LogFiles.PathOf(paths.LogsDirectory, 2));
    }
}
