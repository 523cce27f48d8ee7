using AgentHost.Agent.Questions;
using AgentHost.Permissions;
using AgentHost.Permissions.Rules;
using AgentHost.Permissions.Sandbox;
using AgentHost.Workflows.Model;

namespace AgentHost.Workflows.Engine;

/// <summary>How a workflow run (or resume) runs: where, with which model, mode, limits and people.</summary>
/// <param name="WorkspaceRoot">The project root: agent sessions work in it, shell nodes run in it.</param>
public sealed record WorkflowRunOptions(string WorkspaceRoot)
{
    /// <summary><c>provider/model</c> for agent and decision nodes that name none when the workflow names none either (<c>--model</c>).</summary>
    public string? Model { get; init; }

    /// <summary>The permission mode of agent and tool nodes without their own (<c>--permission-mode</c>).</summary>
    public PermissionMode? PermissionMode { get; init; }

    /// <summary>The sandbox mode of shell nodes (<c>--sandbox</c>), over <c>sandbox.mode</c>; from the configuration when <see langword="null"/>.</summary>
    public SandboxMode? Sandbox { get; init; }

    /// <summary>
    /// The user who starts the run on a shared server (docs/server.md "Users and roles"): stored as the run's owner and
    /// the owner of its agent nodes' sessions. A resume keeps the owner the run was stored with.
    /// </summary>
    public string? Owner { get; init; }

    /// <summary>
    /// One more session-policy layer for every agent node's session and every tool node (a shared server's
    /// <c>deny_tools</c> of the tools that act on what every session shares, for a run a non-admin starts); none when
    /// <see langword="null"/>. It only narrows.
    /// </summary>
    public SessionPolicy? SessionPolicy { get; init; }

    /// <summary>
    /// Admits each agent or decision node's turn before it runs, given the turn's session id (none for a new session before its first turn), prompt and model text (<see langword="null"/>: the configured one; a shared server
    /// takes one of the owner's run slots and prices the turn's reservation by the model, docs/server.md "Limits"): what it returns is held until the turn ends, then
    /// disposed; an <see cref="Hosting.AgentHostException"/> refuses the turn and the node fails with its message. Every
    /// turn runs when <see langword="null"/>.
    /// </summary>
    public Func<string?, string, string?, CancellationToken, Task<IAsyncDisposable?>>? AdmitTurn { get; init; }

    /// <summary>
    /// Checks a model an agent node's workflow names (the node's own <c>model</c>, else its workflow's; not the run's
    /// <see cref="Model"/>), given the model and the field to name (<c>model</c>), and returns the model to use: a shared server holds a model whose provider
    /// reads a file to the run owner's roots. An <see cref="Hosting.AgentHostException"/> fails the node with its message
    /// before its session is made. Every model is used as given when <see langword="null"/>.
    /// </summary>
    public Func<string, string, string>? CheckModel { get; init; }

    /// <summary>Whether a person is present (permission questions are asked rather than denied).</summary>
    public bool Interactive { get; init; }

    /// <summary>Overrides the workflow's <c>budget.max_steps</c> (<c>--max-steps</c>).</summary>
    public int? MaxSteps { get; init; }

    /// <summary>Overrides the workflow's <c>budget.max_time</c> (<c>--max-time</c>).</summary>
    public TimeSpan? MaxTime { get; init; }

    /// <summary>Overrides the workflow's <c>budget.max_cost</c> in US dollars (<c>--max-cost</c>).</summary>
    public decimal? MaxCost { get; init; }

    /// <summary>The plugins the run loaded by name, recorded on each agent node's session (like <c>agent run</c> does).</summary>
    public IReadOnlyList<string>? Plugins { get; init; }

    /// <summary>Who answers <c>wait</c> nodes now; without one (or when it cannot answer) a wait node makes the run wait.</summary>
    public IHumanQuestions? Questions { get; init; }

    /// <summary>
    /// Finds a sub-workflow named by a <c>workflow</c> node: its name or path, and the file of the workflow that names
    /// it (paths are relative to it). Without it, only inline sub-workflows run.
    /// </summary>
    public Func<string, string?, WorkflowDefinition>? FindWorkflow { get; init; }

    /// <summary>
    /// Whether a workflow's file is inside a project that is not trusted (<see cref="WorkflowTrust.IsInUntrustedProject"/>).
    /// With it, a run (or resume) whose call graph reaches what such a project may not run is refused before anything
    /// runs, and a sub-workflow called from an untrusted one is held to the same rules whatever its source. Without it,
    /// every workflow is taken as trusted.
    /// </summary>
    public Func<WorkflowDefinition, bool>? InUntrustedProject { get; init; }

    /// <summary>
    /// Stops the run so that another process continues it (a cluster node that stops, docs/cluster.md "Workflow runs"):
    /// the node in flight is cut short as on a cancel, but the run stays stored as running — shown <c>interrupted</c> once
    /// this process lets it go, and continued by a resume — and ends here as <see cref="WorkflowRunStatus.HandedOver"/>.
    /// </summary>
    public CancellationToken HandOver { get; init; }
}

/// <summary>How a run's part in this process ended.</summary>
public enum WorkflowRunStatus
{
    /// <summary>The workflow completed; <see cref="WorkflowRunResult.Output"/> holds its output.</summary>
    Completed,

    /// <summary>A node failed; the reason names it.</summary>
    Failed,

    /// <summary>A budget was reached; the reason names the limit and how to raise it.</summary>
    Stopped,

    /// <summary>A wait node asks a person; <see cref="WorkflowRunResult.Pending"/> is the question.</summary>
    Waiting,

    /// <summary>Cancelled; resume continues it.</summary>
    Cancelled,

    /// <summary>
    /// Stopped here for another process to continue (<see cref="WorkflowRunOptions.HandOver"/>): still stored as running,
    /// with no end recorded and no <see cref="Sdk.Events.WorkflowEndedEvent"/>.
    /// </summary>
    HandedOver,
}

/// <summary>The result of <see cref="WorkflowRunner.RunAsync"/> and <see cref="WorkflowRunner.ResumeAsync"/>.</summary>
/// <param name="RunId">The stored run.</param>
/// <param name="Status">How it ended.</param>
/// <param name="Output">The workflow's output (completed).</param>
/// <param name="Reason">Why it failed, stopped or was cancelled.</param>
public sealed record WorkflowRunResult(string RunId, WorkflowRunStatus Status, string? Output, string? Reason)
{
    /// <summary>The question of a waiting run.</summary>
    public HumanQuestion? Pending { get; init; }

    /// <summary>The workflow's name.</summary>
    public string Workflow { get; init; } = string.Empty;

    /// <summary>Model steps of the whole run so far.</summary>
    public int Steps { get; init; }

    /// <summary>US dollars the whole run has cost so far.</summary>
    public decimal Cost { get; init; }
}
