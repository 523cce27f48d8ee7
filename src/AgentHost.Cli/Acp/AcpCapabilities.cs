using System.Text.Json.Nodes;

namespace AgentHost.Cli.Acp;

/// <summary>What <c>initialize</c> announces: only what this agent really does.</summary>
internal static class AcpCapabilities
{
    /// <summary>The agent's capabilities.</summary>
    public static JsonObject Agent() => new()
    {
        ["loadSession"] = true,
        // Text and resource links (the baseline), embedded resources and images, under the rules of @file (AcpPromptContent).
        ["promptCapabilities"] = new JsonObject { ["image"] = true, ["audio"] = false, ["embeddedContext"] = true },
        // Streamable HTTP with the fallback to HTTP+SSE (McpConnection): both kinds of the editor's servers connect.
        ["mcpCapabilities"] = new JsonObject { ["http"] = true, ["sse"] = true },
        // Stored sessions: list (cursor, cwd filter), resume without replay, close (releases the lease), delete.
        ["sessionCapabilities"] = new JsonObject { ["list"] = new JsonObject(), ["resume"] = new JsonObject(), ["close"] = new JsonObject(), ["delete"] = new JsonObject() },
    };

    /// <summary>The id of the <c>terminal</c> authentication method.</summary>
    public const string LoginMethod = "agent-auth-login";

    /// <summary>
    /// The ways to authenticate: a <c>terminal</c> method when the client can run one (the schema says to advertise it
    /// only then). The client runs its configured command (<c>agent acp</c>) with the method's <c>args</c> APPENDED, so
    /// <c>agent acp --login</c> does what <c>agent auth login</c> does, asking for the provider first.
    /// </summary>
    public static JsonArray AuthMethods(AcpClient client) => client.TerminalAuth
        ? [new JsonObject
        {
            ["type"] = "terminal",
            ["id"] = LoginMethod,
            ["name"] = "Log in to a model provider",
            ["description"] = "Runs 'agent acp --login' in a terminal: it asks for a provider and its API key and stores the key for AgentHost, as 'agent auth login' does.",
            ["args"] = new JsonArray("--login"),
        }]
        : [];
}
