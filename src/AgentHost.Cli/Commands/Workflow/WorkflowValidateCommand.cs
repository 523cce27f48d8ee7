using System.CommandLine;
using AgentHost.Hosting;
using AgentHost.Workflows;
using AgentHost.Workflows.Parsing;

namespace AgentHost.Cli.Commands.Workflow;

/// <summary><c>agent workflow validate NAME|FILE…</c>: every problem of each workflow as file:line; exit 3 when any is invalid.</summary>
internal sealed class WorkflowValidateCommand : AgentCommand
{
    private readonly Argument<string[]> _targets = new("workflow") { Description = "Workflow names, or files (a path with a slash, or ending in .yaml/.yml).", Arity = ArgumentArity.OneOrMore };
    private readonly PluginOptions _plugins = new();

    public WorkflowValidateCommand(CliContext context)
        : base("validate", "Check workflow files (or workflows by name): prints 'ok' for each valid one, or every problem as file:line: field: what is wrong and how to fix it. Exit code 3 when any is invalid.", context)
    {
        Arguments.Add(_targets);
        _plugins.AddTo(this);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var catalog = await WorkflowCatalogLoader.LoadAsync(Context, parseResult, _plugins, cancellationToken).ConfigureAwait(false);
        var invalid = false;
        var missing = false;
        foreach (var target in parseResult.GetValue(_targets) ?? [])
        {
            try
            {
                var definition = catalog.Find(target, Context.Environment.CurrentDirectory);
                Context.Console.WriteLine($"ok: {definition.Name} ({definition.Source.Path})");
            }
            catch (WorkflowFormatException ex)
            {
                invalid = true;
                foreach (var problem in ex.Problems)
                {
                    Context.Console.WriteLine(problem);
                }
            }
            catch (AgentHostException ex) when (ex.Kind == ErrorKind.NotFound)
            {
                missing = true;
                Context.Console.WriteError(ex.Message);
            }
        }

        return invalid ? ExitCodes.Configuration : missing ? ExitCodes.NotFound : ExitCodes.Success;
    }
}
