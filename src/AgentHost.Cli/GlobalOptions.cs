using System.CommandLine;

namespace AgentHost.Cli;

/// <summary>Options accepted by every command.</summary>
internal sealed class GlobalOptions
{
    public Option<bool> Verbose { get; } = new("--verbose", "-v")
    {
        Description = "Show details, including stack traces of errors.",
        Recursive = true,
    };

    public Option<string[]> Set { get; } = new("--set", "-c")
    {
        Description = "Override a configuration value for this run: KEY=VALUE (repeatable), e.g. -c log_level=debug.",
        Recursive = true,
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<string?> LogLevel { get; } = new Option<string?>("--log-level")
    {
        Description = "Level of the log file for this run: trace, debug, information, warning, error or none (default: the log_level setting, else information).",
        Recursive = true,
    }.AcceptOnlyFromAmong([.. AgentHost.Hosting.Logging.LogLevels.Names]);

    public void AddTo(RootCommand root)
    {
        root.Options.Add(Verbose);
        root.Options.Add(Set);
        root.Options.Add(LogLevel);
    }
}
