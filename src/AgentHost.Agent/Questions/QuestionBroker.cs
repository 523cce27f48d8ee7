using System.Collections.Concurrent;
using System.Globalization;
using AgentHost.Sdk.Events;

namespace AgentHost.Agent.Questions;

/// <summary>
/// Carries questions for a person (the <c>ask_user</c> tool, a workflow's <c>wait</c> node) to whichever front ends are
/// present, and their answers back, as <see cref="Permissions.Gate.PermissionBroker"/> does for permission requests. A
/// question is published on the bus as a <see cref="QuestionAskedEvent"/>; any front end answers it with
/// <see cref="TryAnswer"/>; the first acceptable answer wins. Its end is published as a <see cref="QuestionAnsweredEvent"/>.
/// </summary>
/// <remarks>
/// Prepared answers (<c>agent run --answer</c>, <see cref="Prepare"/>) are a responder too: they answer the next
/// questions in order, before anyone is asked. Headless runs never block: with no prepared answer left and no
/// responder registered (<see cref="AddResponder"/>) a question ends at once without an answer, and when the last
/// responder leaves every pending question does. One broker serves a whole process; it is thread-safe.
/// </remarks>
public sealed class QuestionBroker : IHumanQuestions
{
    private readonly IEventBus _events;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, Pending> _pending = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _prepared = new();
    private int _responders;
    private long _sequence;

    /// <summary>Creates a broker.</summary>
    /// <param name="events">Where questions and answers are published.</param>
    /// <param name="timeProvider">The clock (time-outs, event timestamps).</param>
    public QuestionBroker(IEventBus events, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(events);
        _events = events;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>How long a question without its own time-out waits for an answer; forever when <see langword="null"/> (the default).</summary>
    public TimeSpan? AnswerTimeout { get; set; }

    /// <summary>Whether a front end is registered that can answer now.</summary>
    public bool HasResponders => Volatile.Read(ref _responders) > 0;

    /// <inheritdoc />
    public bool CanAnswer => HasResponders || !_prepared.IsEmpty;

    /// <summary>Whether a question is waiting for a front end's answer.</summary>
    /// <param name="questionId">The question's id.</param>
    /// <returns>Whether it is pending.</returns>
    public bool IsPending(string questionId) => _pending.ContainsKey(questionId);

    /// <summary>The questions waiting for an answer, oldest first.</summary>
    public IReadOnlyList<QuestionAskedEvent> PendingQuestions =>
        // An answered question is no longer waiting, though its asker may not have run on yet to remove it.
        [.. _pending.Values.Where(p => !p.Completion.Task.IsCompleted).OrderBy(p => p.Sequence).Select(p => p.Asked)];

    /// <summary>Adds prepared answers (<c>--answer</c>), used in order by the next questions.</summary>
    /// <param name="answers">The answers.</param>
    public void Prepare(IEnumerable<string> answers)
    {
        ArgumentNullException.ThrowIfNull(answers);
        foreach (var answer in answers)
        {
            _prepared.Enqueue(answer);
        }
    }

    /// <summary>Registers a front end that answers questions (a terminal, the chat, an HTTP client).</summary>
    /// <param name="name">The front end's name, for diagnostics.</param>
    /// <returns>Dispose when the front end goes away; the last one leaving ends what is pending without an answer.</returns>
    public IDisposable AddResponder(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Interlocked.Increment(ref _responders);
        return new Responder(this);
    }

    /// <summary>Answers a pending question.</summary>
    /// <param name="questionId">The question's id.</param>
    /// <param name="answer">The answer (with options, one of them; matched ignoring case).</param>
    /// <param name="answeredBy">The front end that answers.</param>
    /// <param name="refusal">Why the answer was refused, when it was.</param>
    /// <returns>Whether this answer decided the question (<see langword="false"/>: unknown id, answered already, or not one of the options).</returns>
    public bool TryAnswer(string questionId, string answer, string answeredBy, out string? refusal)
    {
        ArgumentNullException.ThrowIfNull(questionId);
        ArgumentNullException.ThrowIfNull(answer);
        ArgumentNullException.ThrowIfNull(answeredBy);
        if (!_pending.TryGetValue(questionId, out var pending))
        {
            refusal = $"no question '{questionId}' is waiting for an answer (answered already, or it never existed)";
            return false;
        }

        if (Match(pending.Question.Options, answer) is not { } text)
        {
            refusal = NotAnOption(pending.Question.Options, answer);
            return false;
        }

        if (!pending.Completion.TrySetResult(new QuestionOutcome(new HumanAnswer(text, answeredBy), null)))
        {
            refusal = $"question '{questionId}' was answered already";
            return false;
        }

        refusal = null;
        return true;
    }

    /// <summary>
    /// Ends a pending question without an answer because the person declined to give one (an editor's form they
    /// dismissed); the asker is told <paramref name="why"/>.
    /// </summary>
    /// <param name="questionId">The question's id.</param>
    /// <param name="declinedBy">The front end through which it was declined.</param>
    /// <param name="why">Why there is no answer, as the asker is told it.</param>
    /// <returns>Whether this ended the question (<see langword="false"/>: unknown id, or decided already).</returns>
    public bool TryDecline(string questionId, string declinedBy, string why)
    {
        ArgumentNullException.ThrowIfNull(questionId);
        ArgumentNullException.ThrowIfNull(declinedBy);
        ArgumentNullException.ThrowIfNull(why);
        return _pending.TryGetValue(questionId, out var pending) && pending.Completion.TrySetResult(new QuestionOutcome(null, why) { AnsweredBy = declinedBy });
    }

    /// <inheritdoc />
    public async Task<HumanAnswer?> AskAsync(HumanQuestion question, CancellationToken cancellationToken) =>
        (await AskForOutcomeAsync(question, cancellationToken).ConfigureAwait(false)).Answer;

    /// <summary>Asks and waits, as <see cref="AskAsync"/>, and says why when nobody answered.</summary>
    /// <param name="question">The question (its id must be unique among pending questions).</param>
    /// <param name="cancellationToken">Cancellation: throws <see cref="OperationCanceledException"/>.</param>
    /// <param name="headless">Whether the asker has no person (a headless session): only a prepared answer answers it, no front end is waited for.</param>
    /// <returns>The answer, or why there is none.</returns>
    internal async Task<QuestionOutcome> AskForOutcomeAsync(HumanQuestion question, CancellationToken cancellationToken, bool headless = false)
    {
        ArgumentNullException.ThrowIfNull(question);
        var timeout = question.Timeout ?? AnswerTimeout;
        var asked = new QuestionAskedEvent(question.SessionId ?? question.WorkflowRunId ?? string.Empty, question.Id, question.Text)
        {
            Options = question.Options,
            TimeoutSeconds = timeout?.TotalSeconds,
            WorkflowRunId = question.WorkflowRunId,
            NodeId = question.NodeId,
            Timestamp = _time.GetUtcNow(),
        };
        // Prepared answers and "nobody present" decide at once: such a question is never pending, so no front end shows it.
        var outcome = Immediate(question, headless);
        var pending = new Pending(question, asked, Interlocked.Increment(ref _sequence));
        if (outcome is null && !_pending.TryAdd(question.Id, pending))
        {
            throw new InvalidOperationException($"question '{question.Id}' is already pending.");
        }

        try
        {
            _events.Publish(asked);
            outcome ??= await WaitAsync(pending, timeout, cancellationToken).ConfigureAwait(false);
            return outcome;
        }
        finally
        {
            _pending.TryRemove(question.Id, out _);
            _events.Publish(new QuestionAnsweredEvent(asked.SessionId, question.Id, outcome?.Answer?.Text, outcome?.Answer?.AnsweredBy ?? outcome?.AnsweredBy ?? "cancelled")
            {
                Timestamp = _time.GetUtcNow(),
            });
        }
    }

    /// <summary>The option <paramref name="answer"/> names (ignoring case and surrounding blanks), the answer itself without options, else <see langword="null"/>.</summary>
    public static string? Match(IReadOnlyList<string> options, string answer)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(answer);
        return options.Count == 0 ? answer : options.FirstOrDefault(o => string.Equals(o.Trim(), answer.Trim(), StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The refusal of an answer that is not one of the options.</summary>
    public static string NotAnOption(IReadOnlyList<string> options, string answer) =>
        $"'{answer}' is not one of the options: {string.Join(", ", options.Select(o => $"'{o}'"))}; answer with one of them";

    /// <summary>The outcome decided without waiting: the next prepared answer, or nobody present; <see langword="null"/> when a front end is asked.</summary>
    private QuestionOutcome? Immediate(HumanQuestion question, bool headless)
    {
        if (_prepared.TryDequeue(out var prepared))
        {
            return Match(question.Options, prepared) is { } text
                ? new QuestionOutcome(new HumanAnswer(text, "--answer"), null)
                : new QuestionOutcome(null, $"the prepared answer (--answer) was refused: {NotAnOption(question.Options, prepared)}. Nobody else is present to answer") { AnsweredBy = "--answer" };
        }

        return HasResponders && !headless ? null : QuestionOutcome.Nobody;
    }

    private async Task<QuestionOutcome> WaitAsync(Pending pending, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        var answer = pending.Completion.Task;
        if (timeout is { } limit)
        {
            using var delay = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var expired = Task.Delay(limit, _time, delay.Token);
            var first = await Task.WhenAny(answer, expired).ConfigureAwait(false);
            await delay.CancelAsync().ConfigureAwait(false);
            if (first == expired && expired.IsCompletedSuccessfully)
            {
                pending.Completion.TrySetResult(new QuestionOutcome(null, string.Create(CultureInfo.InvariantCulture, $"nobody answered within {limit.TotalSeconds:0} s")) { AnsweredBy = "timeout" });
            }
        }

        return await answer.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private void ResponderLeft()
    {
        if (Interlocked.Decrement(ref _responders) > 0)
        {
            return;
        }

        foreach (var pending in _pending.Values)
        {
            pending.Completion.TrySetResult(QuestionOutcome.Nobody);
        }
    }

    private sealed record Pending(HumanQuestion Question, QuestionAskedEvent Asked, long Sequence)
    {
        public TaskCompletionSource<QuestionOutcome> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class Responder(QuestionBroker broker) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                broker.ResponderLeft();
            }
        }
    }
}

/// <summary>How a question ended.</summary>
/// <param name="Answer">The answer, or <see langword="null"/> when nobody answered.</param>
/// <param name="Why">Why nobody answered (with no answer).</param>
internal sealed record QuestionOutcome(HumanAnswer? Answer, string? Why)
{
    /// <summary>Nobody is present to answer.</summary>
    public static QuestionOutcome Nobody { get; } = new(null, "nobody is present to answer") { AnsweredBy = "nobody" };

    /// <summary>Who ended a question without an answer (<c>nobody</c>, <c>timeout</c>, <c>--answer</c>).</summary>
    public string AnsweredBy { get; init; } = "nobody";
}
