using System.CommandLine;

namespace AgentHost.Cli.Commands.Plugin;

/// <summary><c>agent plugin marketplace add &lt;folder|git url&gt; [--name N]</c>.</summary>
internal sealed class PluginMarketplaceAddCommand : AgentCommand
{
    private readonly Argument<string> _source = new("source")
    {
        Description = "A folder holding .claude-plugin/marketplace.json (or that file), or a git URL (https://…, git@host:…, ssh://…, file://…; a branch or tag after '#').",
    };

    private readonly Option<string?> _name = new("--name")
    {
        Description = "Register it under this name instead of the name in its marketplace.json.",
        HelpName = "NAME",
    };

    public PluginMarketplaceAddCommand(CliContext context)
        : base("add", "Add a marketplace from a folder or a git repository.", context)
    {
        Arguments.Add(_source);
        Options.Add(_name);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var registry = PluginMarketplaceCommand.Registry(Context, parseResult);
        var listing = await registry.AddAsync(parseResult.GetValue(_source)!, parseResult.GetValue(_name), cancellationToken).ConfigureAwait(false);
        var entry = listing.Registration;
        Context.Console.WriteLine($"Added marketplace '{entry.Name}' from {entry.Display}{(entry.Commit is { } commit ? $" (commit {commit[..12]})" : string.Empty)}.");
        foreach (var line in PluginMarketplaceCommand.Describe(listing))
        {
            Context.Console.WriteLine(line);
        }

        Context.Console.WriteLine($"Install one with 'agent plugin install <plugin>@{entry.Name}'; 'agent plugin search' lists them.");
        return ExitCodes.Success;
    }
}
