using System.CommandLine;

namespace AgentHost.Cli.Commands;

/// <summary><c>agent plugin …</c>: install, list and manage plugins.</summary>
internal sealed class PluginCommand : Command
{
    public PluginCommand(CliContext context)
        : base("plugin", "Install, list, enable, disable, verify and remove plugins.")
    {
        Subcommands.Add(new PluginListCommand(context));
    }
}
