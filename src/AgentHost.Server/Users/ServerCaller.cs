using System.Text.Json.Serialization;
using AgentHost.Sessions;
using Microsoft.AspNetCore.Http;

namespace AgentHost.Server.Users;

/// <summary>
/// Who sent a request: a user of the store, a user of the identity provider (JWT), or the server's own token. It goes
/// with each session call (<see cref="ISessionCalls"/>), also to the cluster node that holds the session.
/// </summary>
/// <param name="Name">The user name (the owner recorded on sessions they create).</param>
/// <param name="Role">What they may do.</param>
public sealed record ServerCaller(string Name, ServerRole Role)
{
    /// <summary>The server's own token (<c>--token-env</c>, or the one printed at start): a single admin for one-person use.</summary>
    public static ServerCaller ServerToken { get; } = new("@token", ServerRole.Admin) { IsServerToken = true };

    /// <summary>Whether this is the server's own token (<see cref="ServerToken"/>), not a user of that name.</summary>
    public bool IsServerToken { get; init; }

    /// <summary>The owner recorded on sessions this caller creates (none for the server's own token, like sessions of the CLI).</summary>
    [JsonIgnore]
    public string? OwnerName => IsServerToken ? null : Name;
}

/// <summary>The caller of a request, as the authentication recorded it.</summary>
internal static class ServerCallers
{
    /// <summary>Records the caller of a request, and how to ask later whether its credentials still hold.</summary>
    public static void SetCaller(this HttpContext context, ServerCaller caller, Func<CancellationToken, ValueTask<bool>> stillValid)
    {
        context.Features.Set(caller);
        context.Features.Set(new CallerCredentials(stillValid));
    }

    /// <summary>
    /// Whether the credentials the request was authenticated with still hold now (the user is not removed, the token not
    /// replaced, a JWT not expired): asked by a request that lasts, before each event it writes.
    /// </summary>
    public static ValueTask<bool> StillValidAsync(this HttpContext context, CancellationToken cancellationToken) =>
        context.Features.Get<CallerCredentials>() is { } credentials ? credentials.StillValid(cancellationToken) : ValueTask.FromResult(false);

    /// <summary>How a request's credentials are checked again.</summary>
    private sealed record CallerCredentials(Func<CancellationToken, ValueTask<bool>> StillValid);

    /// <summary>The caller of an authenticated request.</summary>
    public static ServerCaller Caller(this HttpContext context) =>
        context.Features.Get<ServerCaller>() ?? throw new InvalidOperationException("the request was not authenticated.");
}
