using System.CommandLine;

namespace AgentHost.Cli.Commands.Workflow;

/// <summary><c>agent workflow …</c>: repeatable multi-step pipelines (docs/workflows.md): list, validate, show, run, resume, runs.</summary>
internal sealed class WorkflowCommand : Command
{
    public WorkflowCommand(CliContext context)
        : base("workflow", "Workflows: list, validate and show multi-step pipelines of agent steps, checks, decisions, loops, parallel branches and questions to a person; run them with checkpoints, resume them, list their runs.")
    {
        Subcommands.Add(new WorkflowListCommand(context));
        Subcommands.Add(new WorkflowValidateCommand(context));
        Subcommands.Add(new WorkflowShowCommand(context));
        Subcommands.Add(new WorkflowRunCommand(context));
        Subcommands.Add(new WorkflowResumeCommand(context));
        Subcommands.Add(new WorkflowRunsCommand(context));
    }

    /// <summary>The session options of <c>run</c> and <c>resume</c> (a workflow's sessions are its own: no --session/--continue).</summary>
    internal static SessionChoiceOptions Choice()
    {
        var choice = new SessionChoiceOptions();
        choice.Session.Hidden = true;
        choice.Continue.Hidden = true;
        choice.NewSession.Hidden = true;
        return choice;
    }
}
