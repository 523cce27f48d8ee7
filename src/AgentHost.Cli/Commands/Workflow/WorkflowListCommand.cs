using System.CommandLine;
using System.Text.Json;
using AgentHost.Cli.Rendering;
using AgentHost.Workflows;

namespace AgentHost.Cli.Commands.Workflow;

/// <summary><c>agent workflow list</c>: every workflow found, where it comes from, and which are shadowed or invalid.</summary>
internal sealed class WorkflowListCommand : AgentCommand
{
    private readonly PluginOptions _plugins = new();
    private readonly Option<bool> _json = new("--json") { Description = "Print JSON (name, description, source, plugin, path, status (ok, shadowed, not-trusted, invalid), shadowedBy, problems)." };

    public WorkflowListCommand(CliContext context)
        : base("list", "List the workflows found (project .agents/workflows/, your workflows folder, plugins, bundled) in precedence order; of two with one name the first wins and the other is shadowed. Invalid files are listed with their problems.", context)
    {
        _plugins.AddTo(this);
        Options.Add(_json);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var catalog = await WorkflowCatalogLoader.LoadAsync(Context, parseResult, _plugins, cancellationToken).ConfigureAwait(false);
        var entries = catalog.Entries;
        if (parseResult.GetValue(_json))
        {
            Context.Console.WriteDataLine(JsonSerializer.Serialize(
                entries.Select(e => new
                {
                    name = e.Name,
                    description = e.Description,
                    source = e.Source.Kind.ToString().ToLowerInvariant(),
                    plugin = e.Source.Plugin,
                    path = e.Source.Path,
                    status = Status(e),
                    shadowedBy = e.ShadowedBy?.Path,
                    problems = e.Problems,
                }),
                PluginFormatting.Json));
            return ExitCodes.Success;
        }

        if (entries.Count == 0)
        {
            Context.Console.WriteLine($"No workflows found. Put one in {catalog.ProjectDirectory} (see docs/workflows.md).");
            return ExitCodes.Success;
        }

        TextTable.Write(Context.Console, ["NAME", "SOURCE", "DESCRIPTION"], entries.Select(e => new[]
        {
            e.Name,
            e.SourceName,
            e.ShadowNote is { } note ? note
                : e.Definition is null ? $"(invalid: {e.Problems.Count} problem{(e.Problems.Count == 1 ? string.Empty : "s")}, below)"
                : e.Description ?? string.Empty,
        }).ToList());

        var invalid = entries.Where(e => e.Definition is null).ToList();
        if (invalid.Count > 0)
        {
            Context.Console.WriteLine();
            Context.Console.WriteLine("Problems ('agent workflow validate NAME|FILE' checks a file again):");
            foreach (var problem in invalid.SelectMany(e => e.Problems))
            {
                Context.Console.WriteLine("  " + problem);
            }
        }

        return ExitCodes.Success;
    }

    private static string Status(WorkflowEntry entry) =>
        entry.NotTrusted ? "not-trusted" : entry.ShadowedBy is not null ? "shadowed" : entry.Definition is null ? "invalid" : "ok";
}
