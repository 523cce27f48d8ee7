using System.Globalization;
using System.Text.Json.Nodes;
using AgentHost.Agent.Credentials;
using AgentHost.Hosting;
using ModelContextProtocol.Authentication;

namespace AgentHost.Agent.Mcp;

/// <summary>
/// The OAuth tokens of one HTTP MCP server (from <c>agent mcp login NAME</c>), as the MCP SDK's token cache: kept where
/// <c>agent auth login</c> keeps provider keys (<see cref="StoredKeys"/>: the keychain, else <c>credentials.json</c>
/// with mode 0600) under <c>mcp-oauth.NAME</c>, with the server's URL, the client registration (client id and secret
/// from dynamic registration) and the refresh token. A stored login is used only for the URL it was made for; a
/// refreshed token is stored again at once. Read once per connection, then kept in memory. Never logged.
/// </summary>
/// <remarks>
/// A session's cache has no way to ask a person: when the server needs a new authorization (no token, or the refresh
/// failed) <see cref="AuthorizeAsync"/> throws <see cref="McpLoginRequiredException"/>, naming the login command.
/// <c>agent mcp login</c> makes one with <see cref="ForLogin"/>, which starts empty and opens the browser flow.
/// </remarks>
internal sealed class McpOAuthTokens : ITokenCache
{
    /// <summary>The redirect address a session registers with (never listened on: a session does not authorize).</summary>
    private static readonly Uri NoRedirect = new("http://127.0.0.1/callback");

    private readonly string _server;
    private readonly Uri _url;
    private readonly HostEnvironment _environment;
    private readonly Func<AuthorizationCallbackContext, CancellationToken, Task<AuthorizationResult?>>? _authorize;
    private readonly Lock _lock = new();
    private TokenContainer? _tokens;
    private bool _loaded;

    private McpOAuthTokens(string server, Uri url, HostEnvironment environment, Func<AuthorizationCallbackContext, CancellationToken, Task<AuthorizationResult?>>? authorize, Uri redirect)
    {
        _server = server;
        _url = url;
        _environment = environment;
        _authorize = authorize;
        RedirectUri = redirect;
        _loaded = authorize is not null;
    }

    /// <summary>The redirect address given to the authorization server.</summary>
    public Uri RedirectUri { get; }

    /// <summary>The name the login is stored under (<c>agent auth logout</c> takes it too).</summary>
    public static string StoredName(string server) => "mcp-oauth." + server.ToLowerInvariant();

    /// <summary>A session's tokens of a server: the stored login, if it was made for <paramref name="url"/>.</summary>
    public static McpOAuthTokens ForSession(string server, Uri url, HostEnvironment environment) => new(server, url, environment, authorize: null, NoRedirect);

    /// <summary>
    /// <c>agent mcp login</c>'s tokens: none at first (so the server asks for a new authorization), the browser flow
    /// through <paramref name="authorize"/> with <paramref name="redirect"/>, and the result stored.
    /// </summary>
    public static McpOAuthTokens ForLogin(string server, Uri url, HostEnvironment environment, Uri redirect, Func<AuthorizationCallbackContext, CancellationToken, Task<AuthorizationResult?>> authorize) =>
        new(server, url, environment, authorize, redirect);

    /// <summary>Whether a login is stored for this server and URL.</summary>
    public bool HasStoredLogin => Load() is not null;

    /// <summary>
    /// The client id to give the SDK up front: none while logging in or with a stored login (then the stored
    /// registration is used), else a placeholder, so that a session without a login does not register a client with
    /// the authorization server (dynamic registration) before it finds that nobody can authorize it.
    /// </summary>
    public string? ClientIdBeforeLogin => _authorize is null && !HasStoredLogin ? "agent-not-logged-in" : null;

    /// <summary>Where the login is stored, for messages.</summary>
    public string Location => StoredKeys.List(_environment).FirstOrDefault(l => l.Provider == StoredName(_server))?.Location ?? StoredKeys.FilePath(_environment);

    /// <summary>Runs the authorization: the browser flow of <c>agent mcp login</c>, or, in a session, the error naming it.</summary>
    public Task<AuthorizationResult?> AuthorizeAsync(AuthorizationCallbackContext context, CancellationToken cancellationToken) =>
        _authorize is { } authorize ? authorize(context, cancellationToken) : throw new McpLoginRequiredException(_server, HasStoredLogin);

    public ValueTask<TokenContainer?> GetTokensAsync(CancellationToken cancellationToken) => ValueTask.FromResult(Load());

    public ValueTask StoreTokensAsync(TokenContainer tokens, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        lock (_lock)
        {
            _tokens = tokens;
            _loaded = true;
            StoredKeys.Store(StoredName(_server), Serialize(tokens).ToJsonString(), _environment);
        }

        return ValueTask.CompletedTask;
    }

    private TokenContainer? Load()
    {
        lock (_lock)
        {
            if (!_loaded)
            {
                _tokens = StoredKeys.Find(StoredName(_server), _environment) is { } text ? Deserialize(text) : null;
                _loaded = true;
            }

            return _tokens;
        }
    }

    private JsonObject Serialize(TokenContainer tokens) => new()
    {
        ["url"] = _url.ToString(),
        ["token_type"] = tokens.TokenType,
        ["access_token"] = tokens.AccessToken,
        ["refresh_token"] = tokens.RefreshToken,
        ["expires_in"] = tokens.ExpiresIn,
        ["scope"] = tokens.Scope,
        ["obtained_at"] = tokens.ObtainedAt.ToString("O", CultureInfo.InvariantCulture),
        ["client_id"] = tokens.ClientId,
        ["client_secret"] = tokens.ClientSecret,
        ["token_endpoint_auth_method"] = tokens.TokenEndpointAuthMethod,
        ["authorization_server"] = tokens.AuthorizationServer,
    };

    /// <summary>The stored tokens, or <see langword="null"/> when they were made for another URL or cannot be read.</summary>
    private TokenContainer? Deserialize(string text)
    {
        JsonObject? stored;
        try
        {
            stored = JsonNode.Parse(text) as JsonObject;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }

        string? Text(string key) => stored?[key] is JsonValue value && value.TryGetValue<string>(out var s) ? s : null;
        if (Text("url") != _url.ToString() || Text("access_token") is not { } access
            || !DateTimeOffset.TryParse(Text("obtained_at"), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var obtained))
        {
            return null;
        }

        return new TokenContainer
        {
            TokenType = Text("token_type") ?? "Bearer",
            AccessToken = access,
            RefreshToken = Text("refresh_token"),
            ExpiresIn = stored!["expires_in"] is JsonValue expires && expires.TryGetValue<int>(out var seconds) ? seconds : null,
            Scope = Text("scope"),
            ObtainedAt = obtained,
            ClientId = Text("client_id"),
            ClientSecret = Text("client_secret"),
            TokenEndpointAuthMethod = Text("token_endpoint_auth_method"),
            AuthorizationServer = Text("authorization_server"),
        };
    }
}

/// <summary>An MCP server needs an OAuth login, which only <c>agent mcp login NAME</c> makes; the message says so.</summary>
internal sealed class McpLoginRequiredException(string server, bool hadLogin) : Exception(
    hadLogin
        ? $"its stored login is no longer accepted (the refresh failed). Log in again with 'agent mcp login {server}'"
        : $"it needs an OAuth login. Log in with 'agent mcp login {server}' (in a terminal; it opens the browser), then start the session again");
