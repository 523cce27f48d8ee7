using AgentHost.Server.Users;

namespace AgentHost.Server;

/// <summary>
/// The calls that need a session's live state (send, cancel, answers, settings, close, delete, and its view), one typed
/// method each, for every endpoint. <c>agent serve</c> alone runs them on its own sessions (<see cref="ApiServer.LocalSessions"/>);
/// a cluster node (<see cref="ServerNodeParts.Router"/>) sends each to the node that holds the session, whose grain runs
/// it there through that node's <see cref="ApiServer.LocalSessions"/> (docs/cluster.md). Either way a refusal is the same
/// <see cref="Hosting.AgentHostException"/> with the same kind, so the HTTP answer does not depend on where the session runs.
/// </summary>
/// <remarks>Thread-safe. Each call takes the caller the node that took the request authenticated.</remarks>
public interface ISessionCalls
{
    /// <summary>Creates, stores and opens a session owned by <paramref name="caller"/>.</summary>
    /// <param name="caller">Who creates it.</param>
    /// <param name="sessionId">The new session's id (chosen before the node that runs it is known).</param>
    /// <param name="request">What they asked for.</param>
    /// <param name="client">The <c>X-Agent-Client</c> header, if any.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The session.</returns>
    Task<SessionView> CreateAsync(ServerCaller caller, string sessionId, CreateSessionRequest request, string? client, CancellationToken cancellationToken);

    /// <summary>The session as the API shows it, with its running run.</summary>
    /// <param name="caller">Who asks.</param>
    /// <param name="sessionId">The session.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The session.</returns>
    Task<SessionView> ViewAsync(ServerCaller caller, string sessionId, CancellationToken cancellationToken);

    /// <summary>Sends a prompt; answers once the run is accepted (the turn goes on after).</summary>
    /// <param name="caller">Who sends it.</param>
    /// <param name="sessionId">The session.</param>
    /// <param name="request">The prompt.</param>
    /// <param name="client">The <c>X-Agent-Client</c> header, if any.</param>
    /// <param name="cancellationToken">Cancels the acceptance (never a run once accepted).</param>
    /// <returns>The accepted run.</returns>
    Task<RunView> SendAsync(ServerCaller caller, string sessionId, SendMessageRequest request, string? client, CancellationToken cancellationToken);

    /// <summary>Cancels a run, on the node of its session (a run any node may name).</summary>
    /// <param name="caller">Who cancels it.</param>
    /// <param name="runId">The run.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The run.</returns>
    Task<RunView> CancelAsync(ServerCaller caller, string runId, CancellationToken cancellationToken);

    /// <summary>The session's permission requests waiting for an answer.</summary>
    /// <param name="caller">Who asks.</param>
    /// <param name="sessionId">The session.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The requests.</returns>
    Task<List<PermissionRequestView>> PendingPermissionsAsync(ServerCaller caller, string sessionId, CancellationToken cancellationToken);

    /// <summary>Answers a permission request.</summary>
    /// <param name="caller">Who answers.</param>
    /// <param name="sessionId">The session.</param>
    /// <param name="requestId">The request.</param>
    /// <param name="request">The answer.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>A task that completes once the answer is given.</returns>
    Task AnswerPermissionAsync(ServerCaller caller, string sessionId, string requestId, PermissionAnswerRequest request, CancellationToken cancellationToken);

    /// <summary>The session's questions waiting for an answer.</summary>
    /// <param name="caller">Who asks.</param>
    /// <param name="sessionId">The session.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The questions.</returns>
    Task<List<QuestionView>> PendingQuestionsAsync(ServerCaller caller, string sessionId, CancellationToken cancellationToken);

    /// <summary>Answers a question.</summary>
    /// <param name="caller">Who answers.</param>
    /// <param name="sessionId">The session.</param>
    /// <param name="questionId">The question.</param>
    /// <param name="request">The answer.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>A task that completes once the answer is given.</returns>
    Task AnswerQuestionAsync(ServerCaller caller, string sessionId, string questionId, QuestionAnswerRequest request, CancellationToken cancellationToken);

    /// <summary>Changes the session's settings.</summary>
    /// <param name="caller">Who changes them.</param>
    /// <param name="sessionId">The session.</param>
    /// <param name="request">The settings.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The session after the change.</returns>
    Task<SessionView> PatchAsync(ServerCaller caller, string sessionId, PatchSessionRequest request, CancellationToken cancellationToken);

    /// <summary>Closes the session (its lease released; it opens again on its next call).</summary>
    /// <param name="caller">Who closes it.</param>
    /// <param name="sessionId">The session.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The session after the close.</returns>
    Task<SessionView> CloseAsync(ServerCaller caller, string sessionId, CancellationToken cancellationToken);

    /// <summary>Deletes the session.</summary>
    /// <param name="caller">Who deletes it.</param>
    /// <param name="sessionId">The session.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>A task that completes once it is deleted.</returns>
    Task DeleteAsync(ServerCaller caller, string sessionId, CancellationToken cancellationToken);
}
