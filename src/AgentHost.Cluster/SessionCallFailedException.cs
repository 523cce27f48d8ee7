using AgentHost.Hosting;
using AgentHost.Server;

namespace AgentHost.Cluster;

/// <summary>
/// A session call's refusal as it crosses nodes, the one error type of <see cref="ISessionGrain"/>: the error's kind as
/// the API names it (<see cref="ApiErrorKinds.NameOf(AgentHostException)"/>, or <see cref="ClusterNodeServer.Moved"/>),
/// its message, and for a refusal by a limit when to try again. The node that took the request turns it back into the
/// same <see cref="AgentHostException"/> (<see cref="ToException"/>), so its HTTP answer is the one the session's node
/// would give.
/// </summary>
[GenerateSerializer]
internal sealed class SessionCallFailedException : Exception
{
    public SessionCallFailedException(string kind, string message, int? retryAfterSeconds = null)
        : base(message)
    {
        Kind = kind;
        RetryAfterSeconds = retryAfterSeconds;
    }

    /// <summary>The error's kind as the API names it (<c>not_found</c>, <c>in_use</c>, <c>rate_limited</c>, …).</summary>
    [Id(0)]
    public string Kind { get; private set; }

    /// <summary>For a refusal by a limit (429): when to try again, in whole seconds.</summary>
    [Id(1)]
    public int? RetryAfterSeconds { get; private set; }

    /// <summary>The refusal of a call on the session's node, to send back.</summary>
    public static SessionCallFailedException From(AgentHostException exception) =>
        new(ApiErrorKinds.NameOf(exception), exception.Message, ApiErrorKinds.RetryAfterSeconds(exception));

    /// <summary>The refusal again, as the session's node gave it.</summary>
    public AgentHostException ToException() => ApiErrorKinds.ToException(Kind, Message, RetryAfterSeconds);
}
