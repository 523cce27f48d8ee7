using System.CommandLine;
using AgentHost.Cli.Workflows;
using AgentHost.Hosting;

namespace AgentHost.Cli.Commands.Workflow;

/// <summary><c>agent workflow run NAME|FILE</c>: runs a workflow headless; every completed node is a checkpoint.</summary>
internal sealed class WorkflowRunCommand : AgentCommand
{
    private readonly Argument<string> _workflow = new("workflow") { Description = "The workflow's name (see 'agent workflow list') or its file." };
    private readonly Option<string[]> _inputs = new("--input", "-i") { Description = "An input, NAME=VALUE (repeatable).", AllowMultipleArgumentsPerToken = false };
    private readonly Option<string?> _inputFile = new("--input-file") { Description = "Inputs from a JSON object file (--input wins)." };
    private readonly SessionChoiceOptions _choice = WorkflowCommand.Choice();
    private readonly WorkflowRunOptionsCli _budget = new();

    public WorkflowRunCommand(CliContext context)
        : base("run", "Run a workflow; progress on stderr, its output on stdout. Exit 11 when it waits for an answer, 6 at a budget.", context)
    {
        Arguments.Add(_workflow);
        Options.Add(_inputs);
        Options.Add(_inputFile);
        _choice.AddTo(this);
        _budget.AddTo(this);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var cwd = Context.Environment.CurrentDirectory;
        var root = parseResult.GetValue(_choice.Root) is { } r ? Path.GetFullPath(r, cwd) : Context.Configuration(parseResult).ProjectRoot;
        var name = parseResult.GetRequiredValue(_workflow);
        AgentHost.Workflows.Model.WorkflowDefinition? definition = null;
        AgentHostException? notFound = null;
        try
        {
            definition = WorkflowLookup.Find(Context, root, name);
            WorkflowLookup.CheckTrusted(Context, root, definition);
            if (!AgentHost.Workflows.WorkflowCatalog.IsPath(name) && WorkflowLookup.Shadowing(Context, root, definition) is { } note)
            {
                Context.Console.WriteInfo(note);
            }
        }
        catch (AgentHostException ex) when (ex.Kind == ErrorKind.NotFound && !AgentHost.Workflows.WorkflowCatalog.IsPath(name))
        {
            // Perhaps a plugin of the run ships it: looked for again once the plugins are loaded.
            notFound = ex;
        }

        var inputs = WorkflowFrontEnd.Inputs(parseResult.GetValue(_inputs) ?? [], parseResult.GetValue(_inputFile), cwd);
        return await WorkflowFrontEnd.ExecuteAsync(
            Context,
            _choice,
            _budget,
            parseResult,
            definition,
            null,
            (runner, found, options) => runner.RunAsync(found, inputs, options, cancellationToken),
            cancellationToken,
            frontEnd => Plugged(frontEnd, root, name, notFound)).ConfigureAwait(false);
    }

    private AgentHost.Workflows.Model.WorkflowDefinition Plugged(SessionFrontEnd frontEnd, string root, string name, AgentHostException? notFound)
    {
        try
        {
            return WorkflowLookup.FindWithPlugins(Context, root, name, frontEnd.Runtime);
        }
        catch (AgentHostException ex) when (ex.Kind == ErrorKind.NotFound && notFound is not null)
        {
            throw notFound;
        }
    }
}
