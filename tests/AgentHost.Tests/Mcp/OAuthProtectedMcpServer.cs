using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentHost.Server.Http;
using AgentHost.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Server;

namespace AgentHost.Tests.Mcp;

/// <summary>
/// An MCP server that requires OAuth, on 127.0.0.1 (Kestrel): the MCP SDK's server side at <c>/mcp</c> (one tool,
/// <c>vault</c>, answering <see cref="Secret"/>) behind a bearer check that answers 401 with
/// <c>WWW-Authenticate: Bearer resource_metadata=…</c>, and a minimal authorization server on the same origin:
/// protected resource metadata (RFC 9728), authorization server metadata (RFC 8414), dynamic client registration
/// (RFC 7591, issuing a client secret), an authorize endpoint that approves at once (the test plays the browser) and a
/// token endpoint that checks the client, the redirect URI and the PKCE S256 verifier, and refreshes (rotating the
/// refresh token). It counts what happened, and <see cref="ExpireAccessTokens"/> makes the issued tokens invalid.
/// </summary>
internal sealed class OAuthProtectedMcpServer : IAsyncDisposable
{
    public const string Secret = "the vault holds 42 gold coins";

    private readonly WebApplication _app;
    private readonly McpHttpEndpoint _mcp;
    private readonly ConcurrentDictionary<string, (string Secret, string Redirect)> _clients = new();
    private readonly ConcurrentDictionary<string, (string Client, string Challenge, string Redirect)> _codes = new();
    private readonly ConcurrentDictionary<string, string> _accessTokens = new();
    private readonly ConcurrentDictionary<string, string> _refreshTokens = new();
    private readonly List<string> _issued = [];
    private int _registrations;
    private int _authorizations;
    private int _refreshes;
    private int _rejected;

    private OAuthProtectedMcpServer(WebApplication app, McpHttpEndpoint mcp, string origin)
    {
        _app = app;
        _mcp = mcp;
        Issuer = origin;
        Url = new Uri(origin + "/mcp");
    }

    /// <summary>The issuer (the origin, without a trailing slash).</summary>
    public string Issuer { get; }

    /// <summary>The MCP endpoint.</summary>
    public Uri Url { get; }

    public int Registrations => _registrations;

    public int Authorizations => _authorizations;

    public int Refreshes => _refreshes;

    /// <summary>Requests to <c>/mcp</c> answered 401.</summary>
    public int Rejected => _rejected;

    /// <summary>Every access and refresh token issued (for "it is nowhere else" checks).</summary>
    public IReadOnlyList<string> IssuedTokens { get; private set; } = [];

    public static async Task<OAuthProtectedMcpServer> StartAsync()
    {
        var port = Ports.Free();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        var options = new McpServerOptions { ToolCollection = [McpServerTool.Create(() => Secret, new McpServerToolCreateOptions { Name = "vault", Description = "Reads the vault.", ReadOnly = true })] };
        var server = new OAuthProtectedMcpServer(app, new McpHttpEndpoint(options), $"http://127.0.0.1:{port}");
        app.Run(server.HandleAsync);
        await app.StartAsync();
        return server;
    }

    /// <summary>Whether the authorize endpoint refuses (as when the person clicks "deny"): the browser goes back with <c>error=access_denied</c>.</summary>
    public bool DenyAuthorization { get; set; }

    /// <summary>The access tokens issued so far are no longer accepted (as when they expire); refresh tokens stay valid.</summary>
    public void ExpireAccessTokens() => _accessTokens.Clear();

    /// <summary>Every token issued so far is revoked, refresh tokens too: only a new authorization helps.</summary>
    public void RevokeAll()
    {
        _accessTokens.Clear();
        _refreshTokens.Clear();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _mcp.DisposeAsync();
    }

    private Task HandleAsync(HttpContext context) => context.Request.Path.Value switch
    {
        "/.well-known/oauth-protected-resource" => JsonAsync(context, new JsonObject
        {
            ["resource"] = Url.ToString(),
            ["authorization_servers"] = new JsonArray(Issuer),
        }),
        "/.well-known/oauth-authorization-server" => JsonAsync(context, new JsonObject
        {
            ["issuer"] = Issuer,
            ["authorization_endpoint"] = Issuer + "/authorize",
            ["token_endpoint"] = Issuer + "/token",
            ["registration_endpoint"] = Issuer + "/register",
            ["response_types_supported"] = new JsonArray("code"),
            ["grant_types_supported"] = new JsonArray("authorization_code", "refresh_token"),
            ["code_challenge_methods_supported"] = new JsonArray("S256"),
            ["token_endpoint_auth_methods_supported"] = new JsonArray("client_secret_post"),
            ["authorization_response_iss_parameter_supported"] = true,
        }),
        "/register" => RegisterAsync(context),
        "/authorize" => AuthorizeAsync(context),
        "/token" => TokenAsync(context),
        _ => ResourceAsync(context),
    };

    private async Task RegisterAsync(HttpContext context)
    {
        var request = await JsonNode.ParseAsync(context.Request.Body) as JsonObject;
        var redirect = request?["redirect_uris"]?[0]?.GetValue<string>();
        if (redirect is null || !new Uri(redirect).IsLoopback)
        {
            await ErrorAsync(context, "invalid_redirect_uri");
            return;
        }

        Interlocked.Increment(ref _registrations);
        var id = "client-" + Random();
        var secret = "secret-" + Random();
        _clients[id] = (secret, redirect);
        Issue(secret);
        context.Response.StatusCode = StatusCodes.Status201Created;
        await JsonAsync(context, new JsonObject
        {
            ["client_id"] = id,
            ["client_secret"] = secret,
            ["redirect_uris"] = new JsonArray(redirect),
            ["token_endpoint_auth_method"] = "client_secret_post",
        });
    }

    /// <summary>Approves at once: a code for the client's PKCE challenge, sent back to its registered redirect URI.</summary>
    private Task AuthorizeAsync(HttpContext context)
    {
        var query = context.Request.Query;
        var client = query["client_id"].ToString();
        if (!_clients.TryGetValue(client, out var registered) || query["redirect_uri"] != registered.Redirect
            || query["response_type"] != "code" || query["code_challenge_method"] != "S256" || query["code_challenge"].ToString().Length < 43
            || query["resource"] != Url.ToString())
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return context.Response.WriteAsync("bad authorization request: " + context.Request.QueryString);
        }

        if (DenyAuthorization)
        {
            context.Response.Redirect(QueryHelpers.AddQueryString(registered.Redirect, new Dictionary<string, string?>
            {
                ["error"] = "access_denied",
                ["error_description"] = "the user said no",
                ["state"] = query["state"],
            }));
            return Task.CompletedTask;
        }

        Interlocked.Increment(ref _authorizations);
        var code = "code-" + Random();
        _codes[code] = (client, query["code_challenge"].ToString(), registered.Redirect);
        context.Response.Redirect(QueryHelpers.AddQueryString(registered.Redirect, new Dictionary<string, string?>
        {
            ["code"] = code,
            ["state"] = query["state"],
            ["iss"] = Issuer,
        }));
        return Task.CompletedTask;
    }

    private async Task TokenAsync(HttpContext context)
    {
        var form = await context.Request.ReadFormAsync();
        var client = form["client_id"].ToString();
        if (!_clients.TryGetValue(client, out var registered) || form["client_secret"] != registered.Secret)
        {
            await ErrorAsync(context, "invalid_client");
            return;
        }

        switch (form["grant_type"].ToString())
        {
            case "authorization_code":
                if (!_codes.TryRemove(form["code"].ToString(), out var code) || code.Client != client || form["redirect_uri"] != code.Redirect
                    || Base64UrlTextEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(form["code_verifier"].ToString()))) != code.Challenge)
                {
                    await ErrorAsync(context, "invalid_grant");
                    return;
                }

                break;
            case "refresh_token":
                if (!_refreshTokens.TryRemove(form["refresh_token"].ToString(), out var owner) || owner != client)
                {
                    await ErrorAsync(context, "invalid_grant");
                    return;
                }

                Interlocked.Increment(ref _refreshes);
                break;
            default:
                await ErrorAsync(context, "unsupported_grant_type");
                return;
        }

        var access = "access-" + Random();
        var refresh = "refresh-" + Random();
        _accessTokens[access] = client;
        _refreshTokens[refresh] = client;
        Issue(access);
        Issue(refresh);
        await JsonAsync(context, new JsonObject { ["access_token"] = access, ["token_type"] = "Bearer", ["expires_in"] = 3600, ["refresh_token"] = refresh });
    }

    private Task ResourceAsync(HttpContext context)
    {
        var authorization = context.Request.Headers.Authorization.ToString();
        if (!authorization.StartsWith("Bearer ", StringComparison.Ordinal) || !_accessTokens.ContainsKey(authorization["Bearer ".Length..]))
        {
            Interlocked.Increment(ref _rejected);
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = $"Bearer resource_metadata=\"{Issuer}/.well-known/oauth-protected-resource\"";
            return Task.CompletedTask;
        }

        return _mcp.HandleAsync(context);
    }

    private void Issue(string token)
    {
        lock (_issued)
        {
            _issued.Add(token);
            IssuedTokens = [.. _issued];
        }
    }

    private static string Random() => Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();

    private static Task ErrorAsync(HttpContext context, string error)
    {
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        return JsonAsync(context, new JsonObject { ["error"] = error });
    }

    private static Task JsonAsync(HttpContext context, JsonObject body)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(body.ToJsonString(JsonSerializerOptions.Default));
    }
}
