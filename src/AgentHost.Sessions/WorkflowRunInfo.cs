namespace AgentHost.Sessions;

/// <summary>Where a workflow run stands (the <c>status</c> column of <c>workflow_runs</c>).</summary>
public enum WorkflowRunState
{
    /// <summary>Running now, or interrupted (the process died): <c>resume</c> continues it.</summary>
    Running,

    /// <summary>A <c>wait</c> node asked a person; <c>resume --answer</c> continues it.</summary>
    Waiting,

    /// <summary>Completed; its output is stored in the last node.</summary>
    Completed,

    /// <summary>A node failed (the reason names it).</summary>
    Failed,

    /// <summary>A budget was reached (the reason names the limit); <c>resume</c> with a higher limit continues it.</summary>
    Stopped,

    /// <summary>Cancelled (Ctrl+C); <c>resume</c> continues it.</summary>
    Cancelled,
}

/// <summary>What a new workflow run starts with (<see cref="WorkflowRuns.WorkflowRunStore.CreateRunAsync"/>).</summary>
/// <param name="Workflow">The workflow's name.</param>
/// <param name="Workspace">The project root it runs in.</param>
/// <param name="Definition">The workflow's definition as a JSON document (the one the run keeps using on resume).</param>
/// <param name="Inputs">The validated inputs as a JSON object.</param>
public sealed record NewWorkflowRun(string Workflow, string Workspace, string Definition, string Inputs)
{
    /// <summary>The file it was read from, when there is one.</summary>
    public string? SourcePath { get; init; }

    /// <summary>The user who started it on a shared server (<see cref="WorkflowRunInfo.Owner"/>); <see langword="null"/> for none.</summary>
    public string? Owner { get; init; }
}

/// <summary>Running totals of a workflow run, stored with each checkpoint.</summary>
/// <param name="ModelSteps">Model steps of its agent and decision nodes.</param>
/// <param name="Cost">US dollars spent (from the catalog's prices; 0 when the models have none).</param>
/// <param name="ActiveMilliseconds">Wall time while running, waiting for a person excluded.</param>
public sealed record WorkflowRunCounters(int ModelSteps, decimal Cost, long ActiveMilliseconds)
{
    /// <summary>A run that has not done anything yet.</summary>
    public static WorkflowRunCounters Zero { get; } = new(0, 0m, 0);
}

/// <summary>A stored workflow run (a row of <c>workflow_runs</c>).</summary>
/// <param name="Id">The run's id (ULID, like session ids).</param>
/// <param name="Workflow">The workflow's name.</param>
/// <param name="Workspace">The project root it runs in.</param>
/// <param name="Status">Where it stands.</param>
public sealed record WorkflowRunInfo(string Id, string Workflow, string Workspace, WorkflowRunState Status)
{
    /// <summary>The file the workflow was read from, when there was one.</summary>
    public string? SourcePath { get; init; }

    /// <summary>The definition as a JSON document.</summary>
    public string Definition { get; init; } = "{}";

    /// <summary>The inputs as a JSON object.</summary>
    public string Inputs { get; init; } = "{}";

    /// <summary>Why it failed, stopped or was cancelled.</summary>
    public string? Reason { get; init; }

    /// <summary>The question a waiting run asks, as JSON (the engine's format), or <see langword="null"/>.</summary>
    public string? PendingQuestion { get; init; }

    /// <summary>When <see cref="PendingQuestion"/> was first asked (a wait node's timeout counts from it).</summary>
    public DateTimeOffset? PendingSince { get; init; }

    /// <summary>Its running totals.</summary>
    public WorkflowRunCounters Counters { get; init; } = WorkflowRunCounters.Zero;

    /// <summary>When it was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When it last changed.</summary>
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>
    /// The user who started it on a shared server (docs/server.md "Users and roles"): a member sees and answers only
    /// their own runs. <see langword="null"/> for a run started without users (the CLI, the server's own token).
    /// </summary>
    public string? Owner { get; init; }
}

/// <summary>One completed node execution of a run (a row of <c>workflow_nodes</c>): a checkpoint.</summary>
/// <param name="Path">
/// The execution's path, unique in the run: the node id, prefixed by its enclosing nodes with the loop iteration or
/// branch name (<c>verify#2/test</c>, <c>review/security/check</c>).
/// </param>
/// <param name="Kind">The node kind (<c>agent</c>, <c>shell</c>, …).</param>
/// <param name="Output">The node's output as JSON.</param>
public sealed record WorkflowNodeRecord(string Path, string Kind, string Output)
{
    /// <summary>The session of an agent or decision node.</summary>
    public string? SessionId { get; init; }

    /// <summary>Model steps the node took.</summary>
    public int Steps { get; init; }

    /// <summary>US dollars the node spent.</summary>
    public decimal Cost { get; init; }

    /// <summary>When it started.</summary>
    public DateTimeOffset StartedAt { get; init; }

    /// <summary>When it completed.</summary>
    public DateTimeOffset EndedAt { get; init; }
}
