using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentHost.Cli.Acp;

/// <summary>
/// How a tool call looks to the editor: its ACP <c>kind</c> (which icon and treatment it gets), a short title, and the
/// files it touches (<c>locations</c>, which the editor can follow), from the tool's name and arguments.
/// </summary>
internal static class AcpToolCalls
{
    private static readonly Dictionary<string, string> Kinds = new(StringComparer.Ordinal)
    {
        ["view"] = "read",
        ["read"] = "read",
        ["ls"] = "read",
        ["read_mcp_resource"] = "read",
        ["lsp_hover"] = "read",
        ["lsp_definition"] = "search",
        ["lsp_references"] = "search",
        ["lsp_symbols"] = "search",
        ["lsp_diagnostics"] = "read",
        ["write"] = "edit",
        ["edit"] = "edit",
        ["multi_edit"] = "edit",
        ["apply_patch"] = "edit",
        ["lsp_rename"] = "edit",
        ["delete"] = "delete",
        ["move"] = "move",
        ["glob"] = "search",
        ["grep"] = "search",
        ["tool_search"] = "search",
        ["list_mcp_resources"] = "search",
        ["shell"] = "execute",
        ["bash"] = "execute",
        ["fetch"] = "fetch",
        ["download"] = "fetch",
        ["web_search"] = "fetch",
        ["todo_write"] = "think",
        ["remember"] = "think",
    };

    /// <summary>The argument names that hold a path, in the order a title prefers them.</summary>
    private static readonly string[] PathArguments = ["path", "file_path", "file", "source", "destination", "from", "to"];

    /// <summary>The ACP tool kind of <paramref name="tool"/>.</summary>
    public static string KindOf(string tool) =>
        Kinds.TryGetValue(tool, out var kind) ? kind
        : tool.StartsWith("git_", StringComparison.Ordinal) ? (tool is "git_status" or "git_diff" or "git_log" or "git_show" or "git_branch_list" ? "read" : "edit")
        : "other";

    /// <summary>A one-line title: the tool and its main argument (a path, a command, a pattern or a URL).</summary>
    public static string TitleOf(string tool, JsonElement arguments)
    {
        foreach (var name in (string[])["command", .. PathArguments, "pattern", "query", "url"])
        {
            if (arguments.ValueKind == JsonValueKind.Object && arguments.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text)
            {
                var line = text.ReplaceLineEndings(" ");
                return $"{tool}: {(line.Length > 120 ? line[..119] + "…" : line)}";
            }
        }

        return tool;
    }

    /// <summary>The files the call names, as absolute paths inside <paramref name="root"/> (others are left out).</summary>
    public static JsonArray LocationsOf(JsonElement arguments, string root)
    {
        var locations = new JsonArray();
        if (arguments.ValueKind != JsonValueKind.Object)
        {
            return locations;
        }

        foreach (var name in PathArguments)
        {
            if (arguments.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } path)
            {
                var full = Path.GetFullPath(path, root);
                if (IsInside(full, root))
                {
                    var location = new JsonObject { ["path"] = full };
                    if (arguments.TryGetProperty("offset", out var offset) && offset.TryGetInt32(out var line) && line > 0)
                    {
                        location["line"] = line;
                    }

                    locations.Add(location);
                }
            }
        }

        return locations;
    }

    /// <summary>The call's arguments as JSON (its <c>rawInput</c>), or an empty object when they are not JSON.</summary>
    public static JsonElement ParseArguments(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(string.IsNullOrWhiteSpace(json) ? "{}" : json);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return JsonDocument.Parse("{}").RootElement.Clone();
        }
    }

    /// <summary>Whether <paramref name="path"/> is <paramref name="root"/> or inside it (both absolute).</summary>
    public static bool IsInside(string path, string root)
    {
        var comparison = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        var relative = Path.GetRelativePath(root, path);
        return relative != ".." && !relative.StartsWith(".." + Path.DirectorySeparatorChar, comparison) && !Path.IsPathRooted(relative);
    }
}
