using System.CommandLine;
using AgentHost.Installation;
namespace AgentHost.Cli.Commands.Plugin;

/// <summary><c>agent plugin remove &lt;id&gt;</c>: uninstalls a plugin (lockfile entry first, then its folder).</summary>
internal sealed class PluginRemoveCommand : AgentCommand
{
    private readonly Argument<string> _id = new("id") { Description = "The installed plugin's id." };

    public PluginRemoveCommand(CliContext context)
        : base("remove", "Uninstall a plugin.", context)
    {
        Arguments.Add(_id);
    }

    protected override Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var plugins = new InstalledPlugins(Context.PluginStore, PluginInstallCommand.Reporter(Context, parseResult));
        var removed = plugins.Remove(parseResult.GetValue(_id)!);
        Context.Console.WriteLine($"Removed {removed.Id} {removed.Version}.");
        return Task.FromResult(ExitCodes.Success);
    }
}
