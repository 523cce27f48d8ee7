using System.Text.Json;
using System.Text.Json.Serialization;
using AgentHost.Hosting;
using AgentHost.Server.Users;
using AgentHost.Sessions;

namespace AgentHost.Server;

/// <summary>
/// The calls that need a session's live state, in one place for every endpoint: run here on the node's
/// <see cref="SessionHub"/> when there is no <see cref="ISessionRouter"/> (<c>agent serve</c> alone), else sent as a
/// <see cref="SessionCall"/> to the node that holds the session, where <see cref="ExecuteAsync"/> runs it on that node's
/// hub. Errors come back as the same <see cref="AgentHostException"/> either way, so the HTTP answer does not depend
/// on which node runs the session.
/// </summary>
internal sealed class SessionCalls(SessionHub hub, ISessionRouter? router, TimeProvider time)
{
    /// <summary>The wire format of bodies and answers: the API's own JSON.</summary>
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>
    /// Creates a session. Routed, the request names its root as a full path (this server's own when it names none, or
    /// relative to it): the cluster places the session on a node that serves that root, which runs it there.
    /// </summary>
    public Task<SessionView> CreateAsync(ServerCaller caller, CreateSessionRequest request, string? client, CancellationToken cancellationToken) =>
        CallAsync<SessionView>(
            caller,
            SessionOperations.Create,
            NewSession.NewId(time),
            null,
            router is null ? request : request with { Root = Path.GetFullPath(request.Root ?? hub.Defaults.Root, hub.Defaults.Root) },
            client,
            cancellationToken);

    public Task<SessionView> ViewAsync(ServerCaller caller, string id, CancellationToken cancellationToken) =>
        CallAsync<SessionView>(caller, SessionOperations.View, id, null, null, null, cancellationToken);

    public Task<RunView> SendAsync(ServerCaller caller, string id, SendMessageRequest request, string? client, CancellationToken cancellationToken) =>
        CallAsync<RunView>(caller, SessionOperations.Send, id, null, request, client, cancellationToken);

    /// <summary>Cancels a run on the node of its session (found in the store: a run any node may name).</summary>
    public async Task<RunView> CancelAsync(ServerCaller caller, string runId, CancellationToken cancellationToken)
    {
        if (router is null)
        {
            return await hub.CancelAsync(caller, runId, cancellationToken).ConfigureAwait(false);
        }

        var run = await hub.GetRunAsync(caller, runId, cancellationToken).ConfigureAwait(false);
        return await CallAsync<RunView>(caller, SessionOperations.Cancel, run.SessionId, runId, null, null, cancellationToken).ConfigureAwait(false);
    }

    public Task<List<PermissionRequestView>> PendingPermissionsAsync(ServerCaller caller, string id, CancellationToken cancellationToken) =>
        CallAsync<List<PermissionRequestView>>(caller, SessionOperations.Permissions, id, null, null, null, cancellationToken);

    public Task AnswerPermissionAsync(ServerCaller caller, string id, string requestId, PermissionAnswerRequest request, CancellationToken cancellationToken) =>
        CallAsync<bool>(caller, SessionOperations.AnswerPermission, id, requestId, request, null, cancellationToken);

    public Task<List<QuestionView>> PendingQuestionsAsync(ServerCaller caller, string id, CancellationToken cancellationToken) =>
        CallAsync<List<QuestionView>>(caller, SessionOperations.Questions, id, null, null, null, cancellationToken);

    public Task AnswerQuestionAsync(ServerCaller caller, string id, string questionId, QuestionAnswerRequest request, CancellationToken cancellationToken) =>
        CallAsync<bool>(caller, SessionOperations.AnswerQuestion, id, questionId, request, null, cancellationToken);

    public Task<SessionView> PatchAsync(ServerCaller caller, string id, PatchSessionRequest request, CancellationToken cancellationToken) =>
        CallAsync<SessionView>(caller, SessionOperations.Patch, id, null, request, null, cancellationToken);

    public Task<SessionView> CloseAsync(ServerCaller caller, string id, CancellationToken cancellationToken) =>
        CallAsync<SessionView>(caller, SessionOperations.Close, id, null, null, null, cancellationToken);

    public Task DeleteAsync(ServerCaller caller, string id, CancellationToken cancellationToken) =>
        CallAsync<bool>(caller, SessionOperations.Delete, id, null, null, null, cancellationToken);

    /// <summary>Runs a call that arrived from another node here, on this node's hub.</summary>
    /// <returns>The answer, or the error as the API gives it.</returns>
    public async Task<SessionCallResult> ExecuteAsync(SessionCall call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        try
        {
            var caller = call.CallerName == ServerCaller.ServerToken.Name && call.CallerRole == ServerRole.Admin ? ServerCaller.ServerToken : new ServerCaller(call.CallerName, call.CallerRole);
            var answer = await RunHereAsync(caller, call.Operation, call.SessionId, call.Target, BodyOf(call), call.Client, cancellationToken).ConfigureAwait(false);
            return new SessionCallResult(answer is null ? null : JsonSerializer.Serialize(answer, answer.GetType(), Json));
        }
        catch (ServerLimitException ex)
        {
            return new SessionCallResult(null, ServerLimitException.KindName, ex.Message) { RetryAfterSeconds = (int)ServerLimiters.Seconds(ex.RetryAfter) };
        }
        catch (AgentHostException ex)
        {
            return new SessionCallResult(null, ApiErrorKinds.NameOf(ex.Kind), ex.Message);
        }
    }

    /// <summary>Runs the call here (no router: nothing is serialised), or routes it to the session's node.</summary>
    private async Task<T> CallAsync<T>(ServerCaller caller, string operation, string id, string? target, object? body, string? client, CancellationToken cancellationToken)
    {
        if (router is null)
        {
            return await RunHereAsync(caller, operation, id, target, body, client, cancellationToken).ConfigureAwait(false) is T answer ? answer : default!;
        }

        var call = new SessionCall(operation, id, caller.Name, caller.Role)
        {
            Client = client,
            Target = target,
            Body = body is null ? null : JsonSerializer.Serialize(body, body.GetType(), Json),
        };
        var result = await router.RouteAsync(call, cancellationToken).ConfigureAwait(false);
        if (result.Error is { } error)
        {
            throw result.ErrorKind == ServerLimitException.KindName
                ? new ServerLimitException(error, TimeSpan.FromSeconds(result.RetryAfterSeconds ?? 1))
                : new AgentHostException(ApiErrorKinds.KindOf(result.ErrorKind), error);
        }

        return result.Body is null ? default! : JsonSerializer.Deserialize<T>(result.Body, Json)!;
    }

    private async Task<object?> RunHereAsync(ServerCaller caller, string operation, string id, string? target, object? body, string? client, CancellationToken cancellationToken)
    {
        switch (operation)
        {
            case SessionOperations.Create:
                var hosted = await hub.CreateAsync(caller, Require<CreateSessionRequest>(operation, body), client, id, cancellationToken).ConfigureAwait(false);
                return ApiViews.Session(await hub.GetInfoAsync(caller, hosted.Id, cancellationToken).ConfigureAwait(false), hosted);
            case SessionOperations.View:
                return await ViewHereAsync(caller, id, cancellationToken).ConfigureAwait(false);
            case SessionOperations.Send:
                return (await hub.SendAsync(caller, id, Require<SendMessageRequest>(operation, body), client, cancellationToken).ConfigureAwait(false)).View;
            case SessionOperations.Cancel:
                return await hub.CancelAsync(caller, Require<string>(operation, target), cancellationToken).ConfigureAwait(false);
            case SessionOperations.Permissions:
                return (await hub.PendingPermissionsAsync(caller, id, cancellationToken).ConfigureAwait(false)).Select(ApiViews.Permission).ToList();
            case SessionOperations.AnswerPermission:
                hub.AnswerPermission(caller, id, Require<string>(operation, target), Require<PermissionAnswerRequest>(operation, body));
                return null;
            case SessionOperations.Questions:
                return (await hub.PendingQuestionsAsync(caller, id, cancellationToken).ConfigureAwait(false)).Select(ApiViews.Question).ToList();
            case SessionOperations.AnswerQuestion:
                hub.AnswerQuestion(caller, id, Require<string>(operation, target), Require<QuestionAnswerRequest>(operation, body));
                return null;
            case SessionOperations.Patch:
                await hub.PatchAsync(caller, id, Require<PatchSessionRequest>(operation, body).Settings ?? new Dictionary<string, string?>(), cancellationToken).ConfigureAwait(false);
                return await ViewHereAsync(caller, id, cancellationToken).ConfigureAwait(false);
            case SessionOperations.Close:
                await hub.CloseSessionAsync(caller, id, cancellationToken).ConfigureAwait(false);
                return await ViewHereAsync(caller, id, cancellationToken).ConfigureAwait(false);
            case SessionOperations.Delete:
                await hub.DeleteAsync(caller, id, cancellationToken).ConfigureAwait(false);
                return null;
            case SessionOperations.Release:
                await hub.ReleaseUnlessRunningAsync(id).ConfigureAwait(false);
                return null;
            default:
                throw new AgentHostException(ErrorKind.Usage, $"'{operation}' is not a session operation this node knows; the nodes of one cluster must run the same version.");
        }
    }

    /// <summary>The request body of a call that arrived, as the type its operation takes.</summary>
    private static object? BodyOf(SessionCall call)
    {
        var type = call.Operation switch
        {
            SessionOperations.Create => typeof(CreateSessionRequest),
            SessionOperations.Send => typeof(SendMessageRequest),
            SessionOperations.AnswerPermission => typeof(PermissionAnswerRequest),
            SessionOperations.AnswerQuestion => typeof(QuestionAnswerRequest),
            SessionOperations.Patch => typeof(PatchSessionRequest),
            _ => null,
        };
        return type is null || call.Body is null ? null : JsonSerializer.Deserialize(call.Body, type, Json);
    }

    private static T Require<T>(string operation, object? value) =>
        value is T typed ? typed : throw new AgentHostException(ErrorKind.Usage, $"{operation}: the call lacks its {(typeof(T) == typeof(string) ? "run, request or question id" : "request body")}.");

    private async Task<SessionView> ViewHereAsync(ServerCaller caller, string id, CancellationToken cancellationToken) =>
        ApiViews.Session(await hub.GetInfoAsync(caller, id, cancellationToken).ConfigureAwait(false), hub.FindOpen(id));
}
