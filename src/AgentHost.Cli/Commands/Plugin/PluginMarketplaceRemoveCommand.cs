using System.CommandLine;

namespace AgentHost.Cli.Commands.Plugin;

/// <summary><c>agent plugin marketplace remove &lt;name&gt;</c>: forgets a marketplace; its installed plugins stay.</summary>
internal sealed class PluginMarketplaceRemoveCommand : AgentCommand
{
    private readonly Argument<string> _name = new("name") { Description = "The marketplace's name ('agent plugin marketplace list' shows them)." };

    public PluginMarketplaceRemoveCommand(CliContext context)
        : base("remove", "Remove a marketplace (plugins installed from it stay installed).", context)
    {
        Arguments.Add(_name);
    }

    protected override Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var removed = PluginMarketplaceCommand.Registry(Context, parseResult).Remove(parseResult.GetValue(_name)!);
        var installed = Context.PluginStore.LoadLockFile().Plugins.Where(p => p.Source == "marketplace:" + removed.Name).Select(p => p.Id).ToList();
        Context.Console.WriteLine($"Removed marketplace '{removed.Name}' ({removed.Display}).");
        if (installed.Count > 0)
        {
            Context.Console.WriteLine($"Installed from it, still installed: {string.Join(", ", installed)}. 'agent plugin update' cannot update them until the marketplace is added again; 'agent plugin remove <id>' uninstalls one.");
        }

        return Task.FromResult(ExitCodes.Success);
    }
}
