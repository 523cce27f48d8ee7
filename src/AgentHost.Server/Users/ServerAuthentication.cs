using System.Security.Cryptography;
using System.Text;
using AgentHost.Server.Http;
using AgentHost.Sessions;
using Microsoft.AspNetCore.Http;

namespace AgentHost.Server.Users;

/// <summary>
/// Who a request comes from (docs/server.md "Users and roles"): the server's own token (compared in constant time) is
/// the built-in admin; any other bearer token is looked up by its SHA-256 hash among the store's users (a removed
/// user or a replaced token stops working with the next request); with <c>server.jwt.*</c> set, a token shaped as a JWT
/// is validated by the identity provider's keys instead (<see cref="ServerJwt"/>), and refused when its name's credentials
/// were revoked after it was issued (<see cref="IUserStore.RevokeTokensAsync"/>). Anything else is 401. A request that
/// lasts (an event stream) asks again before each write whether its credentials still hold
/// (<see cref="ServerCallers.StillValidAsync"/>): a removed user's or a replaced token's stream ends.
/// </summary>
/// <remarks>Thread-safe.</remarks>
internal sealed class ServerAuthentication(string serverToken, IUserStore users, ServerJwt? jwt = null, TimeProvider? time = null)
{
    /// <summary>The longest bearer token looked up (longer ones are refused unread).</summary>
    private const int MaxTokenLength = 8192;

    private readonly byte[] _serverToken = SHA256.HashData(Encoding.UTF8.GetBytes("Bearer " + serverToken));

    /// <summary>Authenticates a request and records its caller (<see cref="ServerCallers.Caller"/>).</summary>
    /// <returns>Whether the request carries good credentials.</returns>
    public async ValueTask<bool> AuthenticateAsync(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (LoopbackWebHost.Authorised(header, _serverToken))
        {
            context.SetCaller(ServerCaller.ServerToken, static _ => ValueTask.FromResult(true));
            return true;
        }

        if (!header.StartsWith("Bearer ", StringComparison.Ordinal) || header.Length - 7 is 0 or > MaxTokenLength)
        {
            return false;
        }

        if (jwt is not null && ServerJwt.LooksLikeJwt(header.AsSpan(7)))
        {
            if (await jwt.AuthenticateAsync(context).ConfigureAwait(false) is not ({ } caller, var expires, var issuedAt)
                || ServerJwt.Revoked(issuedAt, await users.FindRevocationAsync(caller.Name, context.RequestAborted).ConfigureAwait(false)))
            {
                return false;
            }

            // The identity provider cannot be asked whether a token it issued was revoked: it holds until it expires, or
            // until the server's own revocation of its name (agent server user revoke), asked of the store each time.
            var clock = time ?? TimeProvider.System;
            context.SetCaller(
                caller,
                async ct => (expires is null || clock.GetUtcNow() < expires)
                    && !ServerJwt.Revoked(issuedAt, await users.FindRevocationAsync(caller.Name, ct).ConfigureAwait(false)));
            return true;
        }

        var hash = UserTokens.Hash(header[7..]);
        var user = await users.FindUserByTokenHashAsync(hash, context.RequestAborted).ConfigureAwait(false);
        if (user is null)
        {
            return false;
        }

        // Asked of the store each time (every node shares it): a removed user, a replaced token or a changed role no longer holds.
        context.SetCaller(
            new ServerCaller(user.Name, user.Role),
            async ct => await users.FindUserByTokenHashAsync(hash, ct).ConfigureAwait(false) is { } now && now.Name == user.Name && now.Role == user.Role);
        return true;
    }
}
