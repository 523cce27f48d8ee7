using AgentHost.Agent.Service;
using AgentHost.Sdk.Events;

namespace AgentHost.Server;

/// <summary>One prompt's turn in the server: accepted at once, run in the background, its result kept for <c>GET /v1/runs/{id}</c>.</summary>
internal sealed class ServerRun
{
    private readonly Lock _sync = new();
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private RunView _view;
    private Sessions.RunSlot? _slot;

    public ServerRun(string id, string sessionId, DateTimeOffset startedAt, long eventsAfter, string? clientId = null)
    {
        Id = id;
        SessionId = sessionId;
        _view = new RunView(id, sessionId, "running", null, null, null, 0, null, startedAt, null, eventsAfter, ClientId: clientId);
    }

    public string Id { get; }

    public string SessionId { get; }

    /// <summary>Set when the server stops with the run in flight: it ends as <c>interrupted</c>.</summary>
    public bool Interrupted { get; set; }

    /// <summary>
    /// Completes when the run has ended: its view is final, the session takes the next prompt, an interruption is
    /// stored and <c>run.ended</c> is published (<see cref="Finish"/>).
    /// </summary>
    public Task Ended => _ended.Task;

    public RunView View
    {
        get
        {
            lock (_sync)
            {
                return _view;
            }
        }
    }

    public bool IsRunning => !_ended.Task.IsCompleted;

    /// <summary>Marks the run ended, once everything <see cref="Ended"/> promises is done (a run that holds a slot: <see cref="FinishAsync"/>).</summary>
    public void Finish() => _ended.TrySetResult();

    /// <summary>Gives back the caller's run slot, then marks the run ended (<see cref="Finish"/>).</summary>
    public async Task FinishAsync()
    {
        await ReleaseSlotAsync().ConfigureAwait(false);
        Finish();
    }

    /// <summary>Gives back the caller's run slot in the store (<see cref="Slot"/>; once, whichever comes first of this and <see cref="FinishAsync"/>).</summary>
    public async ValueTask ReleaseSlotAsync()
    {
        if (Interlocked.Exchange(ref _slot, null) is { } slot)
        {
            await slot.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The caller's run slot it holds (<see cref="ServerLimiters.TakeRunAsync"/>), released by <see cref="FinishAsync"/>.</summary>
    public Sessions.RunSlot? Slot
    {
        get => Volatile.Read(ref _slot);
        set => Volatile.Write(ref _slot, value);
    }

    /// <summary>Records how the turn ended (<see cref="Finish"/> announces it).</summary>
    public RunView Complete(TurnResult turn, DateTimeOffset at)
    {
        var result = turn.Result;
        var status = result.Outcome switch
        {
            RunOutcome.Completed => "completed",
            RunOutcome.Cancelled => Interrupted ? "interrupted" : "cancelled",
            RunOutcome.Refused => "refused",
            _ => "stopped",
        };
        return End(_view with
        {
            Status = status,
            Outcome = JsonNaming(result.Outcome),
            FinalText = result.FinalText,
            Reason = Interrupted && result.Outcome == RunOutcome.Cancelled ? "the server stopped while the run was in flight" : result.Reason,
            Steps = result.Steps,
            Model = $"{turn.Model.ProviderName}/{turn.Model.ModelId}",
            EndedAt = at,
        });
    }

    /// <summary>Records a prompt that was refused (bad reference, model, skill…) or a turn that threw.</summary>
    public RunView Fail(string reason, Hosting.ErrorKind kind, DateTimeOffset at) =>
        End(_view with { Status = Interrupted ? "interrupted" : "failed", Reason = reason, ErrorKind = ApiErrorKinds.NameOf(kind), EndedAt = at });

    private RunView End(RunView view)
    {
        lock (_sync)
        {
            _view = view;
        }

        return view;
    }

    private static string JsonNaming(RunOutcome outcome)
    {
        var name = outcome.ToString();
        return char.ToLowerInvariant(name[0]) + name[1..];
    }
}
