using System.Text.Json;
using System.Text.Json.Nodes;
using AgentHost.Hosting;

namespace AgentHost.Agent.Mcp;

/// <summary>
/// Adds and removes servers in a project's <c>.mcp.json</c> (for <c>agent mcp add|remove --scope project</c>), in the
/// format peers read; the other servers and any other top-level keys are kept.
/// </summary>
public static class McpJsonFileEditor
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Whether the file defines <paramref name="name"/>.</summary>
    public static bool Contains(string path, string name) => Servers(Load(path)).ContainsKey(name);

    /// <summary>Adds (or replaces) one server and writes the file.</summary>
    /// <param name="path">The <c>.mcp.json</c> file (created when missing).</param>
    /// <param name="name">The server's name.</param>
    /// <param name="server">Its entry: <c>{"command", "args", "env"}</c> or <c>{"type", "url", "headers"}</c>.</param>
    public static void Set(string path, string name, JsonObject server)
    {
        var root = Load(path);
        Servers(root)[name] = server;
        Save(path, root);
    }

    /// <summary>Removes one server and writes the file; false when it was not there.</summary>
    public static bool Remove(string path, string name)
    {
        var root = Load(path);
        if (!Servers(root).Remove(name))
        {
            return false;
        }

        Save(path, root);
        return true;
    }

    private static JsonObject Load(string path)
    {
        if (!File.Exists(path) || File.ReadAllText(path).Trim().Length == 0)
        {
            return new JsonObject { ["mcpServers"] = new JsonObject() };
        }

        try
        {
            return JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip }) as JsonObject
                ?? throw new AgentHostException(ErrorKind.Configuration, $"{path} does not hold a JSON object; fix it first (format: {{\"mcpServers\": {{…}}}}).");
        }
        catch (JsonException ex)
        {
            throw new AgentHostException(ErrorKind.Configuration, $"{path} is not valid JSON ({ex.Message}); fix it first. It was not changed.", ex);
        }
    }

    private static JsonObject Servers(JsonObject root)
    {
        if (root["mcpServers"] is JsonObject servers)
        {
            return servers;
        }

        if (root["mcpServers"] is not null)
        {
            throw new AgentHostException(ErrorKind.Configuration, "\"mcpServers\" in .mcp.json is not an object; fix it first. It was not changed.");
        }

        servers = [];
        root["mcpServers"] = servers;
        return servers;
    }

    private static void Save(string path, JsonObject root)
    {
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, root.ToJsonString(Indented) + Environment.NewLine);
        File.Move(temporary, path, overwrite: true);
    }
}
