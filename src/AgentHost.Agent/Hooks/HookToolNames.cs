using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentHost.Agent.Hooks;

/// <summary>
/// Claude Code compatibility for tool hooks: the host's first-party tools under the names Claude Code's scripts match
/// (<c>shell</c> is <c>Bash</c>, <c>write</c> is <c>Write</c>, …), and their arguments with Claude Code's field names
/// added (an absolute <c>file_path</c> beside our relative <c>path</c>); an <c>updatedInput</c> in Claude Code's names
/// is mapped back. See docs/hooks.md, "Tool names".
/// </summary>
public static class HookToolNames
{
    private static readonly Dictionary<string, string> Aliases = new(StringComparer.Ordinal)
    {
        ["shell"] = "Bash",
        ["write"] = "Write",
        ["edit"] = "Edit",
        ["multi_edit"] = "MultiEdit",
        ["view"] = "Read",
        ["glob"] = "Glob",
        ["grep"] = "Grep",
        ["ls"] = "LS",
        ["fetch"] = "WebFetch",
    };

    /// <summary>Tools whose <c>path</c> is Claude Code's <c>file_path</c>.</summary>
    private static readonly HashSet<string> FilePathTools = new(StringComparer.Ordinal) { "write", "edit", "multi_edit", "view" };

    /// <summary>Every alias, host name to Claude Code name.</summary>
    public static IReadOnlyDictionary<string, string> All => Aliases;

    /// <summary>The Claude Code name of a host tool, or <see langword="null"/> when it has none.</summary>
    /// <param name="tool">The host's tool name.</param>
    /// <returns>The alias.</returns>
    public static string? AliasOf(string tool) => Aliases.GetValueOrDefault(tool);

    /// <summary>The host tool a Claude Code name stands for (<c>Bash</c> → <c>shell</c>), or the name itself.</summary>
    /// <param name="name">A tool name.</param>
    /// <returns>The host's name.</returns>
    public static string HostName(string name) => Aliases.FirstOrDefault(a => a.Value == name).Key ?? name;

    /// <summary>
    /// The fields every tool event carries: <c>tool_name</c> (Claude Code's name when there is one),
    /// <c>tool_input</c> (<see cref="ToHookInput"/>), <c>tool_use_id</c> and <c>agent_tool_name</c> (ours).
    /// </summary>
    /// <param name="tool">The host's tool name.</param>
    /// <param name="argumentsJson">The arguments (a JSON object).</param>
    /// <param name="callId">The call's id.</param>
    /// <param name="workspaceRoot">The project root.</param>
    /// <returns>A new object the caller may add event-specific fields to.</returns>
    public static JsonObject ToolFields(string tool, string argumentsJson, string callId, string? workspaceRoot) => new()
    {
        ["tool_name"] = AliasOf(tool) ?? tool,
        ["tool_input"] = ToHookInput(tool, argumentsJson, workspaceRoot),
        ["tool_use_id"] = callId,
        ["agent_tool_name"] = tool,
    };

    /// <summary>The <c>tool_input</c> a hook receives: the call's arguments, plus Claude Code's field names.</summary>
    /// <param name="tool">The host's tool name.</param>
    /// <param name="argumentsJson">The arguments (a JSON object).</param>
    /// <param name="workspaceRoot">The project root (relative paths are resolved against it).</param>
    /// <returns>The object.</returns>
    public static JsonObject ToHookInput(string tool, string argumentsJson, string? workspaceRoot)
    {
        JsonObject input;
        try
        {
            input = JsonNode.Parse(string.IsNullOrWhiteSpace(argumentsJson) ? "{}" : argumentsJson) as JsonObject ?? [];
        }
        catch (JsonException)
        {
            input = [];
        }

        if (FilePathTools.Contains(tool) && input["path"] is JsonValue pathValue && pathValue.TryGetValue<string>(out var path) && !input.ContainsKey("file_path"))
        {
            input["file_path"] = Absolute(path, workspaceRoot);
        }

        if (tool == "shell" && input["timeout_ms"] is { } timeout && !input.ContainsKey("timeout"))
        {
            input["timeout"] = timeout.DeepClone();
        }

        return input;
    }

    /// <summary>
    /// A hook's <c>updatedInput</c> as the tool's arguments: Claude Code's <c>file_path</c> becomes <c>path</c>
    /// (relative to the project root when inside it), <c>timeout</c> of <c>Bash</c> becomes <c>timeout_ms</c>, and
    /// fields the tool's schema does not declare are dropped. The result is validated against the schema again.
    /// </summary>
    /// <param name="tool">The host's tool name.</param>
    /// <param name="updated">The hook's updated input.</param>
    /// <param name="schema">The tool's JSON schema.</param>
    /// <param name="workspaceRoot">The project root.</param>
    /// <returns>The arguments as JSON.</returns>
    public static string FromHookInput(string tool, JsonObject updated, JsonElement schema, string? workspaceRoot)
    {
        ArgumentNullException.ThrowIfNull(updated);
        var result = (JsonObject)updated.DeepClone();
        if (FilePathTools.Contains(tool) && result["file_path"] is JsonValue fileValue && fileValue.TryGetValue<string>(out var filePath))
        {
            result.Remove("file_path");
            result["path"] = Relative(filePath, workspaceRoot);
        }

        if (tool == "shell" && result["timeout"] is { } timeout && !result.ContainsKey("timeout_ms"))
        {
            result.Remove("timeout");
            result["timeout_ms"] = timeout.DeepClone();
        }

        if (schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object)
        {
            foreach (var name in result.Select(p => p.Key).ToList())
            {
                if (!properties.TryGetProperty(name, out _))
                {
                    result.Remove(name);
                }
            }
        }

        return result.ToJsonString();
    }

    private static string Absolute(string path, string? root) =>
        Path.IsPathRooted(path) || root is null ? path : Path.GetFullPath(Path.Combine(root, path));

    private static string Relative(string path, string? root)
    {
        if (root is null || !Path.IsPathRooted(path))
        {
            return path;
        }

        var relative = Path.GetRelativePath(root, path);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? path : relative.Replace('\\', '/');
    }
}
