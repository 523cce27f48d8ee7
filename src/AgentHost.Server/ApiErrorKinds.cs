using AgentHost.Hosting;

namespace AgentHost.Server;

/// <summary>
/// The <c>kind</c> of an API error (<see cref="ApiError"/>, <see cref="RunView.ErrorKind"/>) and back: used by the
/// server and by <c>agent run --server</c>, so it touches no ASP.NET type.
/// </summary>
public static class ApiErrorKinds
{
    /// <summary>The name of a kind: <c>not_found</c>, <c>in_use</c>, else the kind in lower case.</summary>
    /// <param name="kind">The kind.</param>
    /// <returns>Its name on the wire.</returns>
    public static string NameOf(ErrorKind kind) => kind switch
    {
        ErrorKind.NotFound => "not_found",
        ErrorKind.InUse => "in_use",
        _ => kind.ToString().ToLowerInvariant(),
    };

    /// <summary>The kind <see cref="NameOf"/> named (<see cref="ErrorKind.Internal"/> for an unknown name).</summary>
    /// <param name="name">The name on the wire.</param>
    /// <returns>The kind.</returns>
    public static ErrorKind KindOf(string? name) =>
        Enum.GetValues<ErrorKind>().FirstOrDefault(k => NameOf(k) == name, ErrorKind.Internal);

    /// <summary>
    /// The kind an error answers with (<c>rate_limited</c> for a refusal by a limit, else <see cref="NameOf(ErrorKind)"/>):
    /// how a cluster node sends a session call's error back to the node that took the request.
    /// </summary>
    /// <param name="exception">The error.</param>
    /// <returns>Its kind's name on the wire.</returns>
    public static string NameOf(AgentHostException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception is ServerLimitException ? ServerLimitException.KindName : NameOf(exception.Kind);
    }

    /// <summary>For a refusal by a limit (429): when to try again, in whole seconds; otherwise <see langword="null"/>.</summary>
    /// <param name="exception">The error.</param>
    /// <returns>The seconds, or <see langword="null"/>.</returns>
    public static int? RetryAfterSeconds(AgentHostException exception) =>
        exception is ServerLimitException limit ? (int)ServerLimiters.Seconds(limit.RetryAfter) : null;

    /// <summary>
    /// The error <see cref="NameOf(AgentHostException)"/> and <see cref="RetryAfterSeconds"/> described, again: the API
    /// answers it with the same status code and body as where it happened.
    /// </summary>
    /// <param name="kind">Its kind's name.</param>
    /// <param name="message">Its message (what happened and the fix).</param>
    /// <param name="retryAfterSeconds">For a refusal by a limit: when to try again (default one second).</param>
    /// <returns>The error.</returns>
    public static AgentHostException ToException(string kind, string message, int? retryAfterSeconds) =>
        kind == ServerLimitException.KindName
            ? new ServerLimitException(message, TimeSpan.FromSeconds(retryAfterSeconds ?? 1))
            : new AgentHostException(KindOf(kind), message);
}
