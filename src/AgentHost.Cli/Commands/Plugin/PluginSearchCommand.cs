using System.CommandLine;
using System.Text.Json;
using AgentHost.Cli.Rendering;
using AgentHost.Installation;

namespace AgentHost.Cli.Commands.Plugin;

/// <summary>
/// <c>agent plugin search [term]</c> (and <c>agent plugin list --available</c>): what the bundled catalog and the
/// configured feeds offer, with whether each plugin is installed and enabled. A feed that cannot be read is reported
/// on stderr (and under <c>unreadable</c> in JSON); the command still succeeds.
/// </summary>
internal sealed class PluginSearchCommand : AgentCommand
{
    private const int DescriptionWidth = 72;

    private readonly Argument<string?> _term = new("term")
    {
        Description = "Text to look for in plugin ids and descriptions (ignoring case); everything when omitted.",
        Arity = ArgumentArity.ZeroOrOne,
    };

    private readonly Option<bool> _json = new("--json") { Description = "Print JSON instead of a table." };

    private readonly Option<bool> _prerelease = new("--prerelease") { Description = "Show prerelease versions." };

    public PluginSearchCommand(CliContext context)
        : base("search", "Search the bundled catalog, the configured feeds and the added marketplaces for plugins to install.", context)
    {
        Arguments.Add(_term);
        Options.Add(_json);
        Options.Add(_prerelease);
    }

    protected override Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken) =>
        WriteAvailableAsync(Context, parseResult, parseResult.GetValue(_term), parseResult.GetValue(_json), parseResult.GetValue(_prerelease), cancellationToken);

    /// <summary>Searches every source and writes the table or JSON; shared with <c>agent plugin list --available</c>.</summary>
    internal static async Task<int> WriteAvailableAsync(CliContext context, ParseResult parseResult, string? term, bool json, bool prerelease, CancellationToken cancellationToken)
    {
        using var http = PluginInstallCommand.CreateHttpClient();
        var installer = PluginInstallCommand.CreateInstaller(context, parseResult, http);
        var found = await installer.SearchAsync(term, prerelease, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<Hosting.Plugins.Installed.InstalledPlugin> installedList;
        await using (var runtime = context.CreatePluginRuntime(parseResult))
        {
            installedList = runtime.ListInstalled();
        }

        var installed = installedList.ToDictionary(p => p.Locked.Id, StringComparer.Ordinal);
        var console = context.Console;
        foreach (var source in found.Unreadable)
        {
            console.WriteInfo($"warning: could not list {source.Source}: {source.Reason}");
        }

        if (json)
        {
            console.WriteDataLine(JsonSerializer.Serialize(
                new
                {
                    plugins = found.Plugins.Select(p => new
                    {
                        id = p.Id,
                        version = p.Version,
                        description = p.Description,
                        source = p.Source,
                        install = p.InstallName ?? (p.Source.StartsWith("marketplace:", StringComparison.Ordinal) ? null : p.Id),
                        installed = installed.TryGetValue(p.Id, out var i) ? i.Locked.Version : null,
                        enabled = installed.TryGetValue(p.Id, out var e) && e.Enabled,
                    }),
                    unreadable = found.Unreadable.Select(u => new { source = u.Source, reason = u.Reason }),
                },
                PluginFormatting.Json));
            return ExitCodes.Success;
        }

        if (found.Plugins.Count == 0)
        {
            console.WriteLine(term is { Length: > 0 }
                ? $"No plugin matches '{term}' in the catalog or the configured feeds."
                : "The catalog and the configured feeds offer no plugins.");
            return ExitCodes.Success;
        }

        var rows = found.Plugins.Select(p => new[]
        {
            p.Id,
            p.Version,
            p.Source,
            installed.TryGetValue(p.Id, out var i) ? $"{i.Locked.Version} ({(i.Enabled ? "enabled" : "disabled")})" : "-",
            Shorten(p.Description),
        }).ToList();
        TextTable.Write(console, ["ID", "VERSION", "SOURCE", "INSTALLED", "DESCRIPTION"], rows);
        console.WriteLine();
        console.WriteLine(found.Plugins.Any(p => p.InstallName is not null)
            ? "Install one with 'agent plugin install <id>', a marketplace's with 'agent plugin install <id>@<marketplace>'; 'agent plugin info <id>' describes an installed plugin."
            : "Install one with 'agent plugin install <id>'; 'agent plugin info <id>' describes an installed plugin.");
        return ExitCodes.Success;
    }

    /// <summary>The first sentence-ish part of a description, cut to fit one table line.</summary>
    private static string Shorten(string? description)
    {
        if (string.IsNullOrWhiteSpace(description))
        {
            return "-";
        }

        var text = description.ReplaceLineEndings(" ").Trim();
        return text.Length <= DescriptionWidth ? text : text[..(DescriptionWidth - 1)].TrimEnd() + "…";
    }
}
