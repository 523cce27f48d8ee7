using System.CommandLine;

namespace AgentHost.Cli.Commands.Plugin;

/// <summary><c>agent plugin …</c>: install, list and manage plugins.</summary>
internal sealed class PluginCommand : Command
{
    public PluginCommand(CliContext context)
        : base("plugin", "Install, list, enable, disable, verify and remove plugins, and manage plugin marketplaces.")
    {
        Subcommands.Add(new PluginListCommand(context));
        Subcommands.Add(new PluginSearchCommand(context));
        Subcommands.Add(new PluginInfoCommand(context));
        Subcommands.Add(new PluginInstallCommand(context));
        Subcommands.Add(new PluginRemoveCommand(context));
        Subcommands.Add(new PluginEnableCommand(context, enable: true));
        Subcommands.Add(new PluginEnableCommand(context, enable: false));
        Subcommands.Add(new PluginUpdateCommand(context));
        Subcommands.Add(new PluginVerifyCommand(context));
        Subcommands.Add(new PluginMarketplaceCommand(context));
    }
}
