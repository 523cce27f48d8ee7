using System.CommandLine;
using AgentHost.Cli.Workflows;

namespace AgentHost.Cli.Commands;

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
        var definition = WorkflowLookup.Find(Context, root, parseResult.GetRequiredValue(_workflow));
        WorkflowLookup.CheckTrusted(Context, root, definition);
        var inputs = WorkflowFrontEnd.Inputs(parseResult.GetValue(_inputs) ?? [], parseResult.GetValue(_inputFile), cwd);
        return await WorkflowFrontEnd.ExecuteAsync(
            Context,
            _choice,
            _budget,
            parseResult,
            definition,
            null,
            (runner, options) => runner.RunAsync(definition, inputs, options, cancellationToken),
            cancellationToken).ConfigureAwait(false);
    }
}
