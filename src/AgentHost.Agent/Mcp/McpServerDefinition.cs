using AgentHost.Sdk.Capabilities;

namespace AgentHost.Agent.Mcp;

/// <summary>
/// One MCP server the host connects to: from a plugin's manifest (<c>mcp:</c>), the configuration
/// (<c>mcp.servers.NAME</c>) or a project's <c>.mcp.json</c>. Its tools become <c>mcp__NAME__TOOL</c>.
/// </summary>
/// <param name="Name">The server's name (unique among the session's servers).</param>
/// <param name="Source">Where it was defined, for messages: <c>plugin git</c>, <c>config</c>, <c>/repo/.mcp.json</c>.</param>
/// <param name="Transport">Stdio (a child process) or HTTP (streamable HTTP, falling back to SSE).</param>
public sealed record McpServerDefinition(string Name, string Source, McpTransport Transport)
{
    /// <summary>
    /// The operating-system sandbox a stdio server runs in (<c>sandbox.mcp_servers: true</c>, docs/sandbox.md), or
    /// <see langword="null"/> to run it unsandboxed (the default).
    /// </summary>
    public Sdk.Tools.ProcessSandbox? Sandbox { get; init; }

    /// <summary>
    /// The complete environment a stdio server starts from instead of the host's (a shared server's allow-list, see
    /// <c>Engine.SessionProcessEnvironment</c>), its <see cref="Environment"/> set over it; <see langword="null"/> inherits the host's.
    /// </summary>
    public IReadOnlyDictionary<string, string>? BaseEnvironment { get; init; }

    /// <summary>The executable of a stdio server.</summary>
    public string? Command { get; init; }

    /// <summary>Its arguments.</summary>
    public IReadOnlyList<string> Args { get; init; } = [];

    /// <summary>Extra environment variables of a stdio server.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>The endpoint of an HTTP server.</summary>
    public Uri? Url { get; init; }

    /// <summary>A plugin's endpoint as written, with <c>${VAR}</c> references expanded when the server starts (<see cref="McpServerCapability.UrlTemplate"/>).</summary>
    public string? UrlTemplate { get; init; }

    /// <summary>HTTP headers (e.g. <c>Authorization: Bearer …</c>) of an HTTP server.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// The OAuth tokens of an HTTP server of the user's own configuration with no <c>Authorization</c> header: sent, and
    /// refreshed when the server rejects them; <see langword="null"/> when the server is not offered OAuth.
    /// </summary>
    internal McpOAuthTokens? OAuth { get; init; }

    /// <summary>How long starting (connect and initialize and list the tools) may take before the server is reported as failed.</summary>
    public TimeSpan StartTimeout { get; init; } = DefaultStartTimeout;

    /// <summary>When the server starts: when the session opens, at the first call of one of its tools, or in the background.</summary>
    internal McpStartMode Start { get; init; } = McpStartMode.Session;

    /// <summary>The plugin that declares it, or <see langword="null"/> for one of the configuration or a project's <c>.mcp.json</c>.</summary>
    public string? PluginId { get; init; }

    /// <summary>The start timeout when none is configured: 20 seconds.</summary>
    public static TimeSpan DefaultStartTimeout { get; } = TimeSpan.FromSeconds(20);

    /// <summary>What it runs or where it connects, for listings.</summary>
    public string Target => Transport == McpTransport.Stdio ? string.Join(' ', [Command, .. Args]) : Url?.ToString() ?? string.Empty;

    /// <summary>A plugin's declared server.</summary>
    public static McpServerDefinition FromCapability(McpServerCapability server, string pluginId) =>
        new(server.Name, $"plugin {pluginId}", server.Transport)
        {
            Command = server.Command,
            Args = server.Args,
            Environment = server.Environment,
            Url = server.Url,
            UrlTemplate = server.UrlTemplate,
            Headers = server.Headers,
            PluginId = pluginId,
        };
}

/// <summary>When an MCP server starts (<c>mcp.start</c>, <c>mcp.servers.NAME.start</c>).</summary>
internal enum McpStartMode
{
    /// <summary>When the session opens, in parallel with the others (the default).</summary>
    Session,

    /// <summary>
    /// At the first call of one of its tools; until then its tools are offered from the cache of its last listing. A
    /// server without a cache entry starts with the session and fills the cache.
    /// </summary>
    Lazy,

    /// <summary>
    /// Never waited for (the default of plugins' servers): with a cached listing as <see cref="Lazy"/>; without one it
    /// starts in the background when the session opens, and its tools join at the next model request once it has
    /// listed them (and fill the cache). A server that does not start is logged, not reported on every run.
    /// </summary>
    Background,
}
