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
/// is validated by the identity provider's keys instead (<see cref="ServerJwt"/>). Anything else is 401.
/// </summary>
/// <remarks>Thread-safe.</remarks>
internal sealed class ServerAuthentication(string serverToken, IUserStore users, ServerJwt? jwt = null)
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
            context.SetCaller(ServerCaller.ServerToken);
            return true;
        }

        if (!header.StartsWith("Bearer ", StringComparison.Ordinal) || header.Length - 7 is 0 or > MaxTokenLength)
        {
            return false;
        }

        if (jwt is not null && ServerJwt.LooksLikeJwt(header.AsSpan(7)))
        {
            if (await jwt.AuthenticateAsync(context).ConfigureAwait(false) is not { } caller)
            {
                return false;
            }

            context.SetCaller(caller);
            return true;
        }

        var user = await users.FindUserByTokenHashAsync(UserTokens.Hash(header[7..]), context.RequestAborted).ConfigureAwait(false);
        if (user is null)
        {
            return false;
        }

        context.SetCaller(new ServerCaller(user.Name, user.Role));
        return true;
    }
}
