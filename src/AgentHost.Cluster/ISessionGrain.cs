using AgentHost.Server;
using AgentHost.Server.Users;

namespace AgentHost.Cluster;

/// <summary>
/// A session's grain (key: the session id): it lives on the node that holds the session, and the calls that need the
/// session's live state are routed to it (<see cref="ISessionCalls"/>, one method each, without the session id: the key).
/// What crosses nodes is the server's own API records (serialized as System.Text.Json, only the server's namespace:
/// <see cref="ClusterSerialization"/>), so no type of the SDK or of a plugin ever meets Orleans' serializer; a refusal
/// crosses as <see cref="SessionCallFailedException"/>. Each call's cancellation token crosses too: the caller's
/// cancellation reaches the call on the session's node.
/// </summary>
internal interface ISessionGrain : IGrainWithStringKey
{
    /// <summary>Creates the session with this grain's id (<see cref="ISessionCalls.CreateAsync"/>).</summary>
    /// <param name="caller">Who creates it.</param>
    /// <param name="request">What they asked for; its root a full path.</param>
    /// <param name="client">The <c>X-Agent-Client</c> header, if any.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The session.</returns>
    Task<SessionView> CreateAsync(ServerCaller caller, CreateSessionRequest request, string? client, CancellationToken cancellationToken);

    /// <summary>The session's view (<see cref="ISessionCalls.ViewAsync"/>).</summary>
    /// <param name="caller">Who asks.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The session.</returns>
    Task<SessionView> ViewAsync(ServerCaller caller, CancellationToken cancellationToken);

    /// <summary>Sends a prompt (<see cref="ISessionCalls.SendAsync"/>).</summary>
    /// <param name="caller">Who sends it.</param>
    /// <param name="request">The prompt.</param>
    /// <param name="client">The <c>X-Agent-Client</c> header, if any.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The accepted run.</returns>
    Task<RunView> SendAsync(ServerCaller caller, SendMessageRequest request, string? client, CancellationToken cancellationToken);

    /// <summary>Cancels a run of the session (<see cref="ISessionCalls.CancelAsync"/>).</summary>
    /// <param name="caller">Who cancels it.</param>
    /// <param name="runId">The run.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The run.</returns>
    Task<RunView> CancelAsync(ServerCaller caller, string runId, CancellationToken cancellationToken);

    /// <summary>The permission requests waiting (<see cref="ISessionCalls.PendingPermissionsAsync"/>).</summary>
    /// <param name="caller">Who asks.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The requests.</returns>
    Task<List<PermissionRequestView>> PendingPermissionsAsync(ServerCaller caller, CancellationToken cancellationToken);

    /// <summary>Answers a permission request (<see cref="ISessionCalls.AnswerPermissionAsync"/>).</summary>
    /// <param name="caller">Who answers.</param>
    /// <param name="requestId">The request.</param>
    /// <param name="request">The answer.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>A task that completes once the answer is given.</returns>
    Task AnswerPermissionAsync(ServerCaller caller, string requestId, PermissionAnswerRequest request, CancellationToken cancellationToken);

    /// <summary>The questions waiting (<see cref="ISessionCalls.PendingQuestionsAsync"/>).</summary>
    /// <param name="caller">Who asks.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The questions.</returns>
    Task<List<QuestionView>> PendingQuestionsAsync(ServerCaller caller, CancellationToken cancellationToken);

    /// <summary>Answers a question (<see cref="ISessionCalls.AnswerQuestionAsync"/>).</summary>
    /// <param name="caller">Who answers.</param>
    /// <param name="questionId">The question.</param>
    /// <param name="request">The answer.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>A task that completes once the answer is given.</returns>
    Task AnswerQuestionAsync(ServerCaller caller, string questionId, QuestionAnswerRequest request, CancellationToken cancellationToken);

    /// <summary>Changes settings (<see cref="ISessionCalls.PatchAsync"/>).</summary>
    /// <param name="caller">Who changes them.</param>
    /// <param name="request">The settings.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The session after the change.</returns>
    Task<SessionView> PatchAsync(ServerCaller caller, PatchSessionRequest request, CancellationToken cancellationToken);

    /// <summary>Closes the session (<see cref="ISessionCalls.CloseAsync"/>); the grain goes.</summary>
    /// <param name="caller">Who closes it.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The session after the close.</returns>
    Task<SessionView> CloseAsync(ServerCaller caller, CancellationToken cancellationToken);

    /// <summary>Deletes the session (<see cref="ISessionCalls.DeleteAsync"/>); the grain goes.</summary>
    /// <param name="caller">Who deletes it.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>A task that completes once it is deleted.</returns>
    Task DeleteAsync(ServerCaller caller, CancellationToken cancellationToken);
}
