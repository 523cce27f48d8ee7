using System.CommandLine;

namespace AgentHost.Cli.Commands;

/// <summary><c>agent config …</c>: inspect the effective configuration.</summary>
internal sealed class ConfigCommand : Command
{
    public ConfigCommand(CliContext context)
        : base("config", "Show, locate and validate configuration.")
    {
        ArgumentNullException.ThrowIfNull(context);
        Subcommands.Add(new ConfigShowCommand(context));
        Subcommands.Add(new ConfigPathCommand(context));
        Subcommands.Add(new ConfigValidateCommand(context));
    }
}
