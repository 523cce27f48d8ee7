namespace AgentHost.Sdk.Events;

/// <summary>Base of the events of one workflow run (docs/workflows.md "Events").</summary>
/// <param name="RunId">The workflow run.</param>
/// <param name="Workflow">The workflow's name.</param>
public abstract record WorkflowEvent(string RunId, string Workflow) : AgentEvent;

/// <summary>A workflow run started, or was resumed.</summary>
/// <param name="RunId">The workflow run.</param>
/// <param name="Workflow">The workflow's name.</param>
/// <param name="Resumed">Whether it continues a stored run.</param>
public sealed record WorkflowStartedEvent(string RunId, string Workflow, bool Resumed) : WorkflowEvent(RunId, Workflow)
{
    /// <inheritdoc />
    public override string Type => "workflow.started";
}

/// <summary>A node of a workflow run started.</summary>
/// <param name="RunId">The workflow run.</param>
/// <param name="Workflow">The workflow's name.</param>
/// <param name="Path">The execution's path (<c>verify#2/test</c>).</param>
/// <param name="Kind">The node kind.</param>
public sealed record WorkflowNodeStartedEvent(string RunId, string Workflow, string Path, string Kind) : WorkflowEvent(RunId, Workflow)
{
    /// <inheritdoc />
    public override string Type => "workflow.node.started";

    /// <summary>Which attempt this is: 1, then 2, 3, … for each retry of a node with <c>retry</c> (counted across resumes).</summary>
    public int Attempt { get; init; } = 1;
}

/// <summary>A node of a workflow run completed (its checkpoint is stored), failed, or was replayed from its checkpoint.</summary>
/// <param name="RunId">The workflow run.</param>
/// <param name="Workflow">The workflow's name.</param>
/// <param name="Path">The execution's path (<c>verify#2/test</c>).</param>
/// <param name="Kind">The node kind.</param>
/// <param name="Status">
/// <c>completed</c>, <c>failed</c>, <c>replayed</c> (completed in an earlier process), <c>retrying</c> (this attempt failed
/// and the node runs again) or <c>caught</c> (it failed for good and its <c>catch</c> node runs next).
/// </param>
public sealed record WorkflowNodeCompletedEvent(string RunId, string Workflow, string Path, string Kind, string Status) : WorkflowEvent(RunId, Workflow)
{
    /// <inheritdoc />
    public override string Type => "workflow.node.completed";

    /// <summary>A one-line summary of the output (<c>exit 0</c>, the choice, the answer's first line), or the error.</summary>
    public string? Summary { get; init; }

    /// <summary>The session of an agent or decision node.</summary>
    public string? SessionId { get; init; }

    /// <summary>Model steps the node took.</summary>
    public int Steps { get; init; }

    /// <summary>The attempt that ended: 1, then 2, 3, … for each retry of a node with <c>retry</c> (counted across resumes).</summary>
    public int Attempt { get; init; } = 1;
}

/// <summary>A workflow run waits for a person to answer a <c>wait</c> node's question.</summary>
/// <param name="RunId">The workflow run.</param>
/// <param name="Workflow">The workflow's name.</param>
/// <param name="Path">The wait node's path.</param>
/// <param name="Question">The question.</param>
public sealed record WorkflowWaitingEvent(string RunId, string Workflow, string Path, string Question) : WorkflowEvent(RunId, Workflow)
{
    /// <inheritdoc />
    public override string Type => "workflow.waiting";

    /// <summary>The allowed answers; any text when empty.</summary>
    public IReadOnlyList<string> Options { get; init; } = [];
}

/// <summary>A workflow run ended this process's part: completed, failed, stopped by a budget, waiting, or cancelled.</summary>
/// <param name="RunId">The workflow run.</param>
/// <param name="Workflow">The workflow's name.</param>
/// <param name="Status"><c>completed</c>, <c>failed</c>, <c>stopped</c>, <c>waiting</c> or <c>cancelled</c>.</param>
public sealed record WorkflowEndedEvent(string RunId, string Workflow, string Status) : WorkflowEvent(RunId, Workflow)
{
    /// <inheritdoc />
    public override string Type => "workflow.ended";

    /// <summary>The run's output, when it completed.</summary>
    public string? Output { get; init; }

    /// <summary>Why it failed, stopped or was cancelled.</summary>
    public string? Reason { get; init; }

    /// <summary>Model steps of the whole run so far.</summary>
    public int Steps { get; init; }

    /// <summary>US dollars the whole run has cost so far.</summary>
    public decimal Cost { get; init; }
}
