using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using AgentHost.Sessions;

namespace AgentHost.Cli.Commands.Workflow;

/// <summary><c>agent workflow runs</c>: this project's workflow runs, newest first.</summary>
internal sealed class WorkflowRunsCommand : AgentCommand
{
    private readonly Option<bool> _json = new("--json") { Description = "Print the runs as a JSON array." };
    private readonly Option<bool> _all = new("--all") { Description = "Runs of every project, not only this one." };

    public WorkflowRunsCommand(CliContext context)
        : base("runs", "List this project's workflow runs: id, workflow, status, stop reason, last update.", context)
    {
        Options.Add(_json);
        Options.Add(_all);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var workspace = parseResult.GetValue(_all) ? null : Context.Configuration(parseResult).ProjectRoot;
        var store = await Context.OpenSessionStoreAsync(cancellationToken).ConfigureAwait(false);
        var runs = await store.Workflows.ListRunsAsync(workspace, 200, cancellationToken).ConfigureAwait(false);
        if (parseResult.GetValue(_json))
        {
            Context.Console.WriteDataLine(JsonSerializer.Serialize(runs.Select(r => new
            {
                id = r.Id,
                workflow = r.Workflow,
                status = store.Workflows.DisplayStatus(r),
                reason = r.Reason,
                workspace = r.Workspace,
                steps = r.Counters.ModelSteps,
                cost = r.Counters.Cost,
                createdAt = r.CreatedAt,
                updatedAt = r.UpdatedAt,
            })));
            return ExitCodes.Success;
        }

        if (runs.Count == 0)
        {
            Context.Console.WriteInfo("no workflow runs in this project yet. Start one with 'agent workflow run NAME'.");
            return ExitCodes.Success;
        }

        foreach (var run in runs)
        {
            var updated = run.UpdatedAt.ToLocalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
            var reason = run.Reason is { } why ? $"  {why}" : string.Empty;
            Context.Console.WriteLine($"{run.Id}  {run.Workflow,-24}  {store.Workflows.DisplayStatus(run),-11}  {updated}{reason}");
        }

        return ExitCodes.Success;
    }
}
