using System.Text.Json;
using System.Text.RegularExpressions;
using AgentHost.Hosting.Text;
using NuGet.Versioning;

namespace AgentHost.Hosting.Plugins.Manifests;

/// <summary>
/// Reads a Claude Code plugin — a folder with <c>.claude-plugin/plugin.json</c>, or one in the default layout
/// (<c>commands/</c>, <c>agents/</c>, <c>skills/</c>, <c>hooks/hooks.json</c>, <c>.mcp.json</c>, <c>.lsp.json</c> at
/// its root, named after its folder) — as a <see cref="PluginManifest"/> of <see cref="PluginFormat.ClaudeCode"/>.
/// </summary>
/// <remarks>
/// Skills, commands, hook files, MCP and LSP servers map onto our parts, <c>${CLAUDE_PLUGIN_ROOT}</c> expanded to the
/// plugin folder; every part that does not map (sub-agents, output styles, hook types other than <c>command</c>, unknown
/// fields, …) becomes a line of <see cref="PluginManifest.NotMapped"/>. A malformed file is an error naming
/// <c>file:line</c>, the field and the fix. See docs/plugins.md, "Claude Code plugins".
/// </remarks>
public static partial class ClaudePluginReader
{
    /// <summary>The manifest's path relative to the plugin root.</summary>
    public const string ManifestPath = ".claude-plugin/plugin.json";

    /// <summary>The version of a plugin whose <c>plugin.json</c> gives none (or that has no <c>plugin.json</c>).</summary>
    public const string DefaultVersion = "0.0.0";

    /// <summary>The variable a plugin's commands, arguments, environment and URLs use for its folder.</summary>
    public const string RootVariable = "${CLAUDE_PLUGIN_ROOT}";

    /// <summary>What makes a folder a Claude Code plugin, for messages.</summary>
    public const string LayoutDescription = ".claude-plugin/plugin.json, or Claude Code's default layout (commands/, agents/, skills/, hooks/hooks.json, .mcp.json or .lsp.json at the root)";

    private static readonly string[] DefaultFolders = ["commands", "agents", "skills"];
    private static readonly string[] DefaultFiles = ["hooks/hooks.json", ".mcp.json", ".lsp.json"];

    /// <summary>Fields that describe the plugin and need no mapping.</summary>
    private static readonly string[] MetadataFields = ["$schema", "name", "version", "description", "author", "homepage", "repository", "license", "keywords", "displayName"];

    /// <summary>Fields of parts this host maps.</summary>
    private static readonly string[] PartFields = ["commands", "agents", "skills", "hooks", "mcpServers", "lspServers"];

    /// <summary>Known Claude Code fields this host does not map, and why.</summary>
    private static readonly Dictionary<string, string> UnsupportedFields = new(StringComparer.Ordinal)
    {
        ["outputStyles"] = "output styles are not supported",
        ["workflows"] = "workflows are not supported",
        ["userConfig"] = "user configuration prompts are not supported; ${user_config.*} values stay unexpanded",
        ["dependencies"] = "plugin dependencies are not resolved; install each plugin yourself",
        ["defaultEnabled"] = "ignored; an installed plugin is enabled unless 'agent plugin disable' turns it off",
        ["settings"] = "plugin settings are not applied",
    };

    /// <summary>Whether <paramref name="directory"/> holds a Claude Code plugin: its manifest, or the default layout.</summary>
    public static bool IsClaudePlugin(string directory) =>
        File.Exists(Path.Combine(directory, ManifestPath)) || HasDefaultLayout(directory);

    /// <summary>Whether <paramref name="directory"/> has one of the parts of Claude Code's default layout.</summary>
    public static bool HasDefaultLayout(string directory) =>
        DefaultFolders.Any(f => Directory.Exists(Path.Combine(directory, f))) || DefaultFiles.Any(f => File.Exists(Path.Combine(directory, f)));

    /// <summary>The <c>*.md</c> files of a plugin's folder (with its subfolders), or the one file, relative to <paramref name="root"/> with '/'.</summary>
    /// <param name="root">The plugin root.</param>
    /// <param name="relative">A folder or <c>.md</c> file relative to it, such as an entry of <see cref="PluginManifest.CommandDirectories"/>.</param>
    /// <returns>The files, in ordinal order.</returns>
    public static IEnumerable<string> MarkdownFiles(string root, string relative) => ClaudePluginParts.MarkdownFiles(root, relative);

    /// <summary>Reads the Claude Code plugin in <paramref name="directory"/>.</summary>
    /// <param name="directory">The plugin root.</param>
    /// <param name="defaultName">
    /// The name of a plugin without <c>plugin.json</c> (Claude Code takes it from the folder); by default the folder's
    /// name. The installer passes the source folder's name, since it reads a staged copy.
    /// </param>
    /// <returns>The manifest.</returns>
    /// <exception cref="AgentHostException">A file is malformed; the message names each file, line and field, and the fix.</exception>
    public static PluginManifest Read(string directory, string? defaultName = null)
    {
        var root = Path.GetFullPath(directory);
        var manifestFile = Path.Combine(root, ManifestPath);
        var state = new ReadState(root);
        if (File.Exists(manifestFile))
        {
            using var json = Load(manifestFile);
            return Build(state, json, defaultName);
        }

        if (!HasDefaultLayout(root))
        {
            throw new AgentHostException(ErrorKind.Plugin, $"{root}: not a Claude Code plugin: found neither {LayoutDescription}.");
        }

        return Build(state, null, defaultName);
    }

    private static PluginManifest Build(ReadState state, JsonSourceFile? json, string? defaultName)
    {
        var root = state.Root;
        var (id, version, description) = (string.Empty, new NuGetVersion(0, 0, 0), string.Empty);
        List<string> authors = [];
        string? license = null, homepage = null;
        if (json is not null)
        {
            if (json.Root.ValueKind != JsonValueKind.Object)
            {
                throw Invalid([json.Problem(string.Empty, "a plugin.json must be an object such as { \"name\": \"my-plugin\" }")]);
            }

            id = ReadId(json, state.Errors);
            version = ReadVersion(json, state.Errors);
            description = Text(json, "description", state.Errors) ?? string.Empty;
            authors = ReadAuthors(json, state.Errors);
            license = Text(json, "license", state.Errors);
            homepage = Text(json, "homepage", state.Errors);
            foreach (var field in json.Root.EnumerateObject().Select(p => p.Name))
            {
                if (UnsupportedFields.TryGetValue(field, out var why))
                {
                    state.NotMapped.Add($"{ManifestPath}: '{field}': {why}");
                }
                else if (!MetadataFields.Contains(field, StringComparer.Ordinal) && !PartFields.Contains(field, StringComparer.Ordinal))
                {
                    state.NotMapped.Add($"{ManifestPath}: '{field}': unknown field, ignored");
                }
            }
        }
        else
        {
            id = IdFromFolder(defaultName ?? Path.GetFileName(root), root, state.Errors);
        }

        var parts = ClaudePluginParts.Read(state, json);
        if (state.Errors.Count > 0)
        {
            throw Invalid(state.Errors);
        }

        return new PluginManifest
        {
            Id = id,
            Version = version,
            Description = description.Length > 0 ? description : $"Claude Code plugin {id}",
            Authors = authors,
            License = license,
            Homepage = homepage,
            Sdk = SdkRange.TryParse(">=0.0", out var any, out _) ? any! : throw new InvalidOperationException(),
            Uses = parts.Uses,
            SkillDirectories = parts.Skills,
            CommandDirectories = parts.Commands,
            HookFiles = parts.Hooks,
            McpServers = parts.Mcp,
            LspServers = parts.Lsp,
            Format = PluginFormat.ClaudeCode,
            NotMapped = state.NotMapped,
            FilePath = json?.File ?? root,
            Directory = root,
        };
    }

    /// <summary>
    /// Writes <c>.claude-plugin/plugin.json</c> with just the name into a copy of a plugin that has none, so that the
    /// copy keeps the name its source folder gave it (the installer's copy lives in a folder named by version).
    /// </summary>
    /// <param name="directory">The plugin copy.</param>
    /// <param name="name">The plugin id.</param>
    public static void WriteNameManifest(string directory, string name)
    {
        var file = Path.Combine(directory, ManifestPath);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(64);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("name", name);
            writer.WriteEndObject();
        }

        File.WriteAllBytes(file, buffer.WrittenSpan.ToArray());
    }

    /// <summary>Parses a JSON file of the plugin, naming its line on a syntax error.</summary>
    internal static JsonSourceFile Load(string file)
    {
        try
        {
            return JsonSourceFile.Parse(file, TextFiles.Read(file));
        }
        catch (IOException ex)
        {
            throw new AgentHostException(ErrorKind.Plugin, $"{file}: cannot be read ({ex.Message}).", ex);
        }
    }

    internal static AgentHostException Invalid(IEnumerable<string> errors) =>
        new(ErrorKind.Plugin, $"invalid Claude Code plugin:{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", errors)}");

    /// <summary>A string field, or an error when it has another type.</summary>
    internal static string? Text(JsonSourceFile json, string name, List<string> errors, JsonElement? parent = null, string prefix = "")
    {
        var owner = parent ?? json.Root;
        if (!owner.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            errors.Add(json.Problem(prefix + name, $"must be a string, not {Kind(value)}"));
            return null;
        }

        return string.IsNullOrWhiteSpace(value.GetString()) ? null : value.GetString()!.Trim();
    }

    internal static string Kind(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "true/false",
        _ => "null",
    };

    /// <summary>Replaces <c>${CLAUDE_PLUGIN_ROOT}</c> with the plugin folder.</summary>
    internal static string ExpandRoot(string text, string root) =>
        text.Replace(RootVariable, root, StringComparison.Ordinal).Replace("$CLAUDE_PLUGIN_ROOT", root, StringComparison.Ordinal);

    private static string ReadId(JsonSourceFile json, List<string> errors)
    {
        if (!json.Root.TryGetProperty("name", out var value))
        {
            errors.Add(json.Problem(string.Empty, "field 'name' is required; add \"name\": \"my-plugin\" (kebab-case)"));
            return string.Empty;
        }

        if (value.ValueKind != JsonValueKind.String || value.GetString() is not { Length: > 0 } name)
        {
            errors.Add(json.Problem("name", "must be a non-empty string such as \"my-plugin\""));
            return string.Empty;
        }

        var id = name.Trim().ToLowerInvariant();
        if (!IsValidId(id))
        {
            errors.Add(json.Problem("name", $"'{name}' cannot be a plugin id; use kebab-case: lowercase letters and digits with single '-', '.' or '_' between them, at most 64 characters (e.g. \"{Suggest(name)}\")"));
        }

        return id;
    }

    private static string IdFromFolder(string folder, string root, List<string> errors)
    {
        var id = Suggest(folder);
        if (!IsValidId(id))
        {
            errors.Add($"{root}: the plugin has no {ManifestPath}, so its name comes from the folder name '{folder}', which cannot be made a plugin id. Add {ManifestPath} with \"name\": \"my-plugin\", or rename the folder (lowercase letters, digits and '-').");
        }

        return id;
    }

    private static NuGetVersion ReadVersion(JsonSourceFile json, List<string> errors)
    {
        var text = Text(json, "version", errors);
        if (text is null)
        {
            return NuGetVersion.Parse(DefaultVersion);
        }

        if (NuGetVersion.TryParse(text.TrimStart('v'), out var version))
        {
            return version;
        }

        errors.Add(json.Problem("version", $"'{text}' is not a semantic version; write it like \"1.2.3\" or \"1.2.3-beta.1\", or leave it out ({DefaultVersion} is used)"));
        return NuGetVersion.Parse(DefaultVersion);
    }

    private static List<string> ReadAuthors(JsonSourceFile json, List<string> errors)
    {
        if (!json.Root.TryGetProperty("author", out var author) || author.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (author.ValueKind == JsonValueKind.String)
        {
            return [author.GetString()!];
        }

        if (author.ValueKind != JsonValueKind.Object)
        {
            errors.Add(json.Problem("author", $"must be an object such as {{ \"name\": \"Ada\", \"email\": \"ada@example.com\" }}, not {Kind(author)}"));
            return [];
        }

        var name = Text(json, "name", errors, author, "author.");
        var email = Text(json, "email", errors, author, "author.");
        return name is null ? [] : [email is null ? name : $"{name} <{email}>"];
    }

    private static bool IsValidId(string id) => id.Length is > 0 and <= 64 && IdRegex().IsMatch(id);

    /// <summary>A name turned into our id rules: lowercase, runs of other characters as one '-'.</summary>
    private static string Suggest(string name)
    {
        var id = InvalidRun().Replace(name.Trim().ToLowerInvariant(), "-").Trim('-', '.', '_');
        return id.Length > 64 ? id[..64].TrimEnd('-', '.', '_') : id;
    }

    [GeneratedRegex("^[a-z0-9]+([._-][a-z0-9]+)*$")]
    private static partial Regex IdRegex();

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex InvalidRun();
}

/// <summary>What reading one plugin collects: its root, errors and not-mapped parts.</summary>
internal sealed class ReadState(string root)
{
    public string Root { get; } = root;

    public List<string> Errors { get; } = [];

    public PluginNotes NotMapped { get; } = new();
}
