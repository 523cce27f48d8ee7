using System.CommandLine;
using System.Text.Json;
using AgentHost.Cli.Rendering;

namespace AgentHost.Cli.Commands.Plugin;

/// <summary><c>agent plugin marketplace list [--json]</c>.</summary>
internal sealed class PluginMarketplaceListCommand : AgentCommand
{
    private readonly Option<bool> _json = new("--json") { Description = "Print JSON (with every plugin each marketplace lists) instead of a table." };

    public PluginMarketplaceListCommand(CliContext context)
        : base("list", "List the added marketplaces.", context)
    {
        Options.Add(_json);
    }

    protected override Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var listings = PluginMarketplaceCommand.Registry(Context, parseResult).List();
        var console = Context.Console;
        if (parseResult.GetValue(_json))
        {
            console.WriteDataLine(JsonSerializer.Serialize(
                listings.Select(l => new
                {
                    name = l.Registration.Name,
                    kind = l.Registration.Kind,
                    location = l.Registration.Location,
                    @ref = l.Registration.Ref,
                    commit = l.Registration.Commit,
                    addedAt = l.Registration.AddedAt,
                    updatedAt = l.Registration.UpdatedAt,
                    error = l.Error,
                    plugins = l.Plugins?.Select(p => new { name = p.Name, version = p.Version, description = p.Description, source = p.Source, notInstallable = p.NotInstallable }),
                }),
                PluginFormatting.Json));
            return Task.FromResult(ExitCodes.Success);
        }

        if (listings.Count == 0)
        {
            console.WriteLine("No marketplaces added. Add one with 'agent plugin marketplace add <folder|git url>'.");
            return Task.FromResult(ExitCodes.Success);
        }

        TextTable.Write(
            console,
            ["NAME", "SOURCE", "PLUGINS", "UPDATED"],
            [.. listings.Select(l => new[]
            {
                l.Registration.Name,
                $"{l.Registration.Kind}: {l.Registration.Display}",
                l.Plugins is null ? "unreadable" : l.Plugins.Count(p => p.NotInstallable is null) + (l.Plugins.Any(p => p.NotInstallable is not null) ? $" (+{l.Plugins.Count(p => p.NotInstallable is not null)} not installable)" : string.Empty),
                l.Registration.UpdatedAt.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture),
            })]);
        foreach (var broken in listings.Where(l => l.Error is not null))
        {
            console.WriteInfo($"warning: marketplace '{broken.Registration.Name}': {broken.Error}");
        }

        return Task.FromResult(ExitCodes.Success);
    }
}
