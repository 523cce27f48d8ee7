namespace AgentHost.Sdk.Capabilities;

/// <summary>How the host talks to an MCP server.</summary>
public enum McpTransport
{
    /// <summary>A child process speaking JSON-RPC over stdin/stdout.</summary>
    Stdio,

    /// <summary>Streamable HTTP (with SSE).</summary>
    Http,
}

/// <summary>A Model Context Protocol server whose tools, prompts and resources the host exposes.</summary>
/// <remarks>Declared in <c>plugin.yaml</c> (<c>mcp:</c>) or in code.</remarks>
public sealed class McpServerCapability : Capability
{
    /// <summary>Creates an MCP server definition.</summary>
    /// <param name="name">The server name; its tools appear as <c>mcp__name__tool</c>.</param>
    /// <param name="transport">The transport.</param>
    public McpServerCapability(string name, McpTransport transport)
        : base(name) => Transport = transport;

    /// <inheritdoc />
    public override CapabilityKind Kind => CapabilityKind.McpServer;

    /// <summary>The transport.</summary>
    public McpTransport Transport { get; }

    /// <summary>The executable for <see cref="McpTransport.Stdio"/>.</summary>
    public string? Command { get; init; }

    /// <summary>Arguments for <see cref="McpTransport.Stdio"/>.</summary>
    public IReadOnlyList<string> Args { get; init; } = [];

    /// <summary>Extra environment variables for <see cref="McpTransport.Stdio"/>.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>The endpoint for <see cref="McpTransport.Http"/>.</summary>
    public Uri? Url { get; init; }

    /// <summary>
    /// The endpoint as written when it holds <c>${VAR}</c> or <c>${VAR:-default}</c> references, which the host expands
    /// from the environment when the server starts; <see cref="Url"/> is then the endpoint with each default.
    /// <see langword="null"/> for a fixed endpoint.
    /// </summary>
    public string? UrlTemplate { get; init; }

    /// <summary>HTTP headers for <see cref="McpTransport.Http"/>.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();
}
