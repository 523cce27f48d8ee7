using System.Text.Json;
using AgentHost.Hosting.Hooks;
using AgentHost.Hosting.Text;
using AgentHost.Sdk.Capabilities;

namespace AgentHost.Hosting.Plugins.Manifests;

/// <summary>The parts of a Claude Code plugin mapped onto ours.</summary>
internal sealed record ClaudeParts(
    List<string> Skills, List<string> Commands, List<string> Hooks, List<McpServerCapability> Mcp, List<LspServerCapability> Lsp, List<HostCapability> Uses);

/// <summary>
/// Finds a Claude Code plugin's parts: the default folders and files, plus the paths (or inline objects) its
/// <c>plugin.json</c> gives for <c>skills</c>, <c>commands</c>, <c>agents</c>, <c>hooks</c>, <c>mcpServers</c> and <c>lspServers</c>.
/// </summary>
internal static class ClaudePluginParts
{
    /// <summary>The hook events the host runs (docs/hooks.md); a plugin's hooks for other events are listed as not mapped.</summary>
    public static ClaudeParts Read(ReadState state, JsonSourceFile? json)
    {
        var skills = Folders(state, json, "skills", "skills");
        var commands = Folders(state, json, "commands", "commands", filesToo: true);
        var agentFolders = Folders(state, json, "agents", "agents", filesToo: true);

        // The sub-agent files and the command files' front matter are listed and read only where the notes are shown
        // (PluginNotes): a run does not read them.
        var root = state.Root;
        state.NotMapped.AddLater(() => NotMappedFiles(root, agentFolders, commands));

        var hooks = Hooks(state, json);
        var mcp = new Dictionary<string, McpServerCapability>(StringComparer.Ordinal);
        var lsp = new Dictionary<string, LspServerCapability>(StringComparer.Ordinal);
        Servers(state, json, ".mcp.json", "mcpServers", (file, element, prefix) =>
        {
            foreach (var server in ClaudeServerParser.Mcp(file, element, prefix, state))
            {
                mcp[server.Name] = server;
            }
        });
        Servers(state, json, ".lsp.json", "lspServers", (file, element, prefix) =>
        {
            foreach (var server in ClaudeServerParser.Lsp(file, element, prefix, state))
            {
                lsp[server.Name] = server;
            }
        });

        if (Directory.Exists(Path.Combine(state.Root, "bin")))
        {
            state.NotMapped.Add("bin/: not added to the shell's PATH; call the programs by their path (${CLAUDE_PLUGIN_ROOT}/bin/…)");
        }

        if (File.Exists(Path.Combine(state.Root, "settings.json")))
        {
            state.NotMapped.Add("settings.json: plugin settings are not applied");
        }

        var uses = new List<HostCapability>();
        if (hooks.Count > 0 || mcp.Values.Any(s => s.Transport == McpTransport.Stdio) || lsp.Count > 0)
        {
            uses.Add(HostCapability.Processes);
        }

        if (mcp.Values.Any(s => s.Transport == McpTransport.Http))
        {
            uses.Add(HostCapability.Network);
        }

        return new ClaudeParts(skills, commands, hooks, [.. mcp.Values], [.. lsp.Values], uses);
    }

    /// <summary>The default folder when it exists, then the paths <c>plugin.json</c> gives (a string or a list).</summary>
    private static List<string> Folders(ReadState state, JsonSourceFile? json, string field, string defaultFolder, bool filesToo = false)
    {
        var result = new List<string>();
        if (Directory.Exists(Path.Combine(state.Root, defaultFolder)))
        {
            result.Add(defaultFolder);
        }

        foreach (var path in Paths(state, json, field))
        {
            var full = Path.Combine(state.Root, path);
            if (Directory.Exists(full) || (filesToo && File.Exists(full) && path.EndsWith(".md", StringComparison.OrdinalIgnoreCase)))
            {
                if (!result.Contains(path, StringComparer.Ordinal))
                {
                    result.Add(path);
                }
            }
            else
            {
                state.NotMapped.Add($"{ClaudePluginReader.ManifestPath}: '{field}' path './{path}' does not exist{(filesToo ? " (or is not a folder or .md file)" : " (or is not a folder)")}");
            }
        }

        return result;
    }

    /// <summary>The relative paths a field gives; an error for an absolute path, one leaving the plugin, or another type.</summary>
    private static List<string> Paths(ReadState state, JsonSourceFile? json, string field)
    {
        var result = new List<string>();
        if (json is null || !json.Root.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return result;
        }

        var items = value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().Select((e, i) => (e, $"{field}[{i}]")).ToList() : [(value, field)];
        foreach (var (item, path) in items)
        {
            if (item.ValueKind != JsonValueKind.String || item.GetString() is not { Length: > 0 } text)
            {
                state.Errors.Add(json.Problem(path, $"must be a relative path such as \"./{field}/\" (or a list of them), not {ClaudePluginReader.Kind(item)}"));
                continue;
            }

            var relative = text.Replace('\\', '/');
            relative = relative.StartsWith("./", StringComparison.Ordinal) ? relative[2..] : relative;
            relative = relative.TrimEnd('/');
            if (!ManifestReader.IsSafeRelativePath(relative) || relative.StartsWith('/'))
            {
                state.Errors.Add(json.Problem(path, $"'{text}' must be a path inside the plugin folder, starting with './' (e.g. \"./{field}/\")"));
                continue;
            }

            result.Add(relative);
        }

        return result;
    }

    /// <summary>The <c>*.md</c> files of a folder (with its subfolders) or the one file, relative with '/'.</summary>
    internal static IEnumerable<string> MarkdownFiles(string root, string relative)
    {
        var full = Path.Combine(root, relative);
        var files = File.Exists(full) ? [full]
            : Directory.Exists(full) ? Directory.EnumerateFiles(full, "*.md", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            : Enumerable.Empty<string>();
        return files.Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'));
    }

    /// <summary>The sub-agent files (not supported), then what each command file has that the host does not apply.</summary>
    private static List<string> NotMappedFiles(string root, List<string> agentFolders, List<string> commandFolders)
    {
        var notes = new List<string>();
        foreach (var agents in agentFolders)
        {
            foreach (var file in Listed(root, agents))
            {
                notes.Add($"{file}: sub-agent profiles are not supported");
            }
        }

        foreach (var command in commandFolders)
        {
            foreach (var file in Listed(root, command))
            {
                NoteCommand(root, file, notes);
            }
        }

        return notes;
    }

    /// <summary><see cref="MarkdownFiles"/>, or none when the folder cannot be listed (it changed since the plugin was read).</summary>
    private static List<string> Listed(string root, string relative)
    {
        try
        {
            return [.. MarkdownFiles(root, relative)];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>Front matter and shell lines of a command file that the host does not apply.</summary>
    private static void NoteCommand(string root, string relative, List<string> notes)
    {
        string text;
        try
        {
            text = TextFiles.Read(Path.Combine(root, relative)).ReplaceLineEndings("\n");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return;
        }

        if (text.StartsWith("---\n", StringComparison.Ordinal) && text.IndexOf("\n---", 3, StringComparison.Ordinal) is var end and > 0)
        {
            var keys = text[4..end].Split('\n').Select(l => l.Split(':', 2)[0].Trim()).ToHashSet(StringComparer.Ordinal);
            if (keys.Contains("allowed-tools"))
            {
                notes.Add($"{relative}: 'allowed-tools' is not applied; the permission rules decide what the command's tool calls may do");
            }

            if (keys.Contains("model"))
            {
                notes.Add($"{relative}: 'model' is not applied; the session's model answers");
            }
        }

        if (text.Contains("!`", StringComparison.Ordinal))
        {
            notes.Add($"{relative}: !`command` lines are not run; the prompt keeps them as written");
        }
    }

    private static List<string> Hooks(ReadState state, JsonSourceFile? json)
    {
        var result = new List<string>();
        if (File.Exists(Path.Combine(state.Root, "hooks", "hooks.json")))
        {
            result.Add("hooks/hooks.json");
        }

        var inlineHooks = json is not null && json.Root.TryGetProperty("hooks", out var inline) && inline.ValueKind == JsonValueKind.Object;
        if (inlineHooks)
        {
            // Inline hooks: plugin.json itself is the hooks file ({"hooks": {...}} beside the other fields).
            NoteHooks(state, json!, json!.Root.GetProperty("hooks"), "hooks.");
        }
        else
        {
            foreach (var path in Paths(state, json, "hooks"))
            {
                if (!File.Exists(Path.Combine(state.Root, path)))
                {
                    state.Errors.Add(json!.Problem("hooks", $"'./{path}' does not exist; give the path of a hooks file such as \"./hooks/hooks.json\", or the hooks inline"));
                }
                else if (!result.Contains(path, StringComparer.Ordinal))
                {
                    result.Add(path);
                }
            }
        }

        foreach (var file in result)
        {
            using var hooks = ClaudePluginReader.Load(Path.Combine(state.Root, file));
            var wrapped = hooks.Root.ValueKind == JsonValueKind.Object && hooks.Root.TryGetProperty("hooks", out _);
            NoteHooks(state, hooks, wrapped ? hooks.Root.GetProperty("hooks") : hooks.Root, wrapped ? "hooks." : string.Empty, file);
        }

        if (inlineHooks)
        {
            result.Add(ClaudePluginReader.ManifestPath);
        }

        return result;
    }

    /// <summary>Checks a hooks object's shape; events and hook types the host does not run become not-mapped lines.</summary>
    private static void NoteHooks(ReadState state, JsonSourceFile file, JsonElement events, string prefix, string? shown = null)
    {
        shown ??= ClaudePluginReader.ManifestPath;
        if (events.ValueKind != JsonValueKind.Object)
        {
            state.Errors.Add(file.Problem(prefix.TrimEnd('.'), "must be an object of events, such as { \"PreToolUse\": [ { \"matcher\": \"Bash\", \"hooks\": [ { \"type\": \"command\", \"command\": \"…\" } ] } ] }"));
            return;
        }

        foreach (var ev in events.EnumerateObject().Where(e => e.Name != "description"))
        {
            var path = prefix + ev.Name;
            if (ev.Value.ValueKind != JsonValueKind.Array)
            {
                state.Errors.Add(file.Problem(path, "must be a list of { \"matcher\": …, \"hooks\": [ … ] } groups"));
                continue;
            }

            if (!HookEventNames.All.Contains(ev.Name, StringComparer.Ordinal))
            {
                state.NotMapped.Add($"{shown}: {ev.Name} hooks: the event is not supported (supported: {string.Join(", ", HookEventNames.All)})");
                continue;
            }

            var i = 0;
            foreach (var group in ev.Value.EnumerateArray())
            {
                var groupPath = $"{path}[{i++}]";
                if (group.ValueKind != JsonValueKind.Object || !group.TryGetProperty("hooks", out var list) || list.ValueKind != JsonValueKind.Array)
                {
                    state.Errors.Add(file.Problem(groupPath, "must be an object with \"hooks\": [ { \"type\": \"command\", \"command\": \"…\" } ]"));
                    continue;
                }

                foreach (var hook in list.EnumerateArray())
                {
                    var type = hook.ValueKind == JsonValueKind.Object && hook.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
                    if (type != "command")
                    {
                        state.NotMapped.Add($"{shown}: {ev.Name} hook of type '{type ?? "(none)"}' is not supported (only 'command' hooks run)");
                    }
                    else if (UnsupportedHookFields.Reason(name => hook.TryGetProperty(name, out var v) ? (v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText()) : null) is { } unsupported)
                    {
                        state.NotMapped.Add($"{shown}: {ev.Name} hook '{(hook.TryGetProperty("command", out var c) ? Shorten(c) : "(no command)")}': {unsupported}");
                    }
                }
            }
        }
    }

    /// <summary>The default server file (when present), then <c>plugin.json</c>'s field: a path, a list of paths, or the servers inline.</summary>
    private static void Servers(ReadState state, JsonSourceFile? json, string defaultFile, string field, Action<JsonSourceFile, JsonElement, string> parse)
    {
        var files = new List<string>();
        if (File.Exists(Path.Combine(state.Root, defaultFile)))
        {
            files.Add(defaultFile);
        }

        if (json is not null && json.Root.TryGetProperty(field, out var inline) && inline.ValueKind == JsonValueKind.Object)
        {
            ParseFiles(state, files, field, parse);
            parse(json, inline, field + ".");
            return;
        }

        foreach (var path in Paths(state, json, field))
        {
            if (!File.Exists(Path.Combine(state.Root, path)))
            {
                state.Errors.Add(json!.Problem(field, $"'./{path}' does not exist; give the path of a JSON file of servers such as \"./{defaultFile}\", or the servers inline"));
            }
            else if (!files.Contains(path, StringComparer.Ordinal))
            {
                files.Add(path);
            }
        }

        ParseFiles(state, files, field, parse);
    }

    private static void ParseFiles(ReadState state, List<string> files, string field, Action<JsonSourceFile, JsonElement, string> parse)
    {
        foreach (var file in files)
        {
            using var servers = ClaudePluginReader.Load(Path.Combine(state.Root, file));
            if (servers.Root.ValueKind != JsonValueKind.Object)
            {
                state.Errors.Add(servers.Problem(string.Empty, $"must be an object of servers, such as {{ \"name\": {{ \"command\": \"…\" }} }}"));
                continue;
            }

            // Both shapes occur: the servers at the top, or under "mcpServers" / "lspServers" as in a project's .mcp.json.
            if (servers.Root.TryGetProperty(field, out var wrapped) && wrapped.ValueKind == JsonValueKind.Object)
            {
                parse(servers, wrapped, field + ".");
            }
            else
            {
                parse(servers, servers.Root, string.Empty);
            }
        }
    }

    private static string Shorten(JsonElement command)
    {
        var text = command.ValueKind == JsonValueKind.String ? command.GetString() ?? string.Empty : command.GetRawText();
        return text.Length <= 60 ? text : text[..57] + "...";
    }
}
