namespace AgentHost.Agent.Questions;

/// <summary>
/// Puts a question to a person: the <c>ask_user</c> tool and a workflow's <c>wait</c> node ask through it, and each front
/// end answers in its own way (the chat inline, the HTTP service as a pending request, <c>agent run --answer</c>).
/// </summary>
public interface IHumanQuestions
{
    /// <summary>Whether anyone can answer now (a front end with a person, or prepared answers).</summary>
    bool CanAnswer { get; }

    /// <summary>Asks and waits for the answer, the question's timeout, or cancellation.</summary>
    /// <param name="question">The question.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The answer; <see langword="null"/> when nobody answered (no one present, or the timeout passed).</returns>
    Task<HumanAnswer?> AskAsync(HumanQuestion question, CancellationToken cancellationToken);
}

/// <summary>A question for a person.</summary>
/// <param name="Id">Unique per question (front ends answer by it).</param>
/// <param name="Text">The question.</param>
public sealed record HumanQuestion(string Id, string Text)
{
    /// <summary>The allowed answers; any text when empty.</summary>
    public IReadOnlyList<string> Options { get; init; } = [];

    /// <summary>How long to wait for an answer; unlimited when null.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>The session that asks (the <c>ask_user</c> tool), if any.</summary>
    public string? SessionId { get; init; }

    /// <summary>The workflow run and node that ask (a <c>wait</c> node), if any.</summary>
    public string? WorkflowRunId { get; init; }

    /// <summary>The <c>wait</c> node's id, with <see cref="WorkflowRunId"/>.</summary>
    public string? NodeId { get; init; }
}

/// <summary>A person's answer.</summary>
/// <param name="Text">The answer (one of the options when there are options).</param>
/// <param name="AnsweredBy">Who answered: <c>chat</c>, <c>http</c>, <c>--answer</c>, …</param>
public sealed record HumanAnswer(string Text, string AnsweredBy);
