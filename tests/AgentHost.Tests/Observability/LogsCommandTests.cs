using System.CommandLine;
using System.Text.Json;
using AgentHost.Cli.Startup;
using AgentHost.Cli;
using AgentHost.Cli.Interaction;
using AgentHost.Hosting;
using AgentHost.Hosting.Logging;
using AgentHost.Tests.Sessions;
using AgentHost.Tests.Support;
using Microsoft.Extensions.Logging;

namespace AgentHost.Tests.Observability;

/// <summary><c>agent logs</c> and the CLI's logger wiring, through the real command line in a temp AGENT_HOME.</summary>
public sealed class LogsCommandTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 11, 22, 6, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _temp = new();

    public LogsCommandTests() => Directory.CreateDirectory(_temp.Combine("repo", ".git"));

    private HostEnvironment Environment => TestEnvironment.Create(_temp.Path, _temp.Combine("repo"));

    private string LogsDirectory => AgentPaths.Resolve(Environment).LogsDirectory;

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Tail3_PrintsTheLastThreeEntries_OldestFirst_HumanReadable()
    {
        WriteEntries(5);

        var result = await CliRunner.RunAsync(Environment, "logs", "--tail", "3");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Equal(
            [
                "2026-11-22T06:00:02Z INFO  AgentHost.Tests.Demo: entry 2",
                "2026-11-22T06:00:03Z WARN  AgentHost.Tests.Demo: entry 3",
                "2026-11-22T06:00:04Z INFO  AgentHost.Tests.Demo: entry 4",
            ],
            Lines(result.Output));
    }

    [Fact]
    public async Task Json_PrintsTheStoredLines_AndLevelFilters()
    {
        WriteEntries(6);

        var json = await CliRunner.RunAsync(Environment, "logs", "--tail", "2", "--json");
        var warnings = await CliRunner.RunAsync(Environment, "logs", "--level", "warning");

        Assert.Equal(ExitCodes.Success, json.ExitCode);
        var lines = Lines(json.Output);
        Assert.Equal(2, lines.Length);
        using var last = JsonDocument.Parse(lines[1]);
        Assert.Equal("entry 5", last.RootElement.GetProperty("message").GetString());
        Assert.Equal(5, last.RootElement.GetProperty("state").GetProperty("Number").GetInt32());
        Assert.Equal(["entry 0", "entry 3"], Lines(warnings.Output).Select(l => l[(l.IndexOf(": ", StringComparison.Ordinal) + 2)..]).ToArray());
    }

    [Fact]
    public async Task Tail_ReachesIntoRotatedFiles_WhenTheCurrentFileHasTooFewEntries()
    {
        WriteEntries(40, maxFileBytes: 1_500);
        Assert.Contains(Path.Combine(LogsDirectory, "agent.1.log"), LogFiles.Existing(LogsDirectory));
        var inCurrent = File.ReadAllLines(Path.Combine(LogsDirectory, "agent.log")).Length;

        var result = await CliRunner.RunAsync(Environment, "logs", "--tail", (inCurrent + 2).ToString(System.Globalization.CultureInfo.InvariantCulture));

        var lines = Lines(result.Output);
        Assert.Equal(inCurrent + 2, lines.Length);
        Assert.EndsWith("entry 39", lines[^1], StringComparison.Ordinal);
        Assert.EndsWith($"entry {39 - inCurrent - 1}", lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoLogsYet_SaysWhereTheyWillBe()
    {
        var result = await CliRunner.RunAsync(Environment, "logs");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains("No logs yet", result.Output, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(LogsDirectory, "agent.log"), result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TailZero_IsAUsageError()
    {
        var result = await CliRunner.RunAsync(Environment, "logs", "--tail", "0");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("--tail must be at least 1", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, null, LogLevel.Information)]
    [InlineData("warning", null, LogLevel.Warning)]
    [InlineData("warning", "debug", LogLevel.Debug)]
    [InlineData(null, "none", LogLevel.None)]
    public async Task LogLevel_FlagBeatsConfiguration_WhichBeatsTheDefault(string? configured, string? flag, LogLevel expected)
    {
        if (configured is not null)
        {
            File.WriteAllText(WriteConfig(), $"log_level: {configured}\n");
        }

        string[] args = flag is null ? ["stats"] : ["stats", "--log-level", flag];
        await using var context = new CliContext(new ConsoleInteraction(false, TextWriter.Null, TextWriter.Null, TextReader.Null), Environment, new GlobalOptions());
        var parse = CommandLineFactory.Create(context).Parse(args);

        var factory = Assert.IsType<FileLoggerFactory>(context.LoggerFactory(parse));

        Assert.Empty(parse.Errors);
        Assert.Equal(expected, factory.Provider.Options.MinimumLevel);
        Assert.Equal(LogsDirectory, factory.Provider.Options.Directory);
    }

    [Fact]
    public async Task LogLevelFlag_RejectsUnknownLevels()
    {
        var result = await CliRunner.RunAsync(Environment, "--log-level", "loud", "logs");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("loud", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RealProcess_WritesItsLogOnExit_AndLevelNoneWritesNothing()
    {
        var home = _temp.Combine("process-home");
        var quiet = _temp.Combine("quiet-home");
        var repo = _temp.Combine("repo");

        // A fresh home: opening the session store migrates it, which is logged at information.
        var stats = await AgentProcess.RunAsync(repo, new Dictionary<string, string> { ["AGENT_HOME"] = home, ["CI"] = "true" }, "stats");
        var none = await AgentProcess.RunAsync(repo, new Dictionary<string, string> { ["AGENT_HOME"] = quiet, ["CI"] = "true" }, "stats", "--log-level", "none");

        Assert.True(stats.ExitCode == ExitCodes.Success, stats.Error);
        Assert.True(none.ExitCode == ExitCodes.Success, none.Error);
        var entry = Assert.Single(LogFileReader.ReadTail(Path.Combine(home, "logs"), 10));
        Assert.Equal("AgentHost.Sessions.Store.SessionStore", entry.Category);
        Assert.StartsWith("Migrated session database", entry.Message, StringComparison.Ordinal);
        Assert.Equal(AgentHost.Sessions.Store.SessionStore.SchemaVersion, entry.State["To"].GetInt32());
        Assert.False(Directory.Exists(Path.Combine(quiet, "logs")));
    }

    private static string[] Lines(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private string WriteConfig()
    {
        var file = AgentPaths.Resolve(Environment).GlobalConfigFile;
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        return file;
    }

    /// <summary>Entries "entry 0…n-1", one second apart; every third one is a warning.</summary>
    private void WriteEntries(int count, long maxFileBytes = FileLoggerOptions.DefaultMaxFileBytes)
    {
        var time = new ManualTimeProvider(Start);
        using var factory = new FileLoggerFactory(new FileLoggerOptions(LogsDirectory) { TimeProvider = time, MaxFileBytes = maxFileBytes });
        var logger = factory.CreateLogger("AgentHost.Tests.Demo");
        for (var i = 0; i < count; i++)
        {
            TestLog.Entry(logger, i % 3 == 0 ? LogLevel.Warning : LogLevel.Information, i);
            time.Advance(TimeSpan.FromSeconds(1));
        }
    }
}
