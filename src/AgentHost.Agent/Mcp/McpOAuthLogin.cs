using AgentHost.Hosting;

namespace AgentHost.Agent.Mcp;

/// <summary>What <c>agent mcp login</c> achieved.</summary>
/// <param name="ToolCount">How many tools the server listed with the new token.</param>
/// <param name="StoredIn">Where the login is kept: the keychain, or the credentials file's path.</param>
/// <param name="StoredName">The name it is stored under (<c>agent auth logout</c> removes it).</param>
public sealed record McpLoginResult(int ToolCount, string StoredIn, string StoredName);

/// <summary>
/// <c>agent mcp login NAME</c>: the OAuth authorization of an HTTP MCP server through the MCP SDK's client (protected
/// resource metadata, authorization server metadata, dynamic client registration, PKCE), with the browser sent back to
/// a listener on 127.0.0.1; the tokens (and the client registration) are stored as <see cref="McpOAuthTokens"/> says,
/// and the server's tools are listed with them to prove the login works.
/// </summary>
public static class McpOAuthLogin
{
    /// <summary>Logs in to one server.</summary>
    /// <param name="definition">The server, as a session would start it.</param>
    /// <param name="environment">Where the login is stored.</param>
    /// <param name="openUrl">Shows (and may open) the authorization URL: called once the server asked for a login.</param>
    /// <param name="timeout">How long the whole login may take, the person's part included.</param>
    /// <param name="cancellationToken">Cancels the login.</param>
    /// <returns>What it achieved.</returns>
    /// <exception cref="AgentHostException">The server cannot log in this way, or the login failed; the message says why.</exception>
    public static async Task<McpLoginResult> LoginAsync(McpServerDefinition definition, HostEnvironment environment, Action<Uri> openUrl, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(openUrl);
        if (definition.OAuth is null || definition.Url is null)
        {
            throw new AgentHostException(ErrorKind.Usage, $"MCP server '{definition.Name}' ({definition.Source}) cannot log in with OAuth: {WhyNot(definition)}");
        }

        using var listener = new McpOAuthRedirectListener();
        var (asked, answered) = (false, false);
        var tokens = McpOAuthTokens.ForLogin(definition.Name, definition.Url, environment, listener.RedirectUri, async (context, ct) =>
        {
            asked = true;
            openUrl(context.AuthorizationUri);
            var result = await listener.WaitAsync(definition.Name, ct).ConfigureAwait(false);
            answered = true;
            return result;
        });

        try
        {
            await using var connection = await McpConnection.StartAsync(definition with { OAuth = tokens, StartTimeout = timeout }, environment.CurrentDirectory, logging: null, cancellationToken).ConfigureAwait(false);
            if (!asked)
            {
                throw new AgentHostException(ErrorKind.Usage, $"MCP server '{definition.Name}' did not ask for a login (it answered without one); nothing was stored.");
            }

            return new McpLoginResult(connection.Tools.Count, tokens.Location, McpOAuthTokens.StoredName(definition.Name));
        }
        catch (McpStartException ex)
        {
            if (McpConnection.FindInChain<AgentHostException>(ex) is { } refused)
            {
                throw new AgentHostException(refused.Kind, refused.Message, ex);
            }

            throw asked && !answered
                ? new AgentHostException(ErrorKind.Usage, $"MCP server '{definition.Name}': the browser did not come back with a login within {timeout.TotalSeconds:0.#} s; nothing was stored. Run 'agent mcp login {definition.Name}' again (--timeout S gives more time).", ex)
                : new AgentHostException(ErrorKind.Provider, ex.Message, ex);
        }
    }

    private static string WhyNot(McpServerDefinition definition) =>
        definition.Transport == Sdk.Capabilities.McpTransport.Stdio
            ? "it runs a command (stdio), and OAuth is for HTTP servers."
            : McpBearerToken.HasAuthorization(definition.Headers)
                ? "it already sends an Authorization header (headers, bearer_token or 'agent auth login'). Remove that to use OAuth."
                : "a login is kept only for a server of your own configuration (~/.config/agent/config.yaml), never for a project's or a plugin's. Add it there with 'agent mcp add NAME URL'.";
}
