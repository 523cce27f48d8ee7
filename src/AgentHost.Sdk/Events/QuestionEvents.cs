namespace AgentHost.Sdk.Events;

/// <summary>
/// A question was put to a person: the model's <c>ask_user</c> tool, or a workflow's <c>wait</c> node. Any front end
/// may answer it through the host (the first answer wins); plugins can observe questions but cannot answer them.
/// </summary>
/// <param name="SessionId">The session that asks; for a workflow's <c>wait</c> node without a session, the workflow run's id.</param>
/// <param name="QuestionId">Identifies the question; answers name it.</param>
/// <param name="Text">The question.</param>
public sealed record QuestionAskedEvent(string SessionId, string QuestionId, string Text) : SessionEvent(SessionId)
{
    /// <inheritdoc />
    public override string Type => "question.asked";

    /// <summary>The allowed answers; any text when empty.</summary>
    public IReadOnlyList<string> Options { get; init; } = [];

    /// <summary>How many seconds the question waits for an answer; <see langword="null"/> when it waits until answered.</summary>
    public double? TimeoutSeconds { get; init; }

    /// <summary>The workflow run that asks (a <c>wait</c> node), if any.</summary>
    public string? WorkflowRunId { get; init; }

    /// <summary>The <c>wait</c> node's id, with <see cref="WorkflowRunId"/>.</summary>
    public string? NodeId { get; init; }
}

/// <summary>A question was answered, or ended without an answer (nobody present, the time-out passed).</summary>
/// <param name="SessionId">The session (or workflow run) that asked.</param>
/// <param name="QuestionId">The question's id.</param>
/// <param name="Answer">The answer; <see langword="null"/> when nobody answered.</param>
/// <param name="AnsweredBy">Who answered (<c>chat</c>, <c>console</c>, <c>http</c>, <c>--answer</c>), or why nobody did (<c>nobody</c>, <c>timeout</c>).</param>
public sealed record QuestionAnsweredEvent(string SessionId, string QuestionId, string? Answer, string AnsweredBy) : SessionEvent(SessionId)
{
    /// <inheritdoc />
    public override string Type => "question.answered";
}
