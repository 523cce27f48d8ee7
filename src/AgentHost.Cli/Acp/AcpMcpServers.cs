using System.Text.Json;
using AgentHost.Agent.Mcp;
using AgentHost.Sdk.Capabilities;

namespace AgentHost.Cli.Acp;

/// <summary>
/// The MCP servers an editor passes at <c>session/new</c> (<c>mcpServers</c>): stdio (<c>name</c>, <c>command</c>,
/// <c>args</c>, <c>env</c>), <c>http</c> and <c>sse</c> (<c>name</c>, <c>url</c>, <c>headers</c>), as session-only
/// definitions (<see cref="Agent.Service.SessionOptions.AddedMcpServers"/>). Each is taken as given: nothing from the
/// configuration is added (no token, header or variable). A malformed entry is answered with InvalidParams naming it.
/// </summary>
internal static class AcpMcpServers
{
    /// <summary>Where the servers come from, in messages and <c>agent mcp</c>-style listings.</summary>
    public const string Source = "the editor (ACP session/new, load or resume)";

    /// <summary>Reads <c>mcpServers</c> (an array: required by the schema at session/new and session/load, optional at session/resume).</summary>
    /// <param name="parameters">The request's params.</param>
    /// <param name="method">The method, for messages.</param>
    /// <param name="required">Whether the array must be there.</param>
    /// <returns>The definitions, in the order given.</returns>
    public static IReadOnlyList<McpServerDefinition> Read(JsonElement parameters, string method, bool required = true)
    {
        var servers = new List<McpServerDefinition>();
        var index = 0;
        foreach (var entry in required ? AcpParams.RequiredArray(parameters, "mcpServers", method).EnumerateArray() : AcpParams.OptionalArray(parameters, "mcpServers", method))
        {
            var where = $"{method}: mcpServers[{index++}]";
            var server = One(AcpParams.Object(entry, where), where);
            if (servers.Any(s => s.Name == server.Name))
            {
                throw AcpErrors.InvalidParams($"{where}: the name '{server.Name}' is given twice; each MCP server of a session needs its own name.");
            }

            servers.Add(server);
        }

        return servers;
    }

    private static McpServerDefinition One(JsonElement entry, string where)
    {
        var name = AcpParams.RequiredString(entry, "name", where);
        if (!McpServerNames.IsValid(name))
        {
            throw AcpErrors.InvalidParams($"{where}: \"name\" '{name}' cannot begin tool names; {McpServerNames.Rule}. Rename the server in the editor's settings.");
        }

        var type = AcpParams.OptionalString(entry, "type", where) ?? "stdio";
        switch (type)
        {
            case "stdio":
                var command = AcpParams.RequiredString(entry, "command", where);
                return new McpServerDefinition(name, Source, McpTransport.Stdio)
                {
                    Command = command,
                    Args = [.. AcpParams.OptionalArray(entry, "args", where).Select((a, i) => a.ValueKind == JsonValueKind.String ? a.GetString()! : throw AcpErrors.InvalidParams($"{where}: \"args\"[{i}] must be a string."))],
                    Environment = Pairs(entry, "env", where),
                };
            case "http" or "sse":
                var url = AcpParams.RequiredString(entry, "url", where);
                if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                {
                    throw AcpErrors.InvalidParams($"{where}: \"url\" '{url}' must be an absolute http(s) URL.");
                }

                // Streamable HTTP, falling back to the older HTTP+SSE transport: both kinds connect the same way.
                return new McpServerDefinition(name, Source, McpTransport.Http) { Url = uri, Headers = Pairs(entry, "headers", where) };
            default:
                throw AcpErrors.InvalidParams($"{where}: \"type\" '{type}' is not an MCP transport this agent speaks (stdio, http, sse).");
        }
    }

    /// <summary>An array of <c>{name, value}</c> (environment variables, headers) as a dictionary.</summary>
    private static Dictionary<string, string> Pairs(JsonElement entry, string field, string where)
    {
        var pairs = new Dictionary<string, string>(StringComparer.Ordinal);
        var index = 0;
        foreach (var pair in AcpParams.OptionalArray(entry, field, where))
        {
            var at = $"{where}.{field}[{index++}]";
            pairs[AcpParams.RequiredString(AcpParams.Object(pair, at), "name", at)] =
                pair.TryGetProperty("value", out var value) && value.ValueKind == JsonValueKind.String
                    ? value.GetString()!
                    : throw AcpErrors.InvalidParams($"{at}: \"value\" must be a string.");
        }

        return pairs;
    }
}
