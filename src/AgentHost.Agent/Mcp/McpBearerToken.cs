using AgentHost.Agent.Credentials;
using AgentHost.Hosting;

namespace AgentHost.Agent.Mcp;

/// <summary>
/// An HTTP server's bearer token (no OAuth) from the same sources as a provider's API key:
/// <c>mcp.servers.NAME.bearer_token</c>, <c>bearer_token_env</c>, <c>bearer_token_file</c>, <c>bearer_token_command</c>,
/// else a token stored with <c>agent auth login mcp.NAME</c> — the stored one only for a server of the user's own
/// configuration, so a project cannot point a name at another URL and receive the user's token. It is sent as
/// <c>Authorization: Bearer …</c> unless the server's headers already set <c>Authorization</c>.
/// </summary>
internal static class McpBearerToken
{
    /// <summary>The name a token is stored under for <c>agent auth login</c>.</summary>
    public static string StoredName(string server) => "mcp." + server.ToLowerInvariant();

    /// <summary>
    /// Adds the Authorization header when a token is configured; false (with the problem) when a configured source
    /// fails. The token's keys are read only from the owner that set the server's URL (<see cref="McpConfiguredServer"/>).
    /// </summary>
    public static bool TryAdd(McpConfiguredServer server, string name, HostEnvironment environment, ref IReadOnlyDictionary<string, string> headers, List<string> problems)
    {
        if (HasAuthorization(headers))
        {
            return true;
        }

        var source = new SecretSource(
            server.Get("bearer_token"),
            server.Get("bearer_token_env"),
            server.GetPath("bearer_token_file"),
            server.Get("bearer_token_command"));
        string? token;
        try
        {
            token = source.Resolve($"MCP server '{name}'", "bearer token", server.Prefix + ".bearer_token", environment);
        }
        catch (AgentHostException ex)
        {
            problems.Add(ex.Message + " The server is left out.");
            return false;
        }

        if (token is null && IsUserConfigured(server, environment))
        {
            token = StoredKeys.Find(StoredName(name), environment);
        }

        if (token is not null)
        {
            headers = new Dictionary<string, string>(headers, StringComparer.OrdinalIgnoreCase) { ["Authorization"] = "Bearer " + token };
        }

        return true;
    }

    /// <summary>Whether the headers set <c>Authorization</c> (in any case).</summary>
    public static bool HasAuthorization(IReadOnlyDictionary<string, string> headers) =>
        headers.Keys.Any(h => h.Equals("Authorization", StringComparison.OrdinalIgnoreCase));

    /// <summary>Whether the server's URL is set by the user's own configuration file (not a project's).</summary>
    public static bool IsUserConfigured(McpConfiguredServer server, HostEnvironment environment) =>
        server.Target?.File is { } file
        && string.Equals(Path.GetFullPath(file), Path.GetFullPath(AgentPaths.Resolve(environment).GlobalConfigFile), OperatingSystem.IsLinux() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase);
}
