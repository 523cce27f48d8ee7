using System.CommandLine;
using System.Text.Json.Nodes;
using AgentHost.Cli.Workflows;
using AgentHost.Hosting;

namespace AgentHost.Cli.Commands.Workflow;

/// <summary><c>agent workflow resume RUN-ID [--answer TEXT]</c>: continues a waiting, stopped, failed or interrupted run from its last checkpoint.</summary>
internal sealed class WorkflowResumeCommand : AgentCommand
{
    private readonly Argument<string> _run = new("run-id") { Description = "The run's id or a unique prefix (see 'agent workflow runs')." };
    private readonly Option<string?> _answer = new("--answer") { Description = "The answer to the question the run is waiting for." };
    private readonly SessionChoiceOptions _choice = WorkflowCommand.Choice();
    private readonly WorkflowRunOptionsCli _budget = new();

    public WorkflowResumeCommand(CliContext context)
        : base("resume", "Continue a workflow run from its last completed node; --answer answers the question it waits for.", context)
    {
        Arguments.Add(_run);
        Options.Add(_answer);
        _choice.AddTo(this);
        _budget.AddTo(this);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        // The run works in its own project and keeps the definition it started with. The store is the process's
        // (shared with the front end), so it is not disposed here.
        var store = await Context.OpenSessionStoreAsync(cancellationToken).ConfigureAwait(false);
        var runId = await store.Workflows.ResolveIdAsync(parseResult.GetRequiredValue(_run), cancellationToken).ConfigureAwait(false);
        var run = await store.Workflows.GetRunAsync(runId, cancellationToken).ConfigureAwait(false);
        var workspace = run.Workspace;
        var definition = WorkflowLookup.FromDocument(
            JsonNode.Parse(run.Definition) as JsonObject ?? throw new AgentHostException(ErrorKind.Configuration, $"workflow run {runId}: its stored definition is not a JSON object."),
            run.SourcePath);

        var answer = parseResult.GetValue(_answer);
        return await WorkflowFrontEnd.ExecuteAsync(
            Context,
            _choice,
            _budget,
            parseResult,
            definition,
            Directory.Exists(workspace) ? workspace : null,
            (runner, _, options) => runner.ResumeAsync(runId, options, answer, cancellationToken),
            cancellationToken).ConfigureAwait(false);
    }
}
