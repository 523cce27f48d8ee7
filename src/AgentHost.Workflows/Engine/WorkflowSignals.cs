using AgentHost.Agent.Questions;

namespace AgentHost.Workflows.Engine;

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

    /// <summary>The kind of failure <c>retry.on</c> names: <see cref="Model.WorkflowRetry.Failed"/> or <see cref="Model.WorkflowRetry.TimedOut"/>.</summary>
    public string Failure { get; init; } = Model.WorkflowRetry.Failed;

    /// <summary>What the node produced before it failed (a shell node's streams), kept in its output when <c>catch</c> takes over.</summary>
    public System.Text.Json.Nodes.JsonObject? Output { get; init; }
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
