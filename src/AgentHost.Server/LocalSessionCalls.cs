using AgentHost.Server.Users;

namespace AgentHost.Server;

/// <summary>
/// The session calls run here, on this server's <see cref="SessionHub"/>, directly: what <c>agent serve</c> alone
/// answers every endpoint with, and what a cluster node's session grain runs the calls routed to it through.
/// </summary>
internal sealed class LocalSessionCalls(SessionHub hub) : ISessionCalls
{
    public async Task<SessionView> CreateAsync(ServerCaller caller, string sessionId, CreateSessionRequest request, string? client, CancellationToken cancellationToken)
    {
        var hosted = await hub.CreateAsync(caller, request, client, sessionId, cancellationToken).ConfigureAwait(false);
        return ApiViews.Session(await hub.GetInfoAsync(caller, hosted.Id, cancellationToken).ConfigureAwait(false), hosted);
    }

    public async Task<SessionView> ViewAsync(ServerCaller caller, string sessionId, CancellationToken cancellationToken) =>
        ApiViews.Session(await hub.GetInfoAsync(caller, sessionId, cancellationToken).ConfigureAwait(false), hub.FindOpen(sessionId));

    public async Task<RunView> SendAsync(ServerCaller caller, string sessionId, SendMessageRequest request, string? client, CancellationToken cancellationToken) =>
        (await hub.SendAsync(caller, sessionId, request, client, cancellationToken).ConfigureAwait(false)).View;

    public Task<RunView> CancelAsync(ServerCaller caller, string runId, CancellationToken cancellationToken) =>
        hub.CancelAsync(caller, runId, cancellationToken);

    public async Task<List<PermissionRequestView>> PendingPermissionsAsync(ServerCaller caller, string sessionId, CancellationToken cancellationToken) =>
        [.. (await hub.PendingPermissionsAsync(caller, sessionId, cancellationToken).ConfigureAwait(false)).Select(ApiViews.Permission)];

    public Task AnswerPermissionAsync(ServerCaller caller, string sessionId, string requestId, PermissionAnswerRequest request, CancellationToken cancellationToken)
    {
        hub.AnswerPermission(caller, sessionId, requestId, request);
        return Task.CompletedTask;
    }

    public async Task<List<QuestionView>> PendingQuestionsAsync(ServerCaller caller, string sessionId, CancellationToken cancellationToken) =>
        [.. (await hub.PendingQuestionsAsync(caller, sessionId, cancellationToken).ConfigureAwait(false)).Select(ApiViews.Question)];

    public Task AnswerQuestionAsync(ServerCaller caller, string sessionId, string questionId, QuestionAnswerRequest request, CancellationToken cancellationToken)
    {
        hub.AnswerQuestion(caller, sessionId, questionId, request);
        return Task.CompletedTask;
    }

    public async Task<SessionView> PatchAsync(ServerCaller caller, string sessionId, PatchSessionRequest request, CancellationToken cancellationToken)
    {
        await hub.PatchAsync(caller, sessionId, request.Settings ?? new Dictionary<string, string?>(), cancellationToken).ConfigureAwait(false);
        return await ViewAsync(caller, sessionId, cancellationToken).ConfigureAwait(false);
    }

    public async Task<SessionView> CloseAsync(ServerCaller caller, string sessionId, CancellationToken cancellationToken)
    {
        await hub.CloseSessionAsync(caller, sessionId, cancellationToken).ConfigureAwait(false);
        return await ViewAsync(caller, sessionId, cancellationToken).ConfigureAwait(false);
    }

    public Task DeleteAsync(ServerCaller caller, string sessionId, CancellationToken cancellationToken) =>
        hub.DeleteAsync(caller, sessionId, cancellationToken);
}
