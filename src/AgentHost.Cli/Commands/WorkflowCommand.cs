using System.CommandLine;

namespace AgentHost.Cli.Commands;

/// <summary><c>agent workflow …</c>: run, resume and list workflow runs.</summary>
internal sealed class WorkflowCommand : Command
{
    public WorkflowCommand(CliContext context)
        : base("workflow", "Run repeatable multi-step workflows with checkpoints; resume them; list their runs.")
    {
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
        return choice;
    }
}
