using System.Text.Json;
using AgentHost.Sdk.Capabilities;

namespace AgentHost.Hosting.Plugins.Manifests;

/// <summary>
/// Parses a Claude Code plugin's MCP servers (<c>.mcp.json</c> / <c>mcpServers</c>, the format of a project's
/// <c>.mcp.json</c>) and LSP servers (<c>.lsp.json</c> / <c>lspServers</c>) into our capabilities, with
/// <c>${CLAUDE_PLUGIN_ROOT}</c> expanded in commands, arguments, environment values, URLs and headers.
/// </summary>
internal static class ClaudeServerParser
{
    private static readonly string[] McpFields = ["type", "command", "args", "env", "url", "headers", "description"];

    private static readonly string[] LspFields =
        ["command", "args", "env", "extensionToLanguage", "initializationOptions", "settings", "startupTimeout", "shutdownTimeout", "restartOnCrash", "maxRestarts", "transport", "description"];

    public static IEnumerable<McpServerCapability> Mcp(JsonSourceFile file, JsonElement servers, string prefix, ReadState state)
    {
        var shown = Shown(file, state);
        foreach (var server in servers.EnumerateObject())
        {
            var path = prefix + server.Name;
            if (server.Value.ValueKind != JsonValueKind.Object)
            {
                state.Errors.Add(file.Problem(path, "must be an object with \"command\" (a stdio server) or \"url\" (an HTTP server)"));
                continue;
            }

            if (!Capability.IsValidName(server.Name))
            {
                state.Errors.Add(file.Problem(path, $"'{server.Name}' is not a usable server name; use letters, digits, '_', '-' and '.'"));
                continue;
            }

            var value = server.Value;
            NoteUnknown(value, McpFields, $"{shown}: {path}", state, f => f == "cwd" ? "a working folder is not supported; the server starts in the session's folder (use ${CLAUDE_PLUGIN_ROOT} in paths)" : null);
            var type = ClaudePluginReader.Text(file, "type", state.Errors, value, path + ".");
            var command = Expanded(file, "command", value, path, state);
            var url = Expanded(file, "url", value, path, state);
            if (type is not (null or "stdio" or "http" or "sse" or "streamable-http"))
            {
                state.NotMapped.Add($"{shown}: {path}: server type '{type}' is not supported (stdio, http and sse are)");
                continue;
            }

            if ((command is null) == (url is null) || (type == "stdio" && command is null) || (type is "http" or "sse" or "streamable-http" && url is null))
            {
                state.Errors.Add(file.Problem(path, "give \"command\" (a stdio server) or \"url\" with \"type\": \"http\" (a remote server)"));
                continue;
            }

            Uri? uri = null;
            if (url is not null && CheckedUrl(url) is { Problem: { } problem })
            {
                state.Errors.Add(file.Problem(path + ".url", problem));
                continue;
            }
            else if (url is not null)
            {
                uri = CheckedUrl(url).Url;
            }

            yield return new McpServerCapability(server.Name, command is null ? McpTransport.Http : McpTransport.Stdio)
            {
                Description = ClaudePluginReader.Text(file, "description", state.Errors, value, path + "."),
                Command = command,
                Args = List(file, "args", value, path, state),
                Environment = Map(file, "env", value, path, state),
                Url = uri,
                UrlTemplate = url is not null && url.Contains("${", StringComparison.Ordinal) ? url : null,
                Headers = Map(file, "headers", value, path, state),
            };
        }
    }

    /// <summary>
    /// A server URL checked as it would be with nothing set: each <c>${VAR:-default}</c> is its default (the variables
    /// are expanded from the environment when the server starts), so <c>${BASE:-https://example.com}/mcp</c> is
    /// <c>https://example.com/mcp</c>.
    /// </summary>
    private static (Uri? Url, string? Problem) CheckedUrl(string url)
    {
        var defaulted = url.Contains("${", StringComparison.Ordinal)
            ? Configuration.ValueExpander.Expand(url, new Dictionary<string, string>(StringComparer.Ordinal))
            : new Configuration.ValueExpander.Expansion(url, [], null);
        if (defaulted.Error is { } error)
        {
            return (null, $"'{url}': {error}");
        }

        if (Uri.TryCreate(defaulted.Value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
        {
            return (uri, null);
        }

        var shown = defaulted.Value == url ? string.Empty : $" (with each variable's default, as when none is set: '{defaulted.Value}')";
        var fix = defaulted.UnsetVariables.Count > 0
            ? $"; give {string.Join(" and ", defaulted.UnsetVariables.Select(v => "${" + v + "}"))} a default: ${{{defaulted.UnsetVariables[0]}:-https://…}}"
            : string.Empty;
        return (null, $"'{url}' must be an absolute http(s) URL{shown}{fix}");
    }

    public static IEnumerable<LspServerCapability> Lsp(JsonSourceFile file, JsonElement servers, string prefix, ReadState state)
    {
        var shown = Shown(file, state);
        foreach (var server in servers.EnumerateObject())
        {
            var path = prefix + server.Name;
            var value = server.Value;
            if (value.ValueKind != JsonValueKind.Object)
            {
                state.Errors.Add(file.Problem(path, "must be an object with \"command\" and \"extensionToLanguage\""));
                continue;
            }

            if (!Capability.IsValidName(server.Name))
            {
                state.Errors.Add(file.Problem(path, $"'{server.Name}' is not a usable server name; use letters, digits, '_', '-' and '.'"));
                continue;
            }

            NoteUnknown(value, LspFields, $"{shown}: {path}", state, f => f switch
            {
                "workspaceFolder" => "a fixed workspace folder is not supported; the project root is used",
                "loggingConfig" => "server logging settings are not applied",
                _ => null,
            });
            var command = Expanded(file, "command", value, path, state);
            if (command is null)
            {
                state.Errors.Add(file.Problem(path + ".command", "is required; give the server's executable, e.g. \"command\": \"pyright-langserver\""));
                continue;
            }

            if (ClaudePluginReader.Text(file, "transport", state.Errors, value, path + ".") is { } transport and not "stdio")
            {
                state.NotMapped.Add($"{shown}: {path}: transport '{transport}' is not supported (only stdio)");
                continue;
            }

            var languages = Map(file, "extensionToLanguage", value, path, state);
            if (languages.Count == 0)
            {
                state.Errors.Add(file.Problem(path + ".extensionToLanguage", "is required; map file extensions to language ids, e.g. { \".py\": \"python\" }"));
                continue;
            }

            var badExtension = languages.Keys.FirstOrDefault(e => !e.StartsWith('.'));
            if (badExtension is not null)
            {
                state.Errors.Add(file.Problem(path + ".extensionToLanguage", $"'{badExtension}' must start with a dot, e.g. \".{badExtension}\""));
                continue;
            }

            yield return new LspServerCapability(server.Name, command)
            {
                Description = ClaudePluginReader.Text(file, "description", state.Errors, value, path + "."),
                Args = List(file, "args", value, path, state),
                Environment = Map(file, "env", value, path, state),
                FileExtensions = [.. languages.Keys],
                LanguageIds = languages,
                InitializationOptionsJson = Raw(value, "initializationOptions"),
                SettingsJson = Raw(value, "settings"),
                StartTimeout = Milliseconds(file, "startupTimeout", value, path, state) ?? TimeSpan.FromSeconds(30),
                ShutdownTimeout = Milliseconds(file, "shutdownTimeout", value, path, state) ?? TimeSpan.FromSeconds(5),
                Restart = value.TryGetProperty("restartOnCrash", out var restart) && restart.ValueKind == JsonValueKind.False ? LspRestartPolicy.Never : LspRestartPolicy.OnCrash,
                MaxRestarts = value.TryGetProperty("maxRestarts", out var max) && max.ValueKind == JsonValueKind.Number && max.TryGetInt32(out var count) && count is >= 0 and <= 100 ? count : 3,
            };
        }
    }

    private static string Shown(JsonSourceFile file, ReadState state) =>
        Path.GetRelativePath(state.Root, file.File).Replace('\\', '/');

    private static void NoteUnknown(JsonElement value, string[] known, string where, ReadState state, Func<string, string?> why)
    {
        foreach (var field in value.EnumerateObject().Select(p => p.Name).Where(f => !known.Contains(f, StringComparer.Ordinal)))
        {
            state.NotMapped.Add($"{where}.{field}: {why(field) ?? "unknown field, ignored"}");
        }
    }

    private static string? Expanded(JsonSourceFile file, string name, JsonElement value, string path, ReadState state) =>
        ClaudePluginReader.Text(file, name, state.Errors, value, path + ".") is { } text ? ClaudePluginReader.ExpandRoot(text, state.Root) : null;

    private static List<string> List(JsonSourceFile file, string name, JsonElement value, string path, ReadState state)
    {
        if (!value.TryGetProperty(name, out var list) || list.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (list.ValueKind != JsonValueKind.Array || list.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
        {
            state.Errors.Add(file.Problem($"{path}.{name}", $"must be a list of strings, e.g. [\"--stdio\"]"));
            return [];
        }

        return [.. list.EnumerateArray().Select(e => ClaudePluginReader.ExpandRoot(e.GetString()!, state.Root))];
    }

    private static Dictionary<string, string> Map(JsonSourceFile file, string name, JsonElement value, string path, ReadState state)
    {
        if (!value.TryGetProperty(name, out var map) || map.ValueKind == JsonValueKind.Null)
        {
            return new Dictionary<string, string>(StringComparer.Ordinal);
        }

        if (map.ValueKind != JsonValueKind.Object || map.EnumerateObject().Any(e => e.Value.ValueKind != JsonValueKind.String))
        {
            state.Errors.Add(file.Problem($"{path}.{name}", "must be an object of string values, e.g. { \"NAME\": \"value\" }"));
            return new Dictionary<string, string>(StringComparer.Ordinal);
        }

        return map.EnumerateObject().ToDictionary(e => e.Name, e => ClaudePluginReader.ExpandRoot(e.Value.GetString()!, state.Root), StringComparer.Ordinal);
    }

    private static string? Raw(JsonElement value, string name) =>
        value.TryGetProperty(name, out var raw) && raw.ValueKind is not JsonValueKind.Null ? raw.GetRawText() : null;

    private static TimeSpan? Milliseconds(JsonSourceFile file, string name, JsonElement value, string path, ReadState state)
    {
        if (!value.TryGetProperty(name, out var number) || number.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (number.ValueKind == JsonValueKind.Number && number.TryGetDouble(out var ms) && ms > 0)
        {
            return TimeSpan.FromMilliseconds(ms);
        }

        state.Errors.Add(file.Problem($"{path}.{name}", $"must be a positive number of milliseconds, e.g. 30000, not {number.GetRawText()}"));
        return null;
    }
}
