using AgentHost.Sessions;

namespace AgentHost.Server;

/// <summary>
/// Where the calls that need a session's live state run (send, cancel, answers, settings, close, delete, and its view):
/// on a cluster, the node that holds the session (docs/cluster.md). <c>agent serve</c> alone runs them in place and has
/// none. The router hands each <see cref="SessionCall"/> to that node, whose <see cref="ApiServer.ExecuteAsync"/> runs it.
/// </summary>
public interface ISessionRouter
{
    /// <summary>Runs <paramref name="sessionCall"/> on the node that holds its session and returns what it answered.</summary>
    /// <param name="sessionCall">The call.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The answer.</returns>
    Task<SessionCallResult> RouteAsync(SessionCall sessionCall, CancellationToken cancellationToken);
}

/// <summary>What a cluster node says of its cluster (<c>GET /v1/cluster</c>).</summary>
public interface IClusterStatus
{
    /// <summary>The cluster's nodes as this node sees them.</summary>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The view.</returns>
    Task<ClusterView> DescribeAsync(CancellationToken cancellationToken);
}

/// <summary>GET /v1/cluster: the cluster this server is a node of.</summary>
/// <param name="ClusterId">The cluster's name (<c>server.cluster.id</c>).</param>
/// <param name="Node">This node's address (host:port of its node-to-node endpoint).</param>
/// <param name="Store">Where the sessions and the membership live (<c>postgres://user@host:port/database</c>, no password).</param>
/// <param name="Nodes">Every node the membership table knows, live or not.</param>
public sealed record ClusterView(string ClusterId, string Node, string Store, IReadOnlyList<ClusterNodeView> Nodes);

/// <summary>One node of the cluster.</summary>
/// <param name="Address">Its node-to-node endpoint (host:port).</param>
/// <param name="Status">Its membership status (<c>active</c>, <c>joining</c>, <c>shuttingdown</c>, <c>dead</c>, …).</param>
/// <param name="Sessions">How many sessions it holds now (its session grains); absent for a node that is not active.</param>
public sealed record ClusterNodeView(string Address, string Status, int? Sessions)
{
    /// <summary>
    /// The workspace roots the node serves (its server's roots; a session is placed only on a node whose roots hold its
    /// root), as the node published them; absent while the asked node does not know them (a node not active, or just joined).
    /// </summary>
    public IReadOnlyList<string>? Roots { get; init; }
}

/// <summary>One call on a session, as it crosses nodes: what to do, on which session, for whom, with what (JSON).</summary>
/// <param name="Operation">What to do (<see cref="SessionOperations"/>).</param>
/// <param name="SessionId">The session.</param>
/// <param name="CallerName">Who asked (the authenticated user; <c>@token</c> for the server's own token).</param>
/// <param name="CallerRole">What they may do.</param>
public sealed record SessionCall(string Operation, string SessionId, string CallerName, ServerRole CallerRole)
{
    /// <summary>The sending program's id (<c>X-Agent-Client</c>), if any.</summary>
    public string? Client { get; init; }

    /// <summary>The run, permission request or question the call is about, if any.</summary>
    public string? Target { get; init; }

    /// <summary>The request body (the API's JSON), if any.</summary>
    public string? Body { get; init; }
}

/// <summary>What a session call answered: the answer (the API's JSON), or an error as the API gives it.</summary>
/// <param name="Body">The answer's JSON (<see langword="null"/> for none, or on error).</param>
/// <param name="ErrorKind">The error's kind as the API names it (<see cref="ApiErrorKinds"/>), or <see langword="null"/>.</param>
/// <param name="Error">The error's message (what happened and the fix).</param>
public sealed record SessionCallResult(string? Body, string? ErrorKind = null, string? Error = null)
{
    /// <summary>For a refusal by a limit (429): when to try again, in whole seconds.</summary>
    public int? RetryAfterSeconds { get; init; }
}

/// <summary>The operations of <see cref="SessionCall"/>.</summary>
public static class SessionOperations
{
    /// <summary>Create the session with the call's id (<see cref="CreateSessionRequest"/>).</summary>
    public const string Create = "create";

    /// <summary>The session's view (<see cref="SessionView"/>), with its running run.</summary>
    public const string View = "view";

    /// <summary>Send a prompt (<see cref="SendMessageRequest"/>); answers the accepted run.</summary>
    public const string Send = "send";

    /// <summary>Cancel the run named by the target.</summary>
    public const string Cancel = "cancel";

    /// <summary>The permission requests waiting.</summary>
    public const string Permissions = "permissions";

    /// <summary>Answer the permission request named by the target (<see cref="PermissionAnswerRequest"/>).</summary>
    public const string AnswerPermission = "answer-permission";

    /// <summary>The questions waiting.</summary>
    public const string Questions = "questions";

    /// <summary>Answer the question named by the target (<see cref="QuestionAnswerRequest"/>).</summary>
    public const string AnswerQuestion = "answer-question";

    /// <summary>Change settings (<see cref="PatchSessionRequest"/>).</summary>
    public const string Patch = "patch";

    /// <summary>Close the session (its lease released; it opens again on its next call).</summary>
    public const string Close = "close";

    /// <summary>Delete the session.</summary>
    public const string Delete = "delete";

    /// <summary>Let the session go on this node unless it runs (a node's grain is deactivated); no caller check.</summary>
    public const string Release = "release";
}
