using System.Collections.Concurrent;
using AgentHost.Agent.Service;
using AgentHost.Hosting;
using AgentHost.Permissions;
using AgentHost.Permissions.Gate;
using AgentHost.Sdk.Events;
using AgentHost.Server.Users;
using AgentHost.Sessions;

namespace AgentHost.Server;

/// <content>Runs (one per session at a time), their cancellation, permission answers, and the interruption at shutdown.</content>
internal sealed partial class SessionHub
{
    /// <summary>How many ended runs the server remembers for <c>GET /v1/runs/{id}</c>.</summary>
    private const int RememberedRuns = 10_000;

    private static readonly TimeSpan InterruptGrace = TimeSpan.FromSeconds(10);

    /// <summary>How often a wait for another node's run asks the store whether that node is still there.</summary>
    private static readonly TimeSpan RemoteRunCheck = TimeSpan.FromSeconds(5);

    /// <summary>How long a run's end waits for its <c>run.ended</c> to be journalled before it is stored anyway.</summary>
    private static readonly TimeSpan JournalWait = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, ServerRun> _runs = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _runOrder = new();

    /// <summary>The runs in flight.</summary>
    public IReadOnlyList<ServerRun> RunningRuns => [.. _runs.Values.Where(r => r.IsRunning)];

    /// <summary>
    /// Accepts a prompt and starts its run in the background. Refused (<see cref="ErrorKind.InUse"/>, HTTP 409) while
    /// the session runs another: one run per session at a time, nothing is queued.
    /// </summary>
    /// <param name="caller">Who sends it.</param>
    /// <param name="id">The session.</param>
    /// <param name="request">The prompt and its overrides.</param>
    /// <param name="client">The sending program's id (<c>X-Agent-Client</c>), recorded on the run; the session's by default.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    public async Task<ServerRun> SendAsync(ServerCaller caller, string id, SendMessageRequest request, string? client, CancellationToken cancellationToken)
    {
        var info = await GetChangeableAsync(caller, id, "send prompts", cancellationToken).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(request.Prompt))
        {
            throw new AgentHostException(ErrorKind.Usage, "prompt: a prompt is required.");
        }

        if (request.MaxSteps is < 1)
        {
            throw new AgentHostException(ErrorKind.Usage, $"maxSteps: {request.MaxSteps} is not a step limit; give 1 or more.");
        }

        // Checked before anything starts: a bad model parameter is a 400 naming its field.
        SessionSettingsPatch.ModelParametersForRun(request, info.Settings);
        var hosted = await OpenAsync(id, cancellationToken).ConfigureAwait(false);
        CheckRunMode(caller, hosted, info);
        var model = CheckModel(caller, request.Model, "model", hosted.Engine);
        await DenySharedStateToolsAsync(caller, hosted, cancellationToken).ConfigureAwait(false);
        var eventsAfter = await LastEventId(id, cancellationToken).ConfigureAwait(false);
        var run = new ServerRun(Guid.CreateVersion7().ToString("N"), id, time.GetUtcNow(), eventsAfter, client ?? info.Settings.GetValueOrDefault(SessionSettings.Client));
        if (!hosted.TryStart(run) && FindOpen(id) != hosted)
        {
            // Closed as idle between the open and the start: open it again.
            hosted = await OpenAsync(id, cancellationToken).ConfigureAwait(false);
        }

        if (hosted.Current != run && !hosted.TryStart(run))
        {
            var running = hosted.Current?.Id ?? "a run";
            throw new AgentHostException(ErrorKind.InUse, $"session {id} is running {running}; wait for it to end (GET /v1/runs/{running}, or the run.ended event) or cancel it (POST /v1/runs/{running}/cancel), then send again.");
        }

        try
        {
            // Counted in the store, with every other run of the caller on every node: checked and taken in one step.
            // Priced at the model the turn names, else the session's own (stored at create or by its last turn), else the server's.
            var priced = model ?? info.Settings.GetValueOrDefault(SessionSettings.Model) ?? defaults.Model;
            run.Slot = await Limiters.TakeRunAsync(
                caller.OwnerName,
                RunKind.Send,
                id,
                ct => RunEstimates.OfSendAsync(hosted.Session, request.Prompt, hosted.Engine.Service.DescribeModel(priced), ct),
                cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            hosted.End(run);
            run.Finish();
            throw;
        }

        Remember(run);
        TurnRequest turn;
        try
        {
            var settings = await store.GetSettingsAsync(id, CancellationToken.None).ConfigureAwait(false);
            var (maxSteps, dryRun) = SessionSettingsPatch.ForRun(settings);
            turn = new TurnRequest(request.Prompt)
            {
                Context = request.Context ?? [],
                Skills = request.Skills ?? [],
                Model = model,
                MaxSteps = request.MaxSteps ?? maxSteps,
                DryRun = dryRun,
                ModelParameters = SessionSettingsPatch.ModelParametersForRun(request, settings),
            };

            // Stored before it starts: after a restart it reads as interrupted rather than unknown.
            await store.Journal.SaveRunAsync(StoredRuns.ToStored(run.View), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The session must not stay busy with a run that never started.
            run.Fail(ex.Message, (ex as AgentHostException)?.Kind ?? ErrorKind.Storage, time.GetUtcNow());
            hosted.End(run);
            await run.FinishAsync().ConfigureAwait(false);
            throw;
        }

        hosted.Engine.Runtime.Events.Publish(new RunAcceptedEvent(id, run.Id) { Timestamp = time.GetUtcNow() });
        // The run holds the engine too: the session may close once the run has ended, before its run.ended is published.
        engines.Hold(hosted.Engine);
        _ = Task.Run(() => ExecuteAsync(hosted, run, turn), CancellationToken.None);
        return run;
    }

    /// <summary>
    /// A run of a session <paramref name="caller"/> may see (404 otherwise, the same answer): as this server runs or
    /// remembers it, else as the store has it (after a restart; a run stored as running that no process runs any more
    /// reads as interrupted).
    /// </summary>
    public async Task<RunView> GetRunAsync(ServerCaller caller, string runId, CancellationToken cancellationToken)
    {
        if (_runs.TryGetValue(runId, out var run))
        {
            return CanRead(caller, run.SessionId) ? run.View : throw NoSuchRun(runId);
        }

        var stored = await store.Journal.FindRunAsync(runId, cancellationToken).ConfigureAwait(false) ?? throw NoSuchRun(runId);
        SessionInfo info;
        try
        {
            info = await GetInfoAsync(caller, stored.SessionId, cancellationToken).ConfigureAwait(false);
        }
        catch (AgentHostException ex) when (ex.Kind == ErrorKind.NotFound)
        {
            throw NoSuchRun(runId);
        }

        var view = StoredRuns.FromStored(stored);
        // Still running only where another live process has the session active; this server would have it in memory.
        return view.Status == "running" && (info.Status != SessionStatus.Active || FindOpen(info.Id) is not null || !await HasLiveWriterAsync(info.Id, cancellationToken).ConfigureAwait(false))
            ? StoredRuns.Interrupted(view, stored.UpdatedAt)
            : view;
    }

    /// <summary>
    /// Whether another process writes the session now: its lease is live (held, not expired, and on PostgreSQL its
    /// holder's process still alive), so a run it stored as running may still be running there.
    /// </summary>
    private async Task<bool> HasLiveWriterAsync(string sessionId, CancellationToken cancellationToken) =>
        await store.Leases.GetAsync(sessionId, cancellationToken).ConfigureAwait(false) is { IsLive: true };

    /// <summary>Cancels a run as Ctrl+C does: its tool calls are cancelled, the history stays valid, it ends as cancelled (a run that ended is left as it is).</summary>
    public async Task<RunView> CancelAsync(ServerCaller caller, string runId, CancellationToken cancellationToken)
    {
        var view = await GetRunAsync(caller, runId, cancellationToken).ConfigureAwait(false);
        SessionAccess.CheckCanChange(caller, "cancel runs");
        if (_runs.TryGetValue(runId, out var run) && run.IsRunning)
        {
            FindOpen(run.SessionId)?.Session.CancelTurn();
        }

        return view;
    }

    /// <summary>
    /// Waits until a run has ended and answers its final view (<c>wait=true</c>): a run of this node by its own signal;
    /// a run another node of a cluster runs by its <c>run.ended</c> on the session's journal, or, should that node die
    /// first, by the store (the run then reads as interrupted).
    /// </summary>
    public async Task<RunView> WaitForEndAsync(ServerCaller caller, RunView accepted, CancellationToken cancellationToken)
    {
        if (_runs.TryGetValue(accepted.Id, out var local))
        {
            await local.Ended.WaitAsync(cancellationToken).ConfigureAwait(false);
            return local.View;
        }

        while (true)
        {
            using var look = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            look.CancelAfter(RemoteRunCheck);
            try
            {
                await foreach (var logged in SessionEvents(accepted.SessionId, accepted.EventsAfter, look.Token).ConfigureAwait(false))
                {
                    if (logged.Type == "run.ended" && Events.RunIds.Of(logged.Json) == accepted.Id)
                    {
                        return await StoredEndAsync(caller, accepted.Id, cancellationToken).ConfigureAwait(false);
                    }
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Time to ask the store whether the run's node is still there.
            }

            if (await GetRunAsync(caller, accepted.Id, cancellationToken).ConfigureAwait(false) is { Status: not "running" } ended)
            {
                return ended;
            }
        }
    }

    /// <summary>
    /// The run as the store has it once ended: its node journals run.ended a moment before it stores the end (or, when it
    /// died in between, the node that takes the session over stores it), so a reader that saw run.ended asks again.
    /// </summary>
    private async Task<RunView> StoredEndAsync(ServerCaller caller, string runId, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 100 && await store.Journal.FindRunAsync(runId, cancellationToken).ConfigureAwait(false) is { Status: "running" }; attempt++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), time, cancellationToken).ConfigureAwait(false);
        }

        return await GetRunAsync(caller, runId, cancellationToken).ConfigureAwait(false);
    }

    private static AgentHostException NoSuchRun(string runId) =>
        new(ErrorKind.NotFound, $"run {runId}: no such run (GET /v1/sessions/{{id}} gives a session's running run; the session's history has its past turns).");

    /// <summary>The permission requests of an open session waiting for an answer.</summary>
    public async Task<IReadOnlyList<PermissionRequestedEvent>> PendingPermissionsAsync(ServerCaller caller, string id, CancellationToken cancellationToken)
    {
        await GetInfoAsync(caller, id, cancellationToken).ConfigureAwait(false);
        return FindOpen(id)?.Session.PendingPermissions ?? [];
    }

    /// <summary>Answers a pending permission request of a session (any client of a user who may change it: the first answer decides).</summary>
    public void AnswerPermission(ServerCaller caller, string id, string requestId, PermissionAnswerRequest request)
    {
        var hosted = Answerable(caller, id, "answer permission requests");
        var kind = request.Answer?.Trim().ToLowerInvariant() switch
        {
            "once" or "allow" => PermissionAnswerKind.AllowOnce,
            "session" => PermissionAnswerKind.AllowSession,
            "always" or "always-project" => PermissionAnswerKind.AlwaysProject,
            "always-global" => PermissionAnswerKind.AlwaysGlobal,
            "deny" => PermissionAnswerKind.Deny,
            _ => throw new AgentHostException(ErrorKind.Usage, $"answer: '{request.Answer}' is not an answer; use once, session, always, always-global or deny."),
        };
        var answer = new PermissionAnswer(kind, AnsweredBy(caller)) { Reason = kind == PermissionAnswerKind.Deny ? request.Reason : null };
        if (hosted is null || !hosted.Session.AnswerPermission(requestId, answer))
        {
            throw new AgentHostException(ErrorKind.NotFound, $"permission request {requestId}: session {id} has no such request waiting (answered already, timed out, or never asked); GET /v1/sessions/{id}/permissions lists the waiting ones.");
        }
    }

    /// <summary>The questions of an open session (its model's <c>ask_user</c>) waiting for an answer.</summary>
    public async Task<IReadOnlyList<QuestionAskedEvent>> PendingQuestionsAsync(ServerCaller caller, string id, CancellationToken cancellationToken)
    {
        await GetInfoAsync(caller, id, cancellationToken).ConfigureAwait(false);
        return FindOpen(id)?.Session.PendingQuestions ?? [];
    }

    /// <summary>Answers a pending question of a session (any client of a user who may change it: the first acceptable answer decides).</summary>
    public void AnswerQuestion(ServerCaller caller, string id, string questionId, QuestionAnswerRequest request)
    {
        var hosted = Answerable(caller, id, "answer questions");
        if (string.IsNullOrWhiteSpace(request.Answer))
        {
            throw new AgentHostException(ErrorKind.Usage, "answer: missing or empty; send {\"answer\": \"…\"} (one of the question's options, when it has any).");
        }

        if (hosted is null || hosted.Session.PendingQuestions.FirstOrDefault(q => q.QuestionId == questionId) is not { } question)
        {
            throw new AgentHostException(ErrorKind.NotFound, $"question {questionId}: session {id} has no such question waiting (answered already, timed out, or never asked); GET /v1/sessions/{id}/questions lists the waiting ones.");
        }

        if (!hosted.Session.AnswerQuestion(questionId, request.Answer, AnsweredBy(caller), out var refusal))
        {
            throw new AgentHostException(
                question.Options.Count > 0 && Agent.Questions.QuestionBroker.Match(question.Options, request.Answer) is null ? ErrorKind.Usage : ErrorKind.NotFound,
                $"question {questionId}: {refusal}.");
        }
    }

    /// <summary>Who answered, for the audit: <c>http</c> (the server's token) or <c>http:NAME</c>.</summary>
    private static string AnsweredBy(ServerCaller caller) => caller.OwnerName is { } name ? $"http:{name}" : "http";

    /// <summary>
    /// The open session whose requests <paramref name="caller"/> may answer: <see langword="null"/> (the caller is told
    /// there is no such request, as for an unknown session) when it is not open or not theirs; 403 for a viewer who sees it.
    /// </summary>
    private HostedSession? Answerable(ServerCaller caller, string id, string what)
    {
        if (FindOpen(id) is not { } hosted || !CanRead(caller, id))
        {
            return null;
        }

        SessionAccess.CheckCanChange(caller, what);
        return hosted;
    }

    private async Task ExecuteAsync(HostedSession hosted, ServerRun run, TurnRequest turn)
    {
        RunView view;
        try
        {
            var result = await hosted.Session.SendAsync(turn, CancellationToken.None).ConfigureAwait(false);
            view = run.Complete(result, time.GetUtcNow());
        }
        catch (AgentHostException ex)
        {
            view = run.Fail(ex.Message, ex.Kind, time.GetUtcNow());
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            view = run.Fail($"internal error: {ex.GetType().Name}: {ex.Message}", ErrorKind.Internal, time.GetUtcNow());
        }
        finally
        {
            hosted.Touch(time.GetUtcNow()).End(run);
        }

        try
        {
            if (view.Status == "interrupted")
            {
                // Cancelled because the server stops: recorded as interrupted, like a run whose process died (before
                // Ended completes, so the shutdown waits for it).
                await store.SetStatusAsync(run.SessionId, SessionStatus.Interrupted, CancellationToken.None).ConfigureAwait(false);
            }

            // The run's end is journalled before it is stored as ended: a run the store reads as ended has every event
            // in its session's journal, run.ended included (a node killed in between leaves it stored as running: it
            // reads as interrupted, and the node that takes the session over finds its run.ended and stores it so).
            using var bound = new CancellationTokenSource(JournalWait);
            var journalled = WhenRunEndJournalled(run.SessionId, run.Id, bound.Token);
            // A client told the run ended may send its next prompt at once: the caller's run slot is free before that.
            await run.ReleaseSlotAsync().ConfigureAwait(false);
            hosted.Engine.Runtime.Events.Publish(new RunEndedEvent(run.SessionId, run.Id, view.Status, view.Reason) { ErrorKind = view.ErrorKind, Timestamp = time.GetUtcNow() });
            await WaitUntilJournalledAsync(journalled, run.Id).ConfigureAwait(false);
            await SaveEndedAsync(view).ConfigureAwait(false);
        }
        finally
        {
            // Only now: a client told the run ended (wait=true, GET /v1/runs/{id}) can send the next prompt at once.
            await run.FinishAsync().ConfigureAwait(false);
            await engines.ReleaseAsync(hosted.Engine).ConfigureAwait(false);
        }
    }

    /// <summary>Waits (a bounded time, <see cref="JournalWait"/>) until this server's journal has written the run's <c>run.ended</c>.</summary>
    private async Task WaitUntilJournalledAsync(Task journalled, string runId)
    {
        try
        {
            await journalled.ConfigureAwait(false);
        }
        catch (OperationCanceledException ex)
        {
            ServerLog.RunEndNotJournalled(Logger, runId, ex.Message);
        }
    }

    /// <summary>Stores how a run ended (a store that fails is logged: the run's end still reaches its clients).</summary>
    private async Task SaveEndedAsync(RunView view)
    {
        try
        {
            await store.Journal.SaveRunAsync(StoredRuns.ToStored(view), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is AgentHostException or System.Data.Common.DbException or InvalidOperationException or ObjectDisposedException)
        {
            ServerLog.RunNotStored(Logger, view.Id, view.Status, ex.Message);
        }
    }

    private void Remember(ServerRun run)
    {
        _runs[run.Id] = run;
        _runOrder.Enqueue(run.Id);
        while (_runOrder.Count > RememberedRuns && _runOrder.TryPeek(out var oldest) && _runs.TryGetValue(oldest, out var old) && !old.IsRunning)
        {
            _runOrder.TryDequeue(out _);
            _runs.TryRemove(oldest, out _);
        }
    }

    /// <summary>
    /// Lets the runs in flight finish for up to <paramref name="grace"/>, then cancels those still running (each ends as
    /// interrupted, as at shutdown) and waits a little for them to end (a cluster node that stops drains so).
    /// </summary>
    /// <returns>How many runs were interrupted.</returns>
    public async Task<int> DrainRunsAsync(TimeSpan grace, CancellationToken cancellationToken)
    {
        var until = time.GetUtcNow() + grace;
        while (RunningRuns is { Count: > 0 } running && until - time.GetUtcNow() is { Ticks: > 0 } left)
        {
            // Runs accepted meanwhile are waited for too (the node's grains refuse new ones while it drains).
            await Task.WhenAll(running.Select(r => r.Ended)).WaitAsync(left, time, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            cancellationToken.ThrowIfCancellationRequested();
        }

        var interrupted = RunningRuns.Count;
        await InterruptRunsAsync().ConfigureAwait(false);
        return interrupted;
    }

    /// <summary>Cancels every run in flight (each ends as interrupted) and waits a little for them to end.</summary>
    private async Task InterruptRunsAsync()
    {
        var running = RunningRuns;
        foreach (var run in running)
        {
            run.Interrupted = true;
            FindOpen(run.SessionId)?.Session.CancelTurn();
        }

        await Task.WhenAll(running.Select(r => r.Ended)).WaitAsync(InterruptGrace).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }
}
