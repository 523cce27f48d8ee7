using AgentHost.Agent.Runs;
using AgentHost.Hosting;
using AgentHost.Permissions;
using AgentHost.Permissions.Gate;
using AgentHost.Permissions.Rules;
using AgentHost.Sdk.Events;
using AgentHost.Sessions;

namespace AgentHost.Agent.Service;

/// <summary>
/// An open session of the <see cref="AgentSessionService"/>: send prompts, stream its events, answer its permission
/// requests, cancel its turn, change its model or mode, close it. Thread-safe; one turn runs at a time.
/// </summary>
/// <remarks>
/// A stored session is leased (one writer, in any process or node) from open to close: every write of it checks the
/// lease's epoch, so when another writer has taken it over (this one stopped renewing, e.g. paused) the next write fails
/// with <see cref="SessionLeaseLostException"/>, the turn ends as failed, and the session refuses further turns. A new session is stored, leased and
/// gets its <see cref="Id"/> at its first turn, because the model choice weighs the first prompt. The
/// <see cref="RunContext"/> is built once, at the first turn, and reused by every later one.
/// </remarks>
public sealed partial class AgentSession : IAsyncDisposable
{
    private readonly SessionServiceParts _parts;
    private readonly SessionOpening _opening;
    private PermissionPolicy _policy;
    private readonly SemaphoreSlim _turn = new(1, 1);
    private readonly Action<AgentSession> _closed;
    private readonly Lock _sync = new();
    private SessionLease? _lease;
    private SessionRunContext? _context;
    private CancellationTokenSource? _running;
    private readonly CancellationTokenSource _lifetime = new();
    private SessionStartHooks? _sessionStart;
    private string? _id;
    private string? _pendingModel;
    private readonly HashSet<string> _warnedParameters = new(StringComparer.Ordinal);
    private readonly Dictionary<Models.TaskKind, (SelectedModel Model, string Reason)?> _routes = [];
    private bool _isClosed;

    internal AgentSession(SessionServiceParts parts, SessionOptions options, SessionOpening opening, SessionLease? lease, Action<AgentSession> closed)
    {
        _parts = parts;
        Options = options;
        _opening = opening;
        _policy = opening.Policy;
        _lease = lease;
        _id = opening.ExistingId;
        _closed = closed;
    }

    /// <summary>The session's id; <see langword="null"/> for a new session until its first turn stores it.</summary>
    public string? Id => Volatile.Read(ref _id);

    /// <summary>Whether the session was stored before it was opened (resumed or forked).</summary>
    public bool Resumed => _opening.ExistingId is not null;

    /// <summary>The options it was opened with.</summary>
    public SessionOptions Options { get; private set; }

    /// <summary>The run context, once the first turn has built it.</summary>
    public SessionRunContext? RunContext => Volatile.Read(ref _context);

    /// <summary>
    /// Whether another writer has taken the session over (this one stopped renewing its lease): its writes are refused,
    /// and so is every further turn. Close it; open the session again once it is free.
    /// </summary>
    public bool IsTakenOver => Volatile.Read(ref _lease) is { IsLost: true };

    /// <summary>
    /// The permission mode the next tool call is decided under: the running context's, else the options', else
    /// <c>permissions.mode</c> (as the session's policy read it), else the default for <see cref="SessionOptions.Interactive"/>.
    /// </summary>
    public PermissionMode PermissionMode =>
        RunContext?.Mode ?? Options.PermissionMode ?? Volatile.Read(ref _policy).Mode ?? PermissionModes.Default(Options.Interactive);

    /// <summary>Whether a turn is running.</summary>
    public bool IsTurnRunning => Volatile.Read(ref _running) is not null;

    /// <summary>The permission requests of this session waiting for an answer, oldest first.</summary>
    public IReadOnlyList<PermissionRequestedEvent> PendingPermissions =>
        Id is { } id ? [.. _parts.Broker.PendingRequests.Where(r => r.SessionId == id)] : [];

    /// <summary>The questions of this session (<c>ask_user</c>) waiting for an answer, oldest first.</summary>
    public IReadOnlyList<QuestionAskedEvent> PendingQuestions =>
        Id is { } id ? [.. _parts.Questions.PendingQuestions.Where(q => q.SessionId == id)] : [];

    /// <summary>Answers a pending question of this session.</summary>
    /// <param name="questionId">The question's id (<see cref="QuestionAskedEvent.QuestionId"/>).</param>
    /// <param name="answer">The answer (with options, one of them).</param>
    /// <param name="answeredBy">The front end that answers.</param>
    /// <param name="refusal">Why the answer was refused, when it was.</param>
    /// <returns>Whether this answer decided it.</returns>
    public bool AnswerQuestion(string questionId, string answer, string answeredBy, out string? refusal)
    {
        ArgumentNullException.ThrowIfNull(questionId);
        if (!PendingQuestions.Any(q => q.QuestionId == questionId))
        {
            refusal = $"no question '{questionId}' of this session is waiting for an answer";
            return false;
        }

        return _parts.Questions.TryAnswer(questionId, answer, answeredBy, out refusal);
    }

    /// <summary>
    /// Registers a front end that answers this process's permission requests while it listens (dispose when it goes
    /// away; the last one leaving denies what is pending). Without a responder, calls that need approval are denied.
    /// </summary>
    /// <param name="name">The front end's name.</param>
    /// <returns>The registration.</returns>
    public IDisposable AddPermissionResponder(string name) => _parts.Broker.AddResponder(name);

    /// <summary>Answers a pending permission request of this session.</summary>
    /// <param name="requestId">The request's id (<see cref="PermissionRequestedEvent.RequestId"/>).</param>
    /// <param name="answer">The answer.</param>
    /// <returns>Whether this answer decided it (<see langword="false"/>: unknown, another session's, or answered already).</returns>
    public bool AnswerPermission(string requestId, PermissionAnswer answer)
    {
        ArgumentNullException.ThrowIfNull(requestId);
        return PendingPermissions.Any(r => r.RequestId == requestId) && _parts.Broker.TryAnswer(requestId, answer);
    }

    /// <summary>Cancels the running turn, as Ctrl+C does: running tool calls are cancelled, the history stays valid, the turn ends as cancelled.</summary>
    /// <returns>Whether a turn was running.</returns>
    public bool CancelTurn()
    {
        lock (_sync)
        {
            if (_running is not { } running)
            {
                return false;
            }

            running.Cancel();
            return true;
        }
    }

    /// <summary>Changes the model from the next turn on, and stores it as the session's <c>model</c> setting.</summary>
    /// <param name="model"><c>provider/model</c>.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>A task.</returns>
    /// <exception cref="AgentHostException">The model is not usable (bad form, no provider); nothing changes.</exception>
    public async Task SetModelAsync(string model, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        ThrowIfClosed();
        var selected = await SessionModelChoice.SelectAsync(_parts, model, cancellationToken).ConfigureAwait(false);
        if (RunContext is { } context)
        {
            await _parts.Store.SetSettingAsync(context.SessionId, SessionSettings.Model, model, cancellationToken).ConfigureAwait(false);
            context.ChangeModel(selected);
            Options = Options with { Model = model }; // Named: over the task routes from now on.
        }
        else
        {
            // Not stored yet: the first turn uses it and stores it.
            Volatile.Write(ref _pendingModel, model);
            Options = Options with { Model = model };
        }
    }

    /// <summary>Changes the permission mode for the next tool call on; stored as the session's <c>permission_mode</c>.</summary>
    /// <param name="mode">The mode.</param>
    /// <param name="changedBy">Who changed it (a front end name, published with the change).</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>A task.</returns>
    public async Task SetPermissionModeAsync(PermissionMode mode, string changedBy, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(changedBy);
        ThrowIfClosed();
        if (RunContext is { } context)
        {
            await context.Gate.SwitchModeAsync(mode, changedBy, cancellationToken).ConfigureAwait(false);
        }
        else if (Id is { } id)
        {
            await _parts.Store.Audit.SetModeAsync(id, mode, cancellationToken).ConfigureAwait(false);
            Options = Options with { PermissionMode = mode };
        }
        else
        {
            Options = Options with { PermissionMode = mode };
        }
    }

    /// <summary>Closes the session: waits for the running turn, releases the lease and ends the event streams.</summary>
    /// <returns>A task.</returns>
    public async ValueTask DisposeAsync()
    {
        lock (_sync)
        {
            if (_isClosed)
            {
                return;
            }

            _isClosed = true;
        }

        await _turn.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            await _lifetime.CancelAsync().ConfigureAwait(false);
            if (_sessionStart is { } started)
            {
                // SessionStart hooks of a first turn that never built its context (refused, failed): ended with the session.
                await ((Task)started.Context).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            await _opening.DisposeAsync().ConfigureAwait(false); // the hooks' SessionEnd (a session that began), the MCP servers
            _context?.Dispose();
            if (_lease is { } lease)
            {
                _lease = null;
                await lease.DisposeAsync().ConfigureAwait(false);
            }

            CompleteStreams();
        }
        finally
        {
            _lifetime.Dispose();
            _turn.Release();
            _closed(this);
        }
    }

    private void ThrowIfClosed()
    {
        if (Volatile.Read(ref _isClosed))
        {
            throw new ObjectDisposedException(nameof(AgentSession), $"session {Id ?? "(new)"} is closed; open it again.");
        }
    }
}
