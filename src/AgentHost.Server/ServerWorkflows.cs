using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentHost.Agent.Questions;
using AgentHost.Hosting;
using AgentHost.Sdk.Events;
using AgentHost.Sessions;
using AgentHost.Sessions.WorkflowRuns;
using AgentHost.Workflows.Engine;
using AgentHost.Workflows.Model;
using Microsoft.Extensions.Logging;

namespace AgentHost.Server;

/// <summary>
/// Workflow runs of <c>agent serve</c> (docs/server.md, "Workflow runs"): each runs in the background on the engine of
/// its root and plugins; a <c>wait</c> node is a pending question of the run (the engine's <see cref="QuestionBroker"/>,
/// answered over HTTP within <c>server.permission_timeout</c>); a run stored as waiting (a headless
/// <c>agent workflow run</c> that exited 11) is resumed with the answer.
/// </summary>
/// <remarks>
/// On a cluster node (<paramref name="watch"/>, docs/cluster.md "Workflow runs") every run this node starts or resumes is
/// watched by the cluster; when the node stops, its runs are handed over (<see cref="HandOverAsync"/>) rather than
/// cancelled, and a run whose node died or stopped is taken over by another node (<see cref="TakeOverAsync"/>).
/// </remarks>
/// <param name="hub">The server's sessions, roots and request rules.</param>
/// <param name="find">Finds a workflow (root, name or file, the naming workflow's file, and a check of each file named by path).</param>
/// <param name="watch">The cluster's watch, on a cluster node.</param>
internal sealed partial class ServerWorkflows(SessionHub hub, Func<string, string, string?, Action<string, string>?, WorkflowDefinition> find, IWorkflowRunWatch? watch) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Hosted> _runs = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _starting = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _handOver = new();

    /// <summary>Starts a run in the background once it is stored; returns its view (status <c>running</c>, or how it already ended).</summary>
    /// <exception cref="AgentHostException">No such root or workflow, an invalid workflow, or bad inputs (nothing runs).</exception>
    public async Task<WorkflowRunView> StartAsync(Users.ServerCaller caller, StartWorkflowRunRequest request, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.Workflow))
        {
            throw new AgentHostException(ErrorKind.Usage, "workflow: missing; send {\"workflow\": \"NAME or FILE\", \"inputs\": {…}} ('agent workflow list' shows the names).");
        }

        Users.SessionAccess.CheckCanChange(caller, "start workflow runs");
        var root = request.Root is { Length: > 0 } r ? Path.GetFullPath(r, hub.Defaults.Root) : hub.Defaults.Root;
        hub.Roots.Check(caller, root, request.Root);
        if (!Directory.Exists(root))
        {
            throw new AgentHostException(ErrorKind.Usage, $"root: {root} is not a directory.");
        }

        // Every file the run names by path, and every plugin it loads, passes the caller's checks before anything is read or loaded.
        var checkFile = FileCheck(caller);
        var definition = find(root, request.Workflow, null, checkFile);
        hub.Inputs.CheckPlugins(caller, definition.PluginReferences, "workflow plugins", root, hub.Roots);
        var inputs = (request.Inputs ?? new Dictionary<string, JsonElement>()).ToDictionary(i => i.Key, i => JsonNode.Parse(i.Value.GetRawText()), StringComparer.Ordinal);

        // One of the owner's runs while it runs (429 at a limit, before anything starts); its agent nodes are counted too.
        var slot = await hub.Limiters.TakeRunAsync(caller.OwnerName, RunKind.Workflow, null, null, cancellationToken).ConfigureAwait(false);
        ServerEngine engine;
        WorkflowRunOptions options;
        try
        {
            (engine, options) = await PrepareAsync(root, definition.PluginReferences, request.Interactive, checkFile, caller, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await ReleaseAsync(slot).ConfigureAwait(false);
            throw;
        }

        options = options with { Owner = caller.OwnerName, SessionPolicy = SharedStateTools.AppliesTo(caller) ? SharedStateTools.Policy : null };
        var runner = new WorkflowRunner(engine.Service, FromDocument);

        // The run's id is known once the runner has stored it (its workflow.started); one start at a time tells them apart.
        try
        {
            await _starting.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await hub.Engines.ReleaseAsync(engine).ConfigureAwait(false);
            await ReleaseAsync(slot).ConfigureAwait(false);
            throw;
        }

        try
        {
            var started = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            using var watch = engine.Runtime.Events.Subscribe<WorkflowStartedEvent>((e, _) =>
            {
                if (!e.Resumed && e.Workflow == definition.Name)
                {
                    started.TrySetResult(e.RunId);
                }

                return ValueTask.CompletedTask;
            });
            var running = Task.Run(() => runner.RunAsync(definition, inputs, options, _stopping.Token), CancellationToken.None);
            _ = ReleaseWhenEndedAsync(engine, running, slot);
            await Task.WhenAny(started.Task, running).ConfigureAwait(false);
            var id = started.Task.IsCompleted ? await started.Task.ConfigureAwait(false) : (await running.ConfigureAwait(false)).RunId;
            _runs[id] = new Hosted(engine, running);
            await WatchAsync(id, root).ConfigureAwait(false);
            return await ViewAsync(await hub.Store.Workflows.GetRunAsync(id, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _starting.Release();
        }
    }

    /// <summary>
    /// A run <paramref name="caller"/> may see (an admin or a viewer every run, a member their own; any other is
    /// answered as a run that does not exist): its stored state, how it ended here, and its pending question.
    /// </summary>
    public async Task<WorkflowRunView> GetAsync(Users.ServerCaller caller, string idOrPrefix, CancellationToken cancellationToken) =>
        await ViewAsync(await FindAsync(caller, idOrPrefix, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    /// <summary>The runs of a root (the server's by default) that <paramref name="caller"/> may see, newest first.</summary>
    public async Task<IReadOnlyList<WorkflowRunView>> ListAsync(Users.ServerCaller caller, string? root, int? limit, CancellationToken cancellationToken)
    {
        var size = PageLimit.Of(limit, 50);
        var workspace = root is { Length: > 0 } r ? Path.GetFullPath(r, hub.Defaults.Root) : hub.Defaults.Root;
        var runs = await hub.Store.Workflows.ListRunsAsync(workspace, null, cancellationToken).ConfigureAwait(false);
        var views = new List<WorkflowRunView>();
        foreach (var run in runs.Where(run => Users.SessionAccess.CanRead(caller, run.Owner)).Take(size))
        {
            views.Add(await ViewAsync(run, cancellationToken).ConfigureAwait(false));
        }

        return views;
    }

    /// <summary>The stored run an id or prefix names, when <paramref name="caller"/> may see it; otherwise the same 404 as for no run.</summary>
    private async Task<WorkflowRunInfo> FindAsync(Users.ServerCaller caller, string idOrPrefix, CancellationToken cancellationToken)
    {
        var store = hub.Store.Workflows;
        string id;
        try
        {
            id = await store.ResolveIdAsync(idOrPrefix, cancellationToken).ConfigureAwait(false);
        }
        catch (AgentHostException ex) when (ex.Kind == ErrorKind.Usage && caller.Role == ServerRole.Member && idOrPrefix.Trim().Length > 0)
        {
            // Several runs match: a member is told of, and may mean, only their own (another member's ids are not theirs to learn).
            var own = (await store.ListRunsAsync(null, null, cancellationToken).ConfigureAwait(false))
                .Where(r => Users.SessionAccess.CanRead(caller, r.Owner) && WorkflowRunStore.IsPrefixOf(r.Id, idOrPrefix))
                .Select(r => r.Id).Order(StringComparer.Ordinal).ToList();
            id = own switch
            {
                [var only] => only,
                [] => throw WorkflowRunStore.NotFound(idOrPrefix.Trim()),
                _ => throw new AgentHostException(
                    ErrorKind.Usage,
                    $"'{idOrPrefix.Trim()}' matches several of your workflow runs ({string.Join(", ", own.Take(5))}{(own.Count > 5 ? ", …" : string.Empty)}). Type more of the id."),
            };
        }

        var run = await store.GetRunAsync(id, cancellationToken).ConfigureAwait(false);
        return Users.SessionAccess.CanRead(caller, run.Owner) ? run : throw WorkflowRunStore.NotFound(idOrPrefix.Trim());
    }

    /// <summary>Whether <paramref name="caller"/> may see the run an id or prefix names (the run's one 404 otherwise): the route check.</summary>
    public Task CheckVisibleAsync(Users.ServerCaller caller, string idOrPrefix, CancellationToken cancellationToken) => FindAsync(caller, idOrPrefix, cancellationToken);

    /// <summary>A stored run as a client reads it: how it ended here, and its pending question.</summary>
    private async Task<WorkflowRunView> ViewAsync(WorkflowRunInfo run, CancellationToken cancellationToken)
    {
        var id = run.Id;
        var store = hub.Store.Workflows;
        if (run.Status is not (WorkflowRunState.Running or WorkflowRunState.Waiting) && _runs.TryGetValue(id, out var ending) && !ending.Run.IsCompleted)
        {
            // The runner stores the end before it returns the result that carries the output: wait for that return,
            // so an ended run is never shown without its output.
            await ((Task)ending.Run).WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        var status = store.DisplayStatus(run);
        string? output = null;
        var reason = run.Reason;
        if (_runs.TryGetValue(id, out var hosted) && hosted.Run.IsCompletedSuccessfully
            && await hosted.Run.ConfigureAwait(false) is { Status: not WorkflowRunStatus.HandedOver } result)
        {
            (status, output, reason) = (result.Status.ToString().ToLowerInvariant(), result.Output, result.Reason);
        }
        else if (hosted?.Run.IsFaulted == true)
        {
            (status, reason) = ("failed", hosted.Run.Exception!.GetBaseException().Message);
        }

        QuestionView? question = null;
        if (Pending(id) is { } asked)
        {
            status = "waiting";
            question = ApiViews.Question(asked.Question);
        }
        else if (run.Status == WorkflowRunState.Waiting && run.PendingQuestion is { } stored && WaitQuestionJson.Read(stored, id) is { } waiting)
        {
            question = new QuestionView(waiting.Id, id, waiting.Text, waiting.Options, waiting.Timeout?.TotalSeconds, id, waiting.NodeId, run.PendingSince ?? run.UpdatedAt);
        }

        return new WorkflowRunView(id, run.Workflow, run.Workspace, status, output, reason, question, run.Counters.ModelSteps, run.Counters.Cost, run.CreatedAt, run.UpdatedAt, run.Owner);
    }

    /// <summary>Answers the run's pending question, or resumes a run stored as waiting with the answer.</summary>
    /// <exception cref="AgentHostException">Not waiting (<see cref="ErrorKind.InUse"/> while it runs, else usage), or an answer not among the options (usage).</exception>
    public async Task<WorkflowRunView> AnswerAsync(Users.ServerCaller caller, string idOrPrefix, WorkflowAnswerRequest request, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.Answer))
        {
            throw new AgentHostException(ErrorKind.Usage, "answer: missing or empty; send {\"answer\": \"…\"} (one of the question's options, when it has any).");
        }

        var store = hub.Store.Workflows;
        var found = await FindAsync(caller, idOrPrefix, cancellationToken).ConfigureAwait(false);
        var id = found.Id;
        Users.SessionAccess.CheckCanChange(caller, "answer workflow runs");
        if (Pending(id) is { } pending)
        {
            if (!pending.Broker.TryAnswer(pending.Question.QuestionId, request.Answer, AnsweredBy(caller), out var refusal))
            {
                throw new AgentHostException(ErrorKind.Usage, $"workflow run {id}: {refusal}.");
            }

            return await GetAsync(caller, id, cancellationToken).ConfigureAwait(false);
        }

        var run = await store.GetRunAsync(id, cancellationToken).ConfigureAwait(false);
        if (_runs.TryGetValue(id, out var hosted) && !hosted.Run.IsCompleted)
        {
            throw new AgentHostException(ErrorKind.InUse, $"workflow run {id} is running and not waiting for an answer; GET /v1/workflows/runs/{id} shows when it asks.");
        }

        if (run.Status != WorkflowRunState.Waiting || run.PendingQuestion is not { } stored || WaitQuestionJson.Read(stored, id) is not { } question)
        {
            throw new AgentHostException(ErrorKind.Usage, $"workflow run {id} is not waiting for an answer (it is {WorkflowRunStore.StatusText(run.Status)}).");
        }

        if (QuestionBroker.Match(question.Options, request.Answer) is not { } answer)
        {
            throw new AgentHostException(ErrorKind.Usage, $"workflow run {id}: {QuestionBroker.NotAnOption(question.Options, request.Answer)}.");
        }

        // Resumed, it is one of its owner's runs again (429 at a limit, and it stays waiting).
        var slot = await hub.Limiters.TakeRunAsync(run.Owner, RunKind.Workflow, null, null, cancellationToken).ConfigureAwait(false);
        if (!await ResumeHereAsync(run, answer, watched: false, cancellationToken, slot).ConfigureAwait(false))
        {
            throw new AgentHostException(ErrorKind.InUse, $"workflow run {id} was resumed by another node a moment ago; GET /v1/workflows/runs/{id} shows where it is.");
        }

        return await GetAsync(caller, id, cancellationToken).ConfigureAwait(false) with { Status = "running", Question = null };
    }

    /// <summary>
    /// Resumes a stored run on this node (with <paramref name="answer"/> to its pending question, if any) and, unless
    /// its watch is who asks (<paramref name="watched"/>), has the cluster watch it; returns once it runs here, or
    /// <see langword="false"/> when another process runs it already.
    /// </summary>
    private async Task<bool> ResumeHereAsync(WorkflowRunInfo run, string? answer, bool watched, CancellationToken cancellationToken, RunSlot? slot = null)
    {
        try
        {
            return await ResumeHereCoreAsync(run, answer, watched, slot, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await ReleaseAsync(slot).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary><see cref="ResumeHereAsync"/>, whose run (once resumed) gives back <paramref name="slot"/> when it ends.</summary>
    private async Task<bool> ResumeHereCoreAsync(WorkflowRunInfo run, string? answer, bool watched, RunSlot? slot, CancellationToken cancellationToken)
    {
        var id = run.Id;
        var definition = FromDocument(JsonNode.Parse(run.Definition) as JsonObject ?? [], run.SourcePath);
        // A run someone other than an admin owns (a user of the store who is no admin, or one the store does not know) is
        // resumed as it was started: without the tools that act on what every session shares, its files inside its owner's roots.
        var ownerRole = run.Owner is { } owner ? (await hub.Store.Users.FindUserAsync(owner, cancellationToken).ConfigureAwait(false))?.Role ?? ServerRole.Member : ServerRole.Admin;
        var resumer = run.Owner is { } named ? new Users.ServerCaller(named, ownerRole) : null;
        var checkFile = resumer is null ? null : FileCheck(resumer);
        var (engine, options) = await PrepareAsync(run.Workspace, definition.PluginReferences, false, checkFile, resumer, cancellationToken).ConfigureAwait(false);
        if (ownerRole != ServerRole.Admin)
        {
            options = options with { SessionPolicy = SharedStateTools.Policy };
        }

        var runner = new WorkflowRunner(engine.Service, FromDocument);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<WorkflowRunResult> resumed;
        using (engine.Runtime.Events.Subscribe<WorkflowStartedEvent>((e, _) =>
        {
            if (e.RunId == id)
            {
                started.TrySetResult();
            }

            return ValueTask.CompletedTask;
        }))
        {
            resumed = Task.Run(() => runner.ResumeAsync(id, options, answer, _stopping.Token), CancellationToken.None);
            _ = ReleaseWhenEndedAsync(engine, resumed, slot);
            await Task.WhenAny(started.Task, resumed).ConfigureAwait(false);
        }

        if (!started.Task.IsCompleted && resumed.IsFaulted)
        {
            var failure = resumed.Exception!.GetBaseException();
            if (failure is AgentHostException { Kind: ErrorKind.InUse })
            {
                // Another process holds the run (it took it first): this node leaves it be (its slot is given back when the task ended).
                return false;
            }

            // It failed before it started (its stored definition, its plugins, its workspace): the caller says why.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }

        _runs[id] = new Hosted(engine, resumed);
        if (!watched)
        {
            await WatchAsync(id, run.Workspace).ConfigureAwait(false);
        }

        return true;
    }

    /// <summary>
    /// The cluster asks this node to take a workflow run over (its watch found it): a run stored as running that no process
    /// holds any more — its node died, or stopped and handed it over — is resumed here from its checkpoints.
    /// </summary>
    /// <param name="runId">The run's full id.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>What this node found and did.</returns>
    public async Task<WorkflowTakeover> TakeOverAsync(string runId, CancellationToken cancellationToken)
    {
        if (_runs.TryGetValue(runId, out var hosted) && !hosted.Run.IsCompleted)
        {
            return WorkflowTakeover.RunningHere;
        }

        var store = hub.Store.Workflows;
        var run = await store.FindRunAsync(runId, cancellationToken).ConfigureAwait(false);
        if (run is null || run.Status != WorkflowRunState.Running)
        {
            // Ended, stopped, cancelled by a person, or waiting for an answer (which any node resumes): nothing to watch.
            return WorkflowTakeover.Ended;
        }

        if (store.DisplayStatus(run) != "interrupted" || _handOver.IsCancellationRequested)
        {
            return WorkflowTakeover.RunningElsewhere;
        }

        try
        {
            // The watch that asks keeps watching (it called in; a watch call from here would wait for that call to end).
            if (!await ResumeHereAsync(run, null, watched: true, cancellationToken).ConfigureAwait(false))
            {
                return WorkflowTakeover.RunningElsewhere;
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A run that cannot start again here would be tried at every check, forever: it is stored failed, with why.
            return await FailTakeOverAsync(run, ex.Message, cancellationToken).ConfigureAwait(false);
        }

        TookOver(hub.Logger, runId, run.Workflow);
        return WorkflowTakeover.Resumed;
    }

    /// <summary>
    /// Stores a run that could not be resumed here as failed, with the reason and how to try again, unless another
    /// process took it meanwhile; the watch then ends.
    /// </summary>
    private async Task<WorkflowTakeover> FailTakeOverAsync(WorkflowRunInfo run, string why, CancellationToken cancellationToken)
    {
        var store = hub.Store.Workflows;
        IDisposable lease;
        try
        {
            lease = store.AcquireRun(run.Id);
        }
        catch (AgentHostException ex) when (ex.Kind == ErrorKind.InUse)
        {
            return WorkflowTakeover.RunningElsewhere;
        }

        using (lease)
        {
            if (await store.FindRunAsync(run.Id, cancellationToken).ConfigureAwait(false) is not { Status: WorkflowRunState.Running } current)
            {
                return WorkflowTakeover.Ended;
            }

            var reason = $"its node stopped and it could not be resumed on another: {why}; fix that, then 'agent workflow resume {run.Id}'";
            await store.SetStatusAsync(run.Id, WorkflowRunState.Failed, reason, current.Counters, cancellationToken).ConfigureAwait(false);
        }

        NotTakenOver(hub.Logger, run.Id, run.Workflow, why);
        return WorkflowTakeover.Ended;
    }

    /// <summary>
    /// Hands this node's runs in flight over to the cluster (a node that stops): each stops where it is and stays stored as
    /// running, for another node to resume from its checkpoints (<see cref="TakeOverAsync"/>). Runs started from now on
    /// are not taken over here.
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait for the runs to stop.</param>
    /// <returns>How many runs were handed over.</returns>
    public async Task<int> HandOverAsync(CancellationToken cancellationToken)
    {
        await _handOver.CancelAsync().ConfigureAwait(false);
        var handedOver = 0;
        foreach (var hosted in _runs.Values)
        {
            await ((Task)hosted.Run).WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            handedOver += hosted.Run.IsCompletedSuccessfully && await hosted.Run.ConfigureAwait(false) is { Status: WorkflowRunStatus.HandedOver } ? 1 : 0;
        }

        return handedOver;
    }

    /// <summary>Cancels the runs in flight (they end cancelled; <c>agent workflow resume</c> continues them) and waits for them.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach (var hosted in _runs.Values)
        {
            await ((Task)hosted.Run).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _stopping.Dispose();
        _handOver.Dispose();
        _starting.Dispose();
    }

    /// <summary>Has the cluster watch a run this node runs (no cluster: nothing); a watch that fails leaves the run running, unwatched.</summary>
    private async Task WatchAsync(string runId, string workspace)
    {
        if (watch is null)
        {
            return;
        }

        try
        {
            await watch.WatchAsync(runId, workspace, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            NotWatched(hub.Logger, runId, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "workflow run {RunId} ({Workflow}) had no node any more: resumed here from its checkpoints")]
    private static partial void TookOver(ILogger logger, string runId, string workflow);

    [LoggerMessage(Level = LogLevel.Warning, Message = "workflow run {RunId} ({Workflow}) had no node any more and could not be resumed here ({Reason}): stored as failed; 'agent workflow resume {RunId}' tries again")]
    private static partial void NotTakenOver(ILogger logger, string runId, string workflow, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "workflow run {RunId} runs here but the cluster does not watch it ({Reason}): if this node dies, no other node resumes it; 'agent workflow resume {RunId}' does")]
    private static partial void NotWatched(ILogger logger, string runId, string reason);

    /// <summary>Who answered, for the question's answered event and the audit (as a session's answers are named).</summary>
    private static string AnsweredBy(Users.ServerCaller caller) => caller.OwnerName is { } name ? $"http:{name}" : "http";

    private (QuestionBroker Broker, QuestionAskedEvent Question)? Pending(string runId)
    {
        foreach (var engine in hub.Engines.Started)
        {
            if (engine.Service.Questions.PendingQuestions.FirstOrDefault(q => q.WorkflowRunId == runId) is { } question)
            {
                return (engine.Service.Questions, question);
            }
        }

        return null;
    }

    /// <summary>The check of a workflow file named by path (the run's, a sub-workflow's): inside <paramref name="caller"/>'s roots.</summary>
    private Action<string, string> FileCheck(Users.ServerCaller caller) =>
        (full, written) => hub.Roots.CheckInside(caller, full, "workflow", written, "a workflow file");

    /// <param name="caller">Who runs it (the run's owner), whose roots hold the files its agent nodes' models name; none for a run nobody owns.</param>
    private async Task<(ServerEngine Engine, WorkflowRunOptions Options)> PrepareAsync(string root, IReadOnlyList<string> plugins, bool interactive, Action<string, string>? checkFile, Users.ServerCaller? caller, CancellationToken cancellationToken)
    {
        var owner = caller?.OwnerName;
        var defaults = hub.Defaults;
        var key = new ServerEngineKey(root, [.. defaults.Plugins.Concat(plugins).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)], defaults.NoDefaultPlugins);
        // Held for the run (ReleaseWhenEndedAsync), as an open session holds its engine.
        var engine = await hub.Engines.AcquireAsync(key, cancellationToken).ConfigureAwait(false);
        var options = new WorkflowRunOptions(root)
        {
            Model = defaults.Model,
            Interactive = interactive,
            HandOver = _handOver.Token,
            Plugins = engine.RecordedPlugins,
            Questions = engine.Service.Questions,
            FindWorkflow = (name, from) => find(root, name, from, checkFile),
            AdmitTurn = AdmitTurn(owner, engine),
            CheckModel = caller is null ? null : (model, field) => Users.ServerInputs.CheckModel(caller, model, field, root, hub.Roots, engine.Configuration, engine.Runtime.Registry),
        };
        return (engine, options);
    }

    /// <summary>Lets go of the engine and the owner's run slot a workflow run held once the run has ended (however it ended).</summary>
    private async Task ReleaseWhenEndedAsync(ServerEngine engine, Task run, RunSlot? slot)
    {
        await run.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await ReleaseAsync(slot).ConfigureAwait(false);
        await hub.Engines.ReleaseAsync(engine).ConfigureAwait(false);
    }

    private static async ValueTask ReleaseAsync(RunSlot? slot)
    {
        if (slot is not null)
        {
            await slot.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Each agent or decision node's turn of an owner's run takes a run slot of its own (docs/server.md "Limits"),
    /// reserving its estimate against the daily budgets; refused, the node fails naming the limit.
    /// </summary>
    private Func<string?, string, string?, CancellationToken, Task<IAsyncDisposable?>> AdmitTurn(string? owner, ServerEngine engine) =>
        async (sessionId, prompt, model, cancellationToken) =>
            await hub.Limiters.TakeRunAsync(
                owner, RunKind.WorkflowNode, sessionId, _ => Task.FromResult(RunEstimates.OfNewTurn(prompt, engine.Service.DescribeModel(model))), cancellationToken).ConfigureAwait(false);

    /// <summary>A run's stored definition document, read back (answer, resume), as <c>agent workflow resume</c> reads it.</summary>
    private static WorkflowDefinition FromDocument(JsonObject document, string? sourcePath) =>
        AgentHost.Workflows.Parsing.WorkflowParser.FromDocument(document, new WorkflowSource(WorkflowSourceKind.File, sourcePath ?? "(stored definition)"));

    private sealed record Hosted(ServerEngine Engine, Task<WorkflowRunResult> Run);
}
