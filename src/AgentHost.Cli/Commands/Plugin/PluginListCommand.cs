using System.CommandLine;
using System.Text.Json;
using AgentHost.Cli.Rendering;

namespace AgentHost.Cli.Commands.Plugin;

/// <summary><c>agent plugin list</c>: installed plugins, loaded to show their real status.</summary>
internal sealed class PluginListCommand : AgentCommand
{
    private readonly Option<bool> _json = new("--json") { Description = "Print JSON instead of a table." };

    private readonly Option<bool> _available = new("--available")
    {
        Description = "List what the bundled catalog and the configured feeds offer instead (the same as 'agent plugin search').",
    };

    public PluginListCommand(CliContext context)
        : base("list", "List installed plugins with version, source, state, capabilities and load status.", context)
    {
        Options.Add(_json);
        Options.Add(_available);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        if (parseResult.GetValue(_available))
        {
            return await PluginSearchCommand.WriteAvailableAsync(Context, parseResult, term: null, parseResult.GetValue(_json), prerelease: false, cancellationToken).ConfigureAwait(false);
        }

        await using var runtime = Context.CreatePluginRuntime(parseResult);
        var installed = runtime.ListInstalled();
        var results = (await runtime.LoadInstalledAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
            .ToDictionary(r => r.PluginId, StringComparer.Ordinal);
        var console = Context.Console;
        var ignored = runtime.IgnoredProjectEnables;
        if (ignored.Count > 0)
        {
            console.WriteInfo($"warning: the project is not trusted: its .agent/plugins.yaml cannot enable plugins you disabled ({string.Join(", ", ignored)}). If you trust this repository, run 'agent trust' in it.");
        }

        if (parseResult.GetValue(_json))
        {
            console.WriteDataLine(JsonSerializer.Serialize(installed.Select(p => PluginFormatting.ToJson(p, results.GetValueOrDefault(p.Locked.Id))), PluginFormatting.Json));
            return ExitCodes.Success;
        }

        if (installed.Count == 0)
        {
            console.WriteLine("No plugins installed. See what the catalog and your feeds offer with 'agent plugin search', then install one with 'agent plugin install <id|folder|.nupkg>'.");
            return ExitCodes.Success;
        }

        var rows = installed.Select(p =>
        {
            var result = results.GetValueOrDefault(p.Locked.Id);
            return new[]
            {
                p.Locked.Id,
                p.Locked.Version,
                p.Locked.Source,
                p.Enabled ? (p.EnabledBy == "project" ? "yes (project)" : "yes")
                    : p.EnabledBy == "project" ? "no (project)"
                    : ignored.Contains(p.Locked.Id) ? "no (project not trusted)" : "no",
                PluginFormatting.Status(result),
                PluginFormatting.Summarize(result?.Capabilities ?? []),
            };
        }).ToList();
        TextTable.Write(console, ["ID", "VERSION", "SOURCE", "ENABLED", "STATUS", "CAPABILITIES"], rows);
        foreach (var failure in results.Values.Where(r => r.Error is not null))
        {
            console.WriteLine();
            console.WriteLine($"{failure.PluginId}: {failure.Error}");
        }

        // Known problems of installed plugins are shown here (and at install, and in 'agent doctor'), not on every run.
        foreach (var (id, plugin) in runtime.Host.Loaded.Where(p => p.Value.Manifest.NotMapped.Count > 0).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            console.WriteLine();
            console.WriteLine($"{id}: {plugin.Manifest.NotMapped.Count} part(s) not supported and not used; 'agent plugin info {id}' lists them:");
            foreach (var part in plugin.Manifest.NotMapped)
            {
                console.WriteLine($"  - {part}");
            }
        }

        return ExitCodes.Success;
    }
}
