using System.Text.Json;
using AgentHost.Hosting.Configuration;
using AgentHost.Hosting.Text;
using AgentHost.Sdk.Capabilities;

namespace AgentHost.Agent.Mcp;

/// <summary>
/// Reads a project's <c>.mcp.json</c> in the format Claude Code and other peers use:
/// <c>{"mcpServers": {"NAME": {"command": "…", "args": […], "env": {…}}}}</c> for a stdio server,
/// <c>{"type": "http"|"sse", "url": "…", "headers": {…}}</c> for a remote one; <c>${VAR}</c> and <c>${VAR:-default}</c>
/// are expanded in command, args, env, url and headers.
/// </summary>
public static class McpJsonFile
{
    /// <summary>The file's name in the project root.</summary>
    public const string FileName = ".mcp.json";

    /// <summary>The servers of the file; each problem names the file and field and says how to fix it.</summary>
    public static IReadOnlyList<McpServerDefinition> Read(string path, IReadOnlyDictionary<string, string> variables, List<string> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(TextFiles.Read(path), new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException ex)
        {
            problems.Add($"{path}: not valid JSON ({ex.Message}); fix the file or remove it.");
            return [];
        }
        catch (IOException ex)
        {
            problems.Add($"{path}: cannot be read ({ex.Message}).");
            return [];
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("mcpServers", out var servers) || servers.ValueKind != JsonValueKind.Object)
            {
                problems.Add($"{path}: expected an object with \"mcpServers\": {{ \"NAME\": {{ \"command\": … }} }}.");
                return [];
            }

            var result = new List<McpServerDefinition>();
            foreach (var server in servers.EnumerateObject())
            {
                if (Parse(path, server, variables, problems) is { } definition)
                {
                    result.Add(definition);
                }
            }

            return result;
        }
    }

    private static McpServerDefinition? Parse(string path, JsonProperty server, IReadOnlyDictionary<string, string> variables, List<string> problems)
    {
        var field = $"{path}: mcpServers.{server.Name}";
        if (server.Value.ValueKind != JsonValueKind.Object)
        {
            problems.Add($"{field}: expected an object with \"command\" (stdio) or \"url\" (HTTP).");
            return null;
        }

        if (!McpServerNames.IsValid(server.Name))
        {
            problems.Add($"{field}: '{server.Name}' is not a usable server name; {McpServerNames.Rule}.");
            return null;
        }

        var value = server.Value;
        string? Text(string name) => value.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? Expand(p.GetString()!) : null;
        string Expand(string text) => McpVariables.Expand(text, variables, field, problems);

        Dictionary<string, string> Map(string name) =>
            value.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.Object
                ? p.EnumerateObject().Where(e => e.Value.ValueKind == JsonValueKind.String).ToDictionary(e => e.Name, e => Expand(e.Value.GetString()!), StringComparer.Ordinal)
                : [];

        var command = Text("command");
        var url = Text("url");
        var type = Text("type");
        if (command is not null && type is null or "stdio")
        {
            var args = value.TryGetProperty("args", out var a) && a.ValueKind == JsonValueKind.Array
                ? a.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => Expand(e.GetString()!)).ToList()
                : [];
            return new McpServerDefinition(server.Name, path, McpTransport.Stdio) { Command = command, Args = args, Environment = Map("env") };
        }

        if (url is not null && type is null or "http" or "sse" or "streamable-http")
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                problems.Add($"{field}.url: '{url}' is not an absolute http(s) URL.");
                return null;
            }

            return new McpServerDefinition(server.Name, path, McpTransport.Http) { Url = uri, Headers = Map("headers") };
        }

        problems.Add($"{field}: give \"command\" (a stdio server) or \"url\" with \"type\": \"http\" or \"sse\" (a remote server){(type is null ? string.Empty : $"; type '{type}' is not one of stdio, http, sse")}.");
        return null;
    }
}
