using AgentHost.Sessions;
using Microsoft.AspNetCore.Http;

namespace AgentHost.Server.Users;

/// <summary>Who sent a request: a user of the store, a user of the identity provider (JWT), or the server's own token.</summary>
/// <param name="Name">The user name (the owner recorded on sessions they create).</param>
/// <param name="Role">What they may do.</param>
internal sealed record ServerCaller(string Name, ServerRole Role)
{
    /// <summary>The server's own token (<c>--token-env</c>, or the one printed at start): a single admin for one-person use.</summary>
    public static ServerCaller ServerToken { get; } = new("@token", ServerRole.Admin);

    /// <summary>The owner recorded on sessions this caller creates (none for the server's own token, like sessions of the CLI).</summary>
    public string? OwnerName => ReferenceEquals(this, ServerToken) ? null : Name;
}

/// <summary>The caller of a request, as the authentication recorded it.</summary>
internal static class ServerCallers
{
    /// <summary>Records the caller of a request.</summary>
    public static void SetCaller(this HttpContext context, ServerCaller caller) => context.Features.Set(caller);

    /// <summary>The caller of an authenticated request.</summary>
    public static ServerCaller Caller(this HttpContext context) =>
        context.Features.Get<ServerCaller>() ?? throw new InvalidOperationException("the request was not authenticated.");
}
