using System.CommandLine;

namespace AgentHost.Cli.Commands;

/// <summary><c>agent workflow …</c>: repeatable multi-step pipelines (docs/workflows.md).</summary>
internal sealed class WorkflowCommand : Command
{
    public WorkflowCommand(CliContext context)
        : base("workflow", "Workflows: list, validate and show multi-step pipelines of agent steps, checks, decisions, loops, parallel branches and questions to a person.")
    {
        Subcommands.Add(new WorkflowListCommand(context));
        Subcommands.Add(new WorkflowValidateCommand(context));
        Subcommands.Add(new WorkflowShowCommand(context));
    }
}
