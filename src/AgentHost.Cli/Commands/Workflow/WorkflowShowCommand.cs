using System.CommandLine;
using AgentHost.Workflows.Rendering;

namespace AgentHost.Cli.Commands.Workflow;

/// <summary><c>agent workflow show NAME|FILE [--mermaid]</c>: the graph as indented text, or as a Mermaid flowchart.</summary>
internal sealed class WorkflowShowCommand : AgentCommand
{
    private readonly Argument<string> _target = new("workflow") { Description = "A workflow name, or a file (a path with a slash, or ending in .yaml/.yml)." };
    private readonly Option<bool> _mermaid = new("--mermaid") { Description = "Print a Mermaid 'flowchart TD' (paste it into a Markdown ```mermaid block)." };
    private readonly PluginOptions _plugins = new();

    public WorkflowShowCommand(CliContext context)
        : base("show", "Show a workflow's graph: inputs, budget, and each node with its kind, key fields, edges and conditions, nested loop bodies and branches; or, with --mermaid, a Mermaid diagram.", context)
    {
        Arguments.Add(_target);
        Options.Add(_mermaid);
        _plugins.AddTo(this);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var catalog = await WorkflowCatalogLoader.LoadAsync(Context, parseResult, _plugins, cancellationToken).ConfigureAwait(false);
        var definition = catalog.Find(parseResult.GetValue(_target)!, Context.Environment.CurrentDirectory);
        Context.Console.Write(parseResult.GetValue(_mermaid) ? WorkflowMermaid.Render(definition) : WorkflowText.Render(definition));
        return ExitCodes.Success;
    }
}
