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

    /// <summary>
    /// The ways to authenticate: a <c>terminal</c> method that runs <c>agent auth login</c> when the client can run one
    /// (the schema says to advertise it only then).
    /// </summary>
    public static JsonArray AuthMethods(AcpClient client) => client.TerminalAuth
        ? [new JsonObject
        {
            ["type"] = "terminal",
            ["id"] = "agent-auth-login",
            ["name"] = "Log in to a model provider",
            ["description"] = "Runs 'agent auth login', which stores a provider's API key for AgentHost.",
            ["args"] = new JsonArray("auth", "login"),
        }]
        : [];
}
