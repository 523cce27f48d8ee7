using System.Text.Json.Nodes;
using AgentHost.Agent.Service;
using AgentHost.Hosting;
using AgentHost.Sdk.Events;
using AgentHost.Sessions;
using AgentHost.Sessions.WorkflowRuns;
using AgentHost.Workflows.Expressions;
using AgentHost.Workflows.Model;
using AgentHost.Workflows.Parsing;

namespace AgentHost.Workflows.Engine;

/// <summary>
/// Runs workflows (docs/workflows.md): stores each run in the session database, runs its nodes through the session
/// service (agent and decision nodes), the tool pipeline (tool nodes) and the shell, stores a checkpoint after every
/// completed node, and resumes a run by replaying its checkpoints. Publishes <see cref="WorkflowEvent"/>s on the
/// runtime's event bus.
/// </summary>
/// <remarks>Thread-safe: each call is its own run. One process should run a given run at a time.</remarks>
public sealed class WorkflowRunner
{
    private readonly AgentSessionService _service;
    private readonly Func<JsonObject, string?, WorkflowDefinition>? _readDocument;

    /// <summary>Creates a runner over a session service (its store, runtime and clock).</summary>
    /// <param name="service">The session service agent nodes run in.</param>
    /// <param name="readDocument">Reads a stored definition document back into a definition (resume); the parser's when null.</param>
    public WorkflowRunner(AgentSessionService service, Func<JsonObject, string?, WorkflowDefinition>? readDocument = null)
    {
        ArgumentNullException.ThrowIfNull(service);
        _service = service;
        _readDocument = readDocument;
    }

    /// <summary>Starts a new run.</summary>
    /// <param name="definition">The workflow.</param>
    /// <param name="inputs">Input name → value (strings are converted to the declared types).</param>
    /// <param name="options">Where and how.</param>
    /// <param name="cancellationToken">Cancels the run (it ends as <see cref="WorkflowRunStatus.Cancelled"/>; resume continues).</param>
    /// <returns>How it ended.</returns>
    /// <exception cref="AgentHostException">An unknown, missing or ill-typed input (<see cref="ErrorKind.Usage"/>).</exception>
    public async Task<WorkflowRunResult> RunAsync(
        WorkflowDefinition definition, IReadOnlyDictionary<string, JsonNode?> inputs, WorkflowRunOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(options);
        CheckTrust(definition, options);
        var bound = WorkflowInputs.Bind(definition, inputs);
        var run = await _service.Store.Workflows.CreateRunAsync(
            new NewWorkflowRun(definition.Name, options.WorkspaceRoot, definition.Document.ToJsonString(), bound.ToJsonString())
            {
                SourcePath = File.Exists(definition.Source.Path) ? definition.Source.Path : null,
                Owner = options.Owner,
            },
            cancellationToken).ConfigureAwait(false);
        using var lease = _service.Store.Workflows.AcquireRun(run.Id);
        return await ExecuteAsync(run, definition, bound, options, [], null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Continues a stored run: replays its completed nodes from their checkpoints and runs the first one that did not
    /// complete; <paramref name="answer"/> answers the wait node the run is waiting at.
    /// </summary>
    /// <param name="runIdOrPrefix">The run's id or a unique prefix.</param>
    /// <param name="options">Where and how (budget overrides raise the stored limits).</param>
    /// <param name="answer">The answer to the pending question, if any.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>How it ended.</returns>
    /// <exception cref="AgentHostException">
    /// No such run (<see cref="ErrorKind.NotFound"/>); the run completed already, an answer for a run that is not
    /// waiting, or an answer that is not among the options (<see cref="ErrorKind.Usage"/>).
    /// </exception>
    public async Task<WorkflowRunResult> ResumeAsync(string runIdOrPrefix, WorkflowRunOptions options, string? answer, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runIdOrPrefix);
        ArgumentNullException.ThrowIfNull(options);
        var store = _service.Store.Workflows;
        var id = await store.ResolveIdAsync(runIdOrPrefix, cancellationToken).ConfigureAwait(false);
        // Held from before the run's state is read until it stops: a second resume of the same run is refused.
        using var lease = store.AcquireRun(id);
        var run = await store.GetRunAsync(id, cancellationToken).ConfigureAwait(false);
        if (run.Status == WorkflowRunState.Completed)
        {
            throw new AgentHostException(ErrorKind.Usage, $"workflow run {id} ({run.Workflow}) has already completed; start a new one with 'agent workflow run {run.Workflow}'.");
        }

        if (answer is not null && run.Status != WorkflowRunState.Waiting)
        {
            throw new AgentHostException(ErrorKind.Usage, $"workflow run {id} is not waiting for an answer (it is {WorkflowRunStore.StatusText(run.Status)}); resume it without --answer.");
        }

        var definition = ReadDefinition(run);
        CheckTrust(definition, options);
        var inputs = JsonNode.Parse(run.Inputs) as JsonObject ?? [];
        var recorded = await store.GetNodesAsync(id, cancellationToken).ConfigureAwait(false);
        var started = await store.GetStartedAsync(id, cancellationToken).ConfigureAwait(false);
        return await ExecuteAsync(run, definition, inputs, options, recorded, answer, cancellationToken, started).ConfigureAwait(false);
    }

    /// <summary>Refuses a workflow whose call graph reaches what an untrusted project may not run (<see cref="WorkflowTrust.CallGraphRefusal"/>).</summary>
    /// <exception cref="AgentHostException">The refusal, naming each node and the calls that reach it (<see cref="ErrorKind.Denied"/>).</exception>
    private static void CheckTrust(WorkflowDefinition definition, WorkflowRunOptions options)
    {
        if (options.InUntrustedProject is { } untrusted && WorkflowTrust.CallGraphRefusal(definition, untrusted, options.FindWorkflow) is { } refusal)
        {
            throw new AgentHostException(ErrorKind.Denied, refusal);
        }
    }

    private WorkflowDefinition ReadDefinition(WorkflowRunInfo run)
    {
        var document = JsonNode.Parse(run.Definition) as JsonObject
            ?? throw new AgentHostException(ErrorKind.Configuration, $"workflow run {run.Id}: its stored definition is not a JSON object.");
        var read = _readDocument ?? ((document, source) => WorkflowParser.FromDocument(document, new WorkflowSource(WorkflowSourceKind.File, source ?? "(stored definition)")));
        try
        {
            return read(document, run.SourcePath);
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or AgentHostException))
        {
            throw new AgentHostException(ErrorKind.Configuration, $"workflow run {run.Id}: its stored definition cannot be read ({ex.Message}).", ex);
        }
    }

    private async Task<WorkflowRunResult> ExecuteAsync(
        WorkflowRunInfo run,
        WorkflowDefinition definition,
        JsonObject inputs,
        WorkflowRunOptions options,
        IReadOnlyList<WorkflowNodeRecord> recorded,
        string? answer,
        CancellationToken cancellationToken,
        IReadOnlyList<string>? started = null)
    {
        var store = _service.Store.Workflows;
        var events = _service.Runtime.Events;
        var limits = new WorkflowBudget(options.MaxSteps ?? definition.Budget.MaxSteps, options.MaxTime ?? definition.Budget.MaxTime, options.MaxCost ?? definition.Budget.MaxCost);
        var budget = new WorkflowBudgetTracker(run.Id, limits, run.Counters);
        using var execution = new WorkflowExecution(_service, run, definition, options, budget, recorded, answer, started);
        var resumed = recorded.Count > 0 || run.Status != WorkflowRunState.Running;
        if (run.Status is not (WorkflowRunState.Running or WorkflowRunState.Waiting))
        {
            await store.SetStatusAsync(run.Id, WorkflowRunState.Running, null, budget.Counters, cancellationToken).ConfigureAwait(false);
        }

        events.Publish(new WorkflowStartedEvent(run.Id, definition.Name, resumed));
        var scope = WorkflowExecution.NewScope(definition, inputs, run.Id);
        WorkflowRunResult result;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, options.HandOver);
        try
        {
            var frame = new WorkflowFrame(definition, scope, 0) { Untrusted = options.InUntrustedProject?.Invoke(definition) ?? false };
            var last = await execution.RunGraphAsync(definition.Nodes, frame, string.Empty, stop.Token).ConfigureAwait(false);
            string? output;
            try
            {
                output = definition.Output is { } template ? WorkflowTemplate.Parse(template).Render(scope) : WorkflowExecution.TextOf(last);
            }
            catch (FormatException ex)
            {
                throw new WorkflowNodeFailedException($"workflow '{definition.Name}': output '{definition.Output}': {ex.Message}", ex);
            }

            result = new WorkflowRunResult(run.Id, WorkflowRunStatus.Completed, output, null);
        }
        catch (WorkflowWaitingException waiting)
        {
            result = new WorkflowRunResult(run.Id, WorkflowRunStatus.Waiting, null, $"waiting for an answer to: {waiting.Question.Text}") { Pending = waiting.Question };
        }
        catch (WorkflowBudgetException limit)
        {
            result = new WorkflowRunResult(run.Id, WorkflowRunStatus.Stopped, null, limit.Message);
        }
        catch (Exception ex) when (ex is (OperationCanceledException or WorkflowNodeFailedException) && options.HandOver.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // Another process continues the run from its checkpoints: nothing of an end is stored or announced here.
            return new WorkflowRunResult(run.Id, WorkflowRunStatus.HandedOver, null, $"handed over: this process stopped it for another to continue (agent workflow resume {run.Id})")
            {
                Workflow = definition.Name,
                Steps = budget.Counters.ModelSteps,
                Cost = budget.Counters.Cost,
            };
        }
        catch (WorkflowNodeFailedException failure)
        {
            result = new WorkflowRunResult(run.Id, WorkflowRunStatus.Failed, null, failure.Message);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            result = new WorkflowRunResult(run.Id, WorkflowRunStatus.Cancelled, null, $"cancelled; continue with 'agent workflow resume {run.Id}'");
        }

        var counters = budget.Counters;
        if (result.Status != WorkflowRunStatus.Waiting)
        {
            var state = result.Status switch
            {
                WorkflowRunStatus.Completed => WorkflowRunState.Completed,
                WorkflowRunStatus.Stopped => WorkflowRunState.Stopped,
                WorkflowRunStatus.Cancelled => WorkflowRunState.Cancelled,
                _ => WorkflowRunState.Failed,
            };
            await store.SetStatusAsync(run.Id, state, result.Reason, counters, CancellationToken.None).ConfigureAwait(false);
        }

        events.Publish(new WorkflowEndedEvent(run.Id, definition.Name, result.Status.ToString().ToLowerInvariant())
        {
            Output = result.Output,
            Reason = result.Reason,
            Steps = counters.ModelSteps,
            Cost = counters.Cost,
        });
        return result with { Workflow = definition.Name, Steps = counters.ModelSteps, Cost = counters.Cost };
    }
}
