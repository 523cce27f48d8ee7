using AgentHost.Hosting;
using System.Data.Common;
using AgentHost.Sessions.Sql;
using static AgentHost.Sessions.Sql.SessionDatabase;

namespace AgentHost.Sessions.WorkflowRuns;

/// <summary>
/// Workflow runs (<see cref="Store.SessionStore.Workflows"/>): each run's definition, inputs, status and counters, and one row
/// per completed node execution. Recording a node and the run's counters is one transaction — the checkpoint a resumed
/// run replays (docs/workflows.md "Runs, checkpoints and resume").
/// </summary>
/// <remarks>Thread-safe (the parallel branches of one run record their nodes concurrently). Texts are scrubbed of secrets.</remarks>
public sealed class WorkflowRunStore : IWorkflowRunStore
{
    private const string RunColumns = """
        id, workflow, workspace, status, source_path, definition, inputs, reason, pending_question, pending_since,
        model_steps, cost_nanousd, active_ms, created_at, updated_at, owner
        """;

    private readonly SessionDatabase _database;

    internal WorkflowRunStore(SessionDatabase database) => _database = database;

    /// <summary>
    /// The exclusive right to run one workflow run (an operating-system lock, like a session's lease: released when the
    /// process ends in any way, kill -9 included), so that two processes never resume the same run at once.
    /// </summary>
    /// <param name="runId">The run's full id.</param>
    /// <returns>The lease; dispose it when the run stops.</returns>
    /// <exception cref="AgentHostException">Another process is running it (<see cref="ErrorKind.InUse"/>).</exception>
    public IDisposable AcquireRun(string runId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        _database.ThrowIfDisposed();
        var key = "workflow-" + runId;
        return _database.TryLockExclusive(key, writeOwner: true)
            ?? throw new AgentHostException(
                ErrorKind.InUse,
                $"workflow run {runId} is being run by {_database.DescribeLockOwner(key)}; wait for it to finish or stop that process, then resume it.");
    }

    /// <summary>Stores a new run with status <see cref="WorkflowRunState.Running"/>.</summary>
    /// <param name="run">What it starts with.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The stored run.</returns>
    public async Task<WorkflowRunInfo> CreateRunAsync(NewWorkflowRun run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentException.ThrowIfNullOrWhiteSpace(run.Workflow);
        var id = SessionIds.New(_database.Clock);
        var now = _database.Now();
        await _database.WriteAsync(
            (connection, transaction) =>
            {
                using var command = Command(
                    connection,
                    transaction,
                    """
                    INSERT INTO workflow_runs (id, workflow, source_path, definition, inputs, workspace, status, created_at, updated_at, owner)
                    VALUES (@id, @workflow, @source, @definition, @inputs, @workspace, 'running', @now, @now, @owner)
                    """,
                    ("@id", id),
                    ("@workflow", run.Workflow),
                    ("@source", run.SourcePath),
                    ("@definition", _database.Scrubber.Scrub(run.Definition)),
                    ("@inputs", _database.Scrubber.Scrub(run.Inputs)),
                    ("@workspace", SessionRows.NormalizeWorkspace(run.Workspace)),
                    ("@now", now),
                    ("@owner", run.Owner));
                return command.ExecuteNonQuery();
            },
            cancellationToken).ConfigureAwait(false);
        return await GetRunAsync(id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads a run.</summary>
    /// <param name="runId">The full id.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The run, or <see langword="null"/>.</returns>
    public Task<WorkflowRunInfo?> FindRunAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        return _database.ReadAsync(connection => ReadRun(connection, null, runId), cancellationToken);
    }

    /// <summary>Reads a run that must exist.</summary>
    /// <param name="runId">The full id.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The run.</returns>
    /// <exception cref="AgentHostException">No such run (<see cref="ErrorKind.NotFound"/>).</exception>
    public async Task<WorkflowRunInfo> GetRunAsync(string runId, CancellationToken cancellationToken = default) =>
        await FindRunAsync(runId, cancellationToken).ConfigureAwait(false) ?? throw NotFound(runId);

    /// <summary>Finds the run an id or a unique prefix (case-insensitive) names.</summary>
    /// <param name="idOrPrefix">What the user typed.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The full id.</returns>
    /// <exception cref="AgentHostException">No run matches (<see cref="ErrorKind.NotFound"/>), or several do (<see cref="ErrorKind.Usage"/>).</exception>
    public Task<string> ResolveIdAsync(string idOrPrefix, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(idOrPrefix);
        var wanted = SessionIds.Normalize(idOrPrefix);
        return _database.ReadAsync(
            connection =>
            {
                if (wanted.Length == 0)
                {
                    throw new AgentHostException(ErrorKind.Usage, "a workflow run id is required. See 'agent workflow runs'.");
                }

                var matches = SessionRows.WithPrefix(connection, "workflow_runs", wanted);

                return matches switch
                {
                    [var only] => only,
                    _ when matches.Contains(wanted) => wanted,
                    [] => throw NotFound(idOrPrefix.Trim()),
                    _ => throw new AgentHostException(
                        ErrorKind.Usage,
                        $"'{idOrPrefix.Trim()}' matches several workflow runs ({string.Join(", ", matches.Take(5))}{(matches.Count > 5 ? ", …" : string.Empty)}). Type more of the id."),
                };
            },
            cancellationToken);
    }

    /// <summary>Lists runs, most recently updated first.</summary>
    /// <param name="workspace">Only the runs of this project root; all when <see langword="null"/>.</param>
    /// <param name="limit">At most this many.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The runs.</returns>
    public Task<IReadOnlyList<WorkflowRunInfo>> ListRunsAsync(string? workspace = null, int? limit = null, CancellationToken cancellationToken = default)
    {
        var normalized = workspace is null ? null : SessionRows.NormalizeWorkspace(workspace);
        return _database.ReadAsync<IReadOnlyList<WorkflowRunInfo>>(
            connection =>
            {
                using var command = Command(
                    connection,
                    null,
                    $"SELECT {RunColumns} FROM workflow_runs WHERE (CAST(@ws AS TEXT) IS NULL OR workspace = @ws) ORDER BY updated_at DESC, id DESC LIMIT @limit",
                    ("@ws", normalized),
                    ("@limit", limit ?? int.MaxValue));
                using var reader = command.ExecuteReader();
                var runs = new List<WorkflowRunInfo>();
                while (reader.Read())
                {
                    runs.Add(Read(reader));
                }

                return runs;
            },
            cancellationToken);
    }

    /// <summary>The completed node executions of a run, in the order they completed.</summary>
    /// <param name="runId">The run.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The checkpoints.</returns>
    public Task<IReadOnlyList<WorkflowNodeRecord>> GetNodesAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        return _database.ReadAsync<IReadOnlyList<WorkflowNodeRecord>>(
            connection =>
            {
                using var command = Command(
                    connection,
                    null,
                    "SELECT path, kind, output, session_id, steps, cost_nanousd, started_at, ended_at FROM workflow_nodes WHERE run_id = @id AND completed = 1 ORDER BY ended_at, rowid",
                    ("@id", runId));
                using var reader = command.ExecuteReader();
                var nodes = new List<WorkflowNodeRecord>();
                while (reader.Read())
                {
                    nodes.Add(new WorkflowNodeRecord(reader.GetString(0), reader.GetString(1), reader.GetString(2))
                    {
                        SessionId = reader.IsDBNull(3) ? null : reader.GetString(3),
                        Steps = reader.GetInt32(4),
                        Cost = reader.GetInt64(5) / 1_000_000_000m,
                        StartedAt = Time(reader.GetInt64(6)),
                        EndedAt = Time(reader.GetInt64(7)),
                    });
                }

                return nodes;
            },
            cancellationToken);
    }

    /// <summary>
    /// The checkpoint: records a completed node execution and the run's new totals in one transaction (a crash keeps
    /// both or neither), clearing a pending question and setting the status back to running.
    /// </summary>
    /// <param name="runId">The run.</param>
    /// <param name="node">The completed execution (a path already recorded is replaced).</param>
    /// <param name="counters">The run's totals including this node.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>A task.</returns>
    /// <exception cref="AgentHostException">No such run (<see cref="ErrorKind.NotFound"/>).</exception>
    public async Task RecordNodeAsync(string runId, WorkflowNodeRecord node, WorkflowRunCounters counters, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(counters);
        var now = _database.Now();
        await _database.WriteAsync(
            (connection, transaction) =>
            {
                UpdateRun(connection, transaction, runId, "status = 'running', pending_question = NULL, pending_since = NULL", counters, now);
                using var insert = Command(
                    connection,
                    transaction,
                    """
                    INSERT INTO workflow_nodes (run_id, path, kind, output, session_id, steps, cost_nanousd, started_at, ended_at)
                    VALUES (@run, @path, @kind, @output, @session, @steps, @cost, @started, @ended)
                    ON CONFLICT (run_id, path) DO UPDATE SET kind = excluded.kind, output = excluded.output,
                        session_id = excluded.session_id, steps = excluded.steps, cost_nanousd = excluded.cost_nanousd,
                        started_at = excluded.started_at, ended_at = excluded.ended_at, completed = 1
                    """,
                    ("@run", runId),
                    ("@path", node.Path),
                    ("@kind", node.Kind),
                    ("@output", _database.Codec.Clean(node.Output)),
                    ("@session", node.SessionId),
                    ("@steps", node.Steps),
                    ("@cost", Nanos(node.Cost)),
                    ("@started", node.StartedAt == default ? now : node.StartedAt.ToUnixTimeMilliseconds()),
                    ("@ended", node.EndedAt == default ? now : node.EndedAt.ToUnixTimeMilliseconds()));
                return insert.ExecuteNonQuery();
            },
            cancellationToken).ConfigureAwait(false);
    }

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
    public Task MarkStartedAsync(string runId, string path, string kind, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(kind);
        var now = _database.Now();
        return _database.WriteAsync(
            (connection, transaction) =>
            {
                using var insert = Command(
                    connection,
                    transaction,
                    """
                    INSERT INTO workflow_nodes (run_id, path, kind, output, started_at, ended_at, completed)
                    VALUES (@run, @path, @kind, '{}', @now, @now, 0)
                    ON CONFLICT (run_id, path) DO UPDATE SET started_at = excluded.started_at WHERE completed = 0
                    """,
                    ("@run", runId),
                    ("@path", path),
                    ("@kind", kind),
                    ("@now", now));
                return insert.ExecuteNonQuery();
            },
            cancellationToken);
    }

    /// <summary>Forgets that a node execution started (its end is known: it failed, was cancelled or was cut short, and said so).</summary>
    /// <param name="runId">The run.</param>
    /// <param name="path">The execution path.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>A task.</returns>
    public Task ClearStartedAsync(string runId, string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        ArgumentNullException.ThrowIfNull(path);
        return _database.WriteAsync(
            (connection, transaction) =>
            {
                using var delete = Command(connection, transaction, "DELETE FROM workflow_nodes WHERE run_id = @run AND path = @path AND completed = 0", ("@run", runId), ("@path", path));
                return delete.ExecuteNonQuery();
            },
            cancellationToken);
    }

    /// <summary>The node executions that started and neither completed nor ended knowingly: the process died while they ran.</summary>
    /// <param name="runId">The run.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>Their paths.</returns>
    public Task<IReadOnlyList<string>> GetStartedAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        return _database.ReadAsync<IReadOnlyList<string>>(
            connection =>
            {
                using var command = Command(connection, null, "SELECT path FROM workflow_nodes WHERE run_id = @id AND completed = 0 ORDER BY rowid", ("@id", runId));
                using var reader = command.ExecuteReader();
                var paths = new List<string>();
                while (reader.Read())
                {
                    paths.Add(reader.GetString(0));
                }

                return paths;
            },
            cancellationToken);
    }

    /// <summary>Sets a run's status, reason and totals (a run that ends, stops, or starts again on resume).</summary>
    /// <param name="runId">The run.</param>
    /// <param name="status">The new status.</param>
    /// <param name="reason">Why (failed, stopped, cancelled); <see langword="null"/> clears it.</param>
    /// <param name="counters">The run's totals.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>A task.</returns>
    /// <exception cref="AgentHostException">No such run (<see cref="ErrorKind.NotFound"/>).</exception>
    public async Task SetStatusAsync(string runId, WorkflowRunState status, string? reason, WorkflowRunCounters counters, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        ArgumentNullException.ThrowIfNull(counters);
        var now = _database.Now();
        await _database.WriteAsync(
            (connection, transaction) =>
            {
                // A waiting run keeps its question (and when it was first asked) until a checkpoint answers it.
                var clear = status == WorkflowRunState.Waiting ? string.Empty : ", pending_question = NULL, pending_since = NULL";
                UpdateRun(connection, transaction, runId, $"status = @status, reason = @reason{clear}", counters, now, ("@status", StatusText(status)), ("@reason", reason is null ? null : _database.Scrubber.Scrub(reason)));
                return 0;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Marks a run waiting for a person: stores the question and, unless the same question is already pending, the
    /// time it was first asked (a wait node's timeout counts from it, across resumes).
    /// </summary>
    /// <param name="runId">The run.</param>
    /// <param name="question">The question as JSON.</param>
    /// <param name="counters">The run's totals.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The time the question was first asked.</returns>
    /// <exception cref="AgentHostException">No such run (<see cref="ErrorKind.NotFound"/>).</exception>
    public Task<DateTimeOffset> SetWaitingAsync(string runId, string question, WorkflowRunCounters counters, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        ArgumentNullException.ThrowIfNull(question);
        ArgumentNullException.ThrowIfNull(counters);
        var now = _database.Now();
        var text = _database.Scrubber.Scrub(question);
        return _database.WriteAsync(
            (connection, transaction) =>
            {
                UpdateRun(
                    connection,
                    transaction,
                    runId,
                    "status = 'waiting', reason = NULL, pending_since = CASE WHEN pending_question IS NOT DISTINCT FROM CAST(@q AS TEXT) AND pending_since IS NOT NULL THEN pending_since ELSE @now END, pending_question = @q",
                    counters,
                    now,
                    ("@q", text));
                return Time(ScalarLong(connection, transaction, "SELECT pending_since FROM workflow_runs WHERE id = @id", ("@id", runId)));
            },
            cancellationToken);
    }

    /// <summary>Deletes a run with its checkpoints (the sessions of its agent nodes stay).</summary>
    /// <param name="runId">The run.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>Whether a run was deleted.</returns>
    public Task<bool> DeleteRunAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        return _database.WriteAsync(
            (connection, transaction) =>
            {
                using var command = Command(connection, transaction, "DELETE FROM workflow_runs WHERE id = @id", ("@id", runId));
                return command.ExecuteNonQuery() > 0;
            },
            cancellationToken);
    }

    /// <summary>The stored spelling of a status.</summary>
    public static string StatusText(WorkflowRunState status) => status.ToString().ToLowerInvariant();

    /// <summary>
    /// The status to show: a run stored as running whose lease no process holds ended without recording it (kill -9,
    /// a crash) and is shown as <c>interrupted</c>; resume continues it.
    /// </summary>
    /// <param name="run">The stored run.</param>
    /// <returns><c>interrupted</c>, or the stored status.</returns>
    public string DisplayStatus(WorkflowRunInfo run)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (run.Status != WorkflowRunState.Running)
        {
            return StatusText(run.Status);
        }

        using var probe = _database.TryLockExclusive("workflow-" + run.Id);
        return probe is null ? StatusText(run.Status) : "interrupted";
    }

    private static void UpdateRun(DbConnection connection, DbTransaction transaction, string runId, string set, WorkflowRunCounters counters, long now, params (string Name, object? Value)[] extra)
    {
        (string, object?)[] parameters =
        [
            ("@id", runId),
            ("@steps", counters.ModelSteps),
            ("@cost", Nanos(counters.Cost)),
            ("@active", counters.ActiveMilliseconds),
            ("@now", now),
            .. extra,
        ];
        using var command = Command(
            connection,
            transaction,
            $"UPDATE workflow_runs SET {set}, model_steps = @steps, cost_nanousd = @cost, active_ms = @active, updated_at = @now WHERE id = @id",
            parameters);
        if (command.ExecuteNonQuery() == 0)
        {
            throw NotFound(runId);
        }
    }

    private static long Nanos(decimal dollars) => (long)decimal.Round(dollars * 1_000_000_000m, MidpointRounding.AwayFromZero);

    /// <summary>Whether a run's id starts with what a user typed, read as <see cref="ResolveIdAsync"/> reads it (any case, look-alike letters).</summary>
    /// <param name="runId">A full run id.</param>
    /// <param name="idOrPrefix">What the user typed.</param>
    /// <returns>Whether it names the run.</returns>
    public static bool IsPrefixOf(string runId, string idOrPrefix)
    {
        ArgumentNullException.ThrowIfNull(runId);
        ArgumentNullException.ThrowIfNull(idOrPrefix);
        var wanted = SessionIds.Normalize(idOrPrefix);
        return wanted.Length > 0 && runId.StartsWith(wanted, StringComparison.Ordinal);
    }

    /// <summary>The error for a run that does not exist (a server gives the same for a run the caller may not see).</summary>
    /// <param name="id">The id or prefix the caller gave.</param>
    /// <returns>The error (<see cref="ErrorKind.NotFound"/>).</returns>
    public static AgentHostException NotFound(string id) =>
        new(ErrorKind.NotFound, $"workflow run '{id}' was not found. See 'agent workflow runs'.");

    private static WorkflowRunInfo? ReadRun(DbConnection connection, DbTransaction? transaction, string runId)
    {
        using var command = Command(connection, transaction, $"SELECT {RunColumns} FROM workflow_runs WHERE id = @id", ("@id", runId));
        using var reader = command.ExecuteReader();
        return reader.Read() ? Read(reader) : null;
    }

    private static WorkflowRunInfo Read(DbDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), reader.GetString(2), ParseStatus(reader.GetString(3)))
        {
            SourcePath = reader.IsDBNull(4) ? null : reader.GetString(4),
            Definition = reader.GetString(5),
            Inputs = reader.GetString(6),
            Reason = reader.IsDBNull(7) ? null : reader.GetString(7),
            PendingQuestion = reader.IsDBNull(8) ? null : reader.GetString(8),
            PendingSince = reader.IsDBNull(9) ? null : Time(reader.GetInt64(9)),
            Counters = new WorkflowRunCounters(reader.GetInt32(10), reader.GetInt64(11) / 1_000_000_000m, reader.GetInt64(12)),
            CreatedAt = Time(reader.GetInt64(13)),
            UpdatedAt = Time(reader.GetInt64(14)),
            Owner = reader.IsDBNull(15) ? null : reader.GetString(15),
        };

    private static WorkflowRunState ParseStatus(string text) =>
        Enum.TryParse<WorkflowRunState>(text, ignoreCase: true, out var status) ? status : WorkflowRunState.Failed;
}
