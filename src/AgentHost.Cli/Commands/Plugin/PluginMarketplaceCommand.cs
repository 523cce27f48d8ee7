using System.CommandLine;
using AgentHost.Installation.Marketplaces;

namespace AgentHost.Cli.Commands.Plugin;

/// <summary>
/// <c>agent plugin marketplace add|list|remove|update</c>: Claude Code marketplaces (a folder or git repository with
/// <c>.claude-plugin/marketplace.json</c>) as a source of plugins, installed with <c>agent plugin install name@marketplace</c>.
/// </summary>
internal sealed class PluginMarketplaceCommand : Command
{
    public PluginMarketplaceCommand(CliContext context)
        : base("marketplace", "Add, list, update and remove plugin marketplaces (Claude Code's marketplace.json).")
    {
        Subcommands.Add(new PluginMarketplaceAddCommand(context));
        Subcommands.Add(new PluginMarketplaceListCommand(context));
        Subcommands.Add(new PluginMarketplaceRemoveCommand(context));
        Subcommands.Add(new PluginMarketplaceUpdateCommand(context));
    }

    /// <summary>The registry of the user's marketplaces, reporting progress like the installer.</summary>
    internal static MarketplaceRegistry Registry(CliContext context, ParseResult parseResult) =>
        new(context.PluginStore, context.Environment, TimeProvider.System, PluginInstallCommand.Reporter(context, parseResult));

    /// <summary>The lines describing what a marketplace offers, the entries the host cannot install among them.</summary>
    internal static IEnumerable<string> Describe(MarketplaceListing listing)
    {
        var plugins = listing.Plugins ?? [];
        var blocked = plugins.Where(p => p.NotInstallable is not null).ToList();
        yield return $"{plugins.Count} plugin(s){(blocked.Count > 0 ? $", {blocked.Count} of them not installable here" : string.Empty)}.";
        foreach (var plugin in blocked)
        {
            yield return $"  not installable: {plugin.Name}: {plugin.NotInstallable}.";
        }
    }
}
