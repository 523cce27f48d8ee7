using System.CommandLine;

namespace AgentHost.Cli.Commands.Plugin;

/// <summary><c>agent plugin marketplace update [name]</c>: clones git marketplaces again and re-reads folders.</summary>
internal sealed class PluginMarketplaceUpdateCommand : AgentCommand
{
    private readonly Argument<string?> _name = new("name")
    {
        Description = "The marketplace to update; all when omitted.",
        Arity = ArgumentArity.ZeroOrOne,
    };

    public PluginMarketplaceUpdateCommand(CliContext context)
        : base("update", "Refresh one or all marketplaces (a new clone of git marketplaces); installed plugins are updated by 'agent plugin update'.", context)
    {
        Arguments.Add(_name);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var results = await PluginMarketplaceCommand.Registry(Context, parseResult).UpdateAsync(parseResult.GetValue(_name), cancellationToken).ConfigureAwait(false);
        if (results.Count == 0)
        {
            Context.Console.WriteLine("No marketplaces added. Add one with 'agent plugin marketplace add <folder|git url>'.");
            return ExitCodes.Success;
        }

        foreach (var (listing, previous) in results)
        {
            var entry = listing.Registration;
            if (listing.Error is not null)
            {
                Context.Console.WriteError($"marketplace '{entry.Name}': {listing.Error}");
                continue;
            }

            var change = entry.Commit is null ? "re-read"
                : previous == entry.Commit ? $"unchanged at commit {entry.Commit[..12]}"
                : $"commit {(previous is null ? "-" : previous[..12])} -> {entry.Commit[..12]}";
            Context.Console.WriteLine($"Updated marketplace '{entry.Name}' ({change}): {PluginMarketplaceCommand.Describe(listing).First()}");
            foreach (var line in PluginMarketplaceCommand.Describe(listing).Skip(1))
            {
                Context.Console.WriteLine(line);
            }
        }

        return results.Any(r => r.Listing.Error is not null) ? ExitCodes.Plugin : ExitCodes.Success;
    }
}
