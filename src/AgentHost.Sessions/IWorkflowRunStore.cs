namespace AgentHost.Sessions;

/// <summary>
/// Workflow runs (<see cref="ISessionStore.Workflows"/>): each run's definition, inputs, status and counters, and one
/// row per completed node execution — the checkpoints a resumed run replays (docs/workflows.md "Runs, checkpoints and
/// resume").
/// </summary>
/// <remarks>Thread-safe (the parallel branches of one run record their nodes concurrently). Texts are scrubbed of secrets.</remarks>
public interface IWorkflowRunStore
{
    /// <summary>
    /// The exclusive right to run one workflow run, so that two processes never resume the same run at once (the SQLite
    /// store: an operating-system lock, released when the process ends in any way, kill -9 included).
    /// </summary>
    /// <param name="runId">The run's full id.</param>
    /// <returns>The lease; dispose it when the run stops.</returns>
    /// <exception cref="Hosting.AgentHostException">Another process is running it (<see cref="Hosting.ErrorKind.InUse"/>).</exception>
    IDisposable AcquireRun(string runId);

    /// <summary>Stores a new run with status <see cref="WorkflowRunState.Running"/>.</summary>
    /// <param name="run">What it starts with.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The stored run.</returns>
    Task<WorkflowRunInfo> CreateRunAsync(NewWorkflowRun run, CancellationToken cancellationToken = default);

    /// <summary>Reads a run.</summary>
    /// <param name="runId">The full id.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The run, or <see langword="null"/>.</returns>
    Task<WorkflowRunInfo?> FindRunAsync(string runId, CancellationToken cancellationToken = default);

    /// <summary>Reads a run that must exist.</summary>
    /// <param name="runId">The full id.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The run.</returns>
    /// <exception cref="Hosting.AgentHostException">No such run (<see cref="Hosting.ErrorKind.NotFound"/>).</exception>
    Task<WorkflowRunInfo> GetRunAsync(string runId, CancellationToken cancellationToken = default);

    /// <summary>Finds the run an id or a unique prefix (case-insensitive) names.</summary>
    /// <param name="idOrPrefix">What the user typed.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The full id.</returns>
    /// <exception cref="Hosting.AgentHostException">No run matches (<see cref="Hosting.ErrorKind.NotFound"/>), or several do (<see cref="Hosting.ErrorKind.Usage"/>).</exception>
    Task<string> ResolveIdAsync(string idOrPrefix, CancellationToken cancellationToken = default);

    /// <summary>Lists runs, most recently updated first.</summary>
    /// <param name="workspace">Only the runs of this project root; all when <see langword="null"/>.</param>
    /// <param name="limit">At most this many.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The runs.</returns>
    Task<IReadOnlyList<WorkflowRunInfo>> ListRunsAsync(string? workspace = null, int? limit = null, CancellationToken cancellationToken = default);

    /// <summary>The completed node executions of a run, in the order they completed.</summary>
    /// <param name="runId">The run.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The checkpoints.</returns>
    Task<IReadOnlyList<WorkflowNodeRecord>> GetNodesAsync(string runId, CancellationToken cancellationToken = default);

    /// <summary>
    /// The checkpoint: records a completed node execution and the run's new totals in one transaction (a crash keeps
    /// both or neither), clearing a pending question and setting the status back to running.
    /// </summary>
    /// <param name="runId">The run.</param>
    /// <param name="node">The completed execution (a path already recorded is replaced).</param>
    /// <param name="counters">The run's totals including this node.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>A task.</returns>
    /// <exception cref="Hosting.AgentHostException">No such run (<see cref="Hosting.ErrorKind.NotFound"/>).</exception>
    Task RecordNodeAsync(string runId, WorkflowNodeRecord node, WorkflowRunCounters counters, CancellationToken cancellationToken = default);

    /// <summary>
    /// Marks a node execution as started (before a command with side effects begins): until it completes
    /// (<see cref="RecordNodeAsync"/>) or its end is known (<see cref="ClearStartedAsync"/>), a resume knows it may
    /// have run. A path already completed keeps its checkpoint.
    /// </summary>
    /// <param name="runId">The run.</param>
    /// <param name="path">The execution path.</param>
    /// <param name="kind">The node kind.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>A task.</returns>
    Task MarkStartedAsync(string runId, string path, string kind, CancellationToken cancellationToken = default);

    /// <summary>Forgets that a node execution started (its end is known: it failed, was cancelled or was cut short, and said so).</summary>
    /// <param name="runId">The run.</param>
    /// <param name="path">The execution path.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>A task.</returns>
    Task ClearStartedAsync(string runId, string path, CancellationToken cancellationToken = default);

    /// <summary>The node executions that started and neither completed nor ended knowingly: the process died while they ran.</summary>
    /// <param name="runId">The run.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>Their paths.</returns>
    Task<IReadOnlyList<string>> GetStartedAsync(string runId, CancellationToken cancellationToken = default);

    /// <summary>Sets a run's status, reason and totals (a run that ends, stops, or starts again on resume).</summary>
    /// <param name="runId">The run.</param>
    /// <param name="status">The new status.</param>
    /// <param name="reason">Why (failed, stopped, cancelled); <see langword="null"/> clears it.</param>
    /// <param name="counters">The run's totals.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>A task.</returns>
    /// <exception cref="Hosting.AgentHostException">No such run (<see cref="Hosting.ErrorKind.NotFound"/>).</exception>
    Task SetStatusAsync(string runId, WorkflowRunState status, string? reason, WorkflowRunCounters counters, CancellationToken cancellationToken = default);

    /// <summary>
    /// Marks a run waiting for a person: stores the question and, unless the same question is already pending, the
    /// time it was first asked (a wait node's timeout counts from it, across resumes).
    /// </summary>
    /// <param name="runId">The run.</param>
    /// <param name="question">The question as JSON.</param>
    /// <param name="counters">The run's totals.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The time the question was first asked.</returns>
    /// <exception cref="Hosting.AgentHostException">No such run (<see cref="Hosting.ErrorKind.NotFound"/>).</exception>
    Task<DateTimeOffset> SetWaitingAsync(string runId, string question, WorkflowRunCounters counters, CancellationToken cancellationToken = default);

    /// <summary>Deletes a run with its checkpoints (the sessions of its agent nodes stay).</summary>
    /// <param name="runId">The run.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>Whether a run was deleted.</returns>
    Task<bool> DeleteRunAsync(string runId, CancellationToken cancellationToken = default);

    /// <summary>
    /// The status to show: a run stored as running that no process is running any more ended without recording it
    /// (kill -9, a crash) and is shown as <c>interrupted</c>; resume continues it.
    /// </summary>
    /// <param name="run">The stored run.</param>
    /// <returns><c>interrupted</c>, or the stored status (<see cref="WorkflowRuns.WorkflowRunStore.StatusText"/>).</returns>
    string DisplayStatus(WorkflowRunInfo run);
}
