using System.CommandLine;
using System.Globalization;
using AgentHost.Hosting;
using AgentHost.Hosting.Logging;
using Microsoft.Extensions.Logging;

namespace AgentHost.Cli.Commands.Logs;

/// <summary><c>agent logs [--tail N] [--level L] [--json]</c>: the last entries of the log file, oldest first.</summary>
internal sealed class LogsCommand : AgentCommand
{
    private readonly Option<int> _tail = new("--tail", "-n") { Description = "How many entries to show (default 50).", DefaultValueFactory = _ => 50 };
    private readonly Option<string?> _level = new Option<string?>("--level")
    {
        Description = "Show only entries at this level or above: trace, debug, information, warning, error or critical.",
    }.AcceptOnlyFromAmong([.. LogLevels.EntryNames]);

    private readonly Option<bool> _json = new("--json") { Description = "Print the entries as stored: one JSON object per line." };

    public LogsCommand(CliContext context)
        : base("logs", "Show the last entries of the agent's log file (including rotated files when needed).", context)
    {
        Options.Add(_tail);
        Options.Add(_level);
        Options.Add(_json);
    }

    protected override Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var tail = parseResult.GetValue(_tail);
        if (tail < 1)
        {
            throw new AgentHostException(ErrorKind.Usage, string.Create(CultureInfo.InvariantCulture, $"--tail must be at least 1 (was {tail})."));
        }

        var minimum = LogLevels.TryParse(parseResult.GetValue(_level), out var level) ? level : LogLevel.Trace;
        var directory = Context.Paths.LogsDirectory;
        var console = Context.Console;
        var entries = LogFileReader.ReadTail(directory, tail, minimum);
        if (entries.Count == 0)
        {
            var message = LogFiles.Existing(directory).Count == 0
                ? $"No logs yet: {LogFiles.PathOf(directory, 0)} does not exist. Commands that load plugins or use sessions write it (level: --log-level or the log_level setting, default information)."
                : $"No log entries{(minimum > LogLevel.Trace ? $" at level {LogLevels.Name(minimum)} or above" : string.Empty)} in {directory}.";
            if (parseResult.GetValue(_json))
            {
                console.WriteInfo(message);
            }
            else
            {
                console.WriteLine(message);
            }

            return Task.FromResult(ExitCodes.Success);
        }

        foreach (var entry in entries)
        {
            if (parseResult.GetValue(_json))
            {
                console.WriteLine(entry.Json);
                continue;
            }

            console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{entry.Timestamp.UtcDateTime:yyyy-MM-ddTHH:mm:ss}Z {LogLevels.Label(entry.Level),-5} {entry.Category}: {entry.Message}"));
            if (entry.Exception is { } exception)
            {
                foreach (var line in exception.Split('\n'))
                {
                    console.WriteLine("    " + line.TrimEnd('\r'));
                }
            }
        }

        return Task.FromResult(ExitCodes.Success);
    }
}
