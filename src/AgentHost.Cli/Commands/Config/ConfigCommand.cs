using System.CommandLine;

namespace AgentHost.Cli.Commands.Config;

/// <summary><c>agent config …</c>: inspect the effective configuration.</summary>
internal sealed class ConfigCommand : Command
{
    public ConfigCommand(CliContext context)
        : base("config", "Show, locate, validate and edit configuration.")
    {
        ArgumentNullException.ThrowIfNull(context);
        Subcommands.Add(new ConfigShowCommand(context));
        Subcommands.Add(new ConfigPathCommand(context));
        Subcommands.Add(new ConfigValidateCommand(context));
        Subcommands.Add(new ConfigSetCommand(context));
        Subcommands.Add(new ConfigUnsetCommand(context));
        Subcommands.Add(new ConfigSchemaCommand(context));
        Subcommands.Add(new ConfigInitCommand(context));
    }
}
