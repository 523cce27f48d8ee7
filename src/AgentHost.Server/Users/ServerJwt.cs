using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AgentHost.Hosting;
using AgentHost.Hosting.Configuration;
using AgentHost.Server.Http;
using AgentHost.Sessions;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;

namespace AgentHost.Server.Users;

/// <summary>
/// JWT bearer authentication with an organisation's identity provider (docs/server.md "JWT"): <c>server.jwt.*</c> names
/// the issuer, the audience and the signing keys (key files, or the provider's OpenID configuration at
/// <c>server.jwt.authority</c>); ASP.NET Core's JWT bearer handler validates each token (signature, issuer, audience,
/// lifetime), and its claims give the caller's name and role. Users of the identity provider are not stored: a token
/// that validates is the user, and the sessions they create carry their name as owner.
/// </summary>
/// <param name="Issuer">The <c>iss</c> every token must carry.</param>
/// <param name="Audience">The <c>aud</c> every token must carry.</param>
/// <param name="SigningKeys">Keys from <c>server.jwt.signing_keys</c> (PEM public keys or certificates, or JWKS files).</param>
/// <param name="Authority">The provider whose OpenID configuration gives the keys, or <see langword="null"/>.</param>
/// <param name="NameClaim">The claim holding the user name (default <c>sub</c>).</param>
/// <param name="RoleClaim">The claim holding the role values (default <c>role</c>).</param>
/// <param name="RoleValues">Claim values and the role each means (default: <c>admin</c>, <c>member</c>, <c>viewer</c> themselves).</param>
public sealed record ServerJwt(
    string Issuer,
    string Audience,
    IReadOnlyList<SecurityKey> SigningKeys,
    Uri? Authority,
    string NameClaim,
    string RoleClaim,
    IReadOnlyDictionary<string, ServerRole> RoleValues)
{
    private const string Key = "server.jwt";

    /// <summary>How far clocks may disagree about a token's lifetime.</summary>
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(1);

    /// <summary>Reads <c>server.jwt.*</c>; <see langword="null"/> when nothing is set (JWT off).</summary>
    /// <param name="configuration">The effective configuration.</param>
    /// <param name="serverRoot">Relative key files are read from here.</param>
    /// <returns>The settings, or <see langword="null"/>.</returns>
    /// <exception cref="AgentHostException">A missing issuer, audience or key source, an unreadable key file, a non-HTTPS authority, an unknown role (<see cref="ErrorKind.Configuration"/>, naming the setting and the fix).</exception>
    public static ServerJwt? From(ConfigurationSnapshot configuration, string serverRoot)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(Key);
        if (section.Count == 0)
        {
            return null;
        }

        var issuer = Required(section, "issuer");
        var audience = Required(section, "audience");
        var keys = section.Where(e => e.Key.StartsWith("signing_keys.", StringComparison.OrdinalIgnoreCase))
            .OrderBy(e => int.TryParse(e.Key["signing_keys.".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : int.MaxValue)
            .SelectMany(e => KeyFile.Read($"{Key}.{e.Key}", Path.GetFullPath(e.Value.Trim(), serverRoot)))
            .ToList();
        var authority = section.GetValueOrDefault("authority") is { Length: > 0 } text ? AuthorityUri(text.Trim()) : null;
        if (keys.Count == 0 && authority is null)
        {
            throw new AgentHostException(
                ErrorKind.Configuration,
                $"{Key}: no signing keys; set {Key}.signing_keys to the identity provider's public key files (PEM or JWKS), or {Key}.authority to its https:// address, see docs/server.md \"JWT\".");
        }

        return new ServerJwt(
            issuer,
            audience,
            keys,
            authority,
            section.GetValueOrDefault("name_claim") is { Length: > 0 } name ? name.Trim() : "sub",
            section.GetValueOrDefault("role_claim") is { Length: > 0 } role ? role.Trim() : "role",
            Roles(section));
    }

    /// <summary>Adds ASP.NET Core's JWT bearer handler with these settings.</summary>
    /// <param name="services">The server's services.</param>
    internal void AddTo(IServiceCollection services) =>
        services.AddAuthentication().AddJwtBearer(JwtBearerDefaults.AuthenticationScheme, bearer =>
        {
            bearer.MapInboundClaims = false;
            bearer.Authority = Authority?.ToString();
            bearer.RequireHttpsMetadata = Authority is null || !LoopbackWebHost.IsLoopback(Authority.Host);
            bearer.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = Issuer,
                ValidAudience = Audience,
                IssuerSigningKeys = SigningKeys.Count > 0 ? SigningKeys : null,
                ValidateIssuer = true,
                ValidateAudience = true,
                ValidateLifetime = true,
                RequireExpirationTime = true,
                RequireSignedTokens = true,
                ValidateIssuerSigningKey = true,
                ClockSkew = ClockSkew,
                NameClaimType = NameClaim,
                RoleClaimType = RoleClaim,
            };
        });

    /// <summary>Whether a bearer token has the shape of a JWT (three base64url parts); the store's own tokens never do.</summary>
    internal static bool LooksLikeJwt(ReadOnlySpan<char> token) => token.Count('.') == 2 && !token.StartsWith(UserTokens.Prefix, StringComparison.Ordinal);

    /// <summary>
    /// Validates the request's bearer token as a JWT and gives its caller (<see langword="null"/> when it does not validate
    /// or names no user or no role), when the token expires, and when it was issued (its <c>iat</c>; <see langword="null"/>
    /// when it carries none).
    /// </summary>
    internal async ValueTask<(ServerCaller? Caller, DateTimeOffset? Expires, DateTimeOffset? IssuedAt)> AuthenticateAsync(HttpContext context)
    {
        var result = await context.AuthenticateAsync(JwtBearerDefaults.AuthenticationScheme).ConfigureAwait(false);
        return result.Succeeded && result.Principal is { } principal
            ? (CallerOf(principal), result.Properties?.ExpiresUtc, IssuedAtOf(principal))
            : (null, null, null);
    }

    /// <summary>
    /// Whether a token issued at <paramref name="issuedAt"/> was revoked by a revocation at <paramref name="revokedAt"/>
    /// (<c>agent server user revoke</c>): issued at or before it, allowing for the clocks' disagreement (a token issued up
    /// to <see cref="ClockSkew"/> after the revocation is refused too), or with no issue time at all.
    /// </summary>
    internal static bool Revoked(DateTimeOffset? issuedAt, DateTimeOffset? revokedAt) =>
        revokedAt is { } revoked && (issuedAt is not { } issued || issued <= revoked + ClockSkew);

    private static DateTimeOffset? IssuedAtOf(ClaimsPrincipal principal) =>
        principal.FindFirst("iat")?.Value is { } iat && long.TryParse(iat, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;

    /// <summary>The caller a validated token names: its name claim, and the highest role its role claim's values mean.</summary>
    internal ServerCaller? CallerOf(ClaimsPrincipal principal)
    {
        var name = principal.FindFirst(NameClaim)?.Value;
        if (string.IsNullOrEmpty(name) || !UserNames.IsValid(name))
        {
            return null;
        }

        var roles = principal.FindAll(RoleClaim).Select(c => RoleValues.TryGetValue(c.Value, out var role) ? role : (ServerRole?)null).OfType<ServerRole>().ToList();
        return roles.Count == 0 ? null : new ServerCaller(name, roles.Max());
    }

    private static string Required(IReadOnlyDictionary<string, string> section, string name) =>
        section.GetValueOrDefault(name) is { Length: > 0 } value && value.Trim().Length > 0
            ? value.Trim()
            : throw new AgentHostException(ErrorKind.Configuration, $"{Key}.{name} is not set; JWT authentication needs the issuer and the audience its tokens carry, see docs/server.md \"JWT\".");

    private static Uri AuthorityUri(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && LoopbackWebHost.IsLoopback(uri.Host)))
            ? uri
            : throw new AgentHostException(ErrorKind.Configuration, $"{Key}.authority: '{text}' is not an https:// address; give the identity provider's issuer address (its /.well-known/openid-configuration is read from there).");

    /// <summary><c>server.jwt.roles.ROLE: [values]</c>: the claim values meaning each role; unset, each role's own name.</summary>
    private static Dictionary<string, ServerRole> Roles(IReadOnlyDictionary<string, string> section)
    {
        var values = new Dictionary<string, ServerRole>(StringComparer.Ordinal);
        foreach (var (subKey, value) in section.Where(e => e.Key.StartsWith("roles.", StringComparison.OrdinalIgnoreCase)))
        {
            var roleName = subKey["roles.".Length..].Split('.')[0];
            var role = roleName is "admin" or "member" or "viewer"
                ? UserNames.ParseRole(roleName, $"{Key}.roles")
                : throw new AgentHostException(ErrorKind.Configuration, $"{Key}.{subKey}: '{roleName}' is not a role; write {Key}.roles.admin, .member or .viewer as lists of claim values.");
            // A value listed under two roles means the higher one, as a token with several values does.
            values[value.Trim()] = values.TryGetValue(value.Trim(), out var listed) && listed > role ? listed : role;
        }

        if (values.Count == 0)
        {
            foreach (var role in Enum.GetValues<ServerRole>())
            {
                values[UserNames.RoleName(role)] = role;
            }
        }

        return values;
    }

    /// <summary>Signing keys from a file: PEM (public keys, certificates) or a JWKS document.</summary>
    private static class KeyFile
    {
        public static IEnumerable<SecurityKey> Read(string setting, string path)
        {
            string text;
            try
            {
                text = File.ReadAllText(path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new AgentHostException(ErrorKind.Configuration, $"{setting}: cannot read {path} ({ex.Message}); give the identity provider's public key file (PEM or JWKS).", ex);
            }

            try
            {
                return text.TrimStart().StartsWith('{') ? new JsonWebKeySet(text).GetSigningKeys() : [FromPem(text)];
            }
            catch (Exception ex) when (ex is ArgumentException or CryptographicException or System.Text.Json.JsonException)
            {
                throw new AgentHostException(ErrorKind.Configuration, $"{setting}: {path} is not a public key (PEM: an RSA or EC public key or a certificate; or a JWKS document) — {ex.Message}", ex);
            }
        }

        private static SecurityKey FromPem(string pem)
        {
            if (pem.Contains("PRIVATE KEY", StringComparison.Ordinal))
            {
                throw new ArgumentException("it holds a private key; give only the public key (the server never needs the provider's private key).");
            }

            if (pem.Contains("BEGIN CERTIFICATE", StringComparison.Ordinal))
            {
                return new X509SecurityKey(X509Certificate2.CreateFromPem(pem));
            }

            var rsa = RSA.Create();
            try
            {
                rsa.ImportFromPem(pem);
                return new RsaSecurityKey(rsa);
            }
            catch (CryptographicException)
            {
                rsa.Dispose();
            }

            var ec = ECDsa.Create();
            try
            {
                ec.ImportFromPem(pem);
                return new ECDsaSecurityKey(ec);
            }
            catch
            {
                ec.Dispose();
                throw;
            }
        }
    }
}
