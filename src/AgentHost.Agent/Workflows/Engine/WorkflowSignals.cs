using AgentHost.Agent.Questions;

namespace AgentHost.Agent.Workflows.Engine;

/// <summary>A node failed: the run ends as <see cref="WorkflowRunStatus.Failed"/> with this message.</summary>
internal sealed class WorkflowNodeFailedException : Exception
{
    public WorkflowNodeFailedException(string message)
        : base(message)
    {
    }

    public WorkflowNodeFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public WorkflowNodeFailedException()
    {
    }
}

/// <summary>A budget was reached: the run ends as <see cref="WorkflowRunStatus.Stopped"/> with this message.</summary>
internal sealed class WorkflowBudgetException : Exception
{
    public WorkflowBudgetException(string message)
        : base(message)
    {
    }

    public WorkflowBudgetException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public WorkflowBudgetException()
    {
    }
}

/// <summary>A wait node asks a person and nobody can answer now: the run ends as <see cref="WorkflowRunStatus.Waiting"/>.</summary>
internal sealed class WorkflowWaitingException : Exception
{
    public WorkflowWaitingException(HumanQuestion question)
        : base($"waiting for an answer to: {question.Text}") => Question = question;

    public WorkflowWaitingException(string message)
        : base(message) => Question = new HumanQuestion("?", message);

    public WorkflowWaitingException(string message, Exception innerException)
        : base(message, innerException) => Question = new HumanQuestion("?", message);

    public WorkflowWaitingException()
        : this("waiting")
    {
    }

    /// <summary>The question.</summary>
    public HumanQuestion Question { get; }
}
